/** A tiny, deterministic `fit` run with course-style train.log lines and a fixed clock (issue #12 tests). */
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../../lib/losses/crossEntropy';
import { COURSE_TRAIN_CONFIG } from '../../lib/training/config';
import { fit, FitConfig, FitResult, rowBatches } from '../../lib/training/fit';
import { courseTrainLogLine } from '../../lib/scenes/courseFiles';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

export const TINY_CONFIG: FitConfig = { ...COURSE_TRAIN_CONFIG, lr: 1e-2, batchSize: 8, maxEpochs: 5, seed: 2 };
/** The fixed timestamp of every train.log line: the course's lines carry the wall time, made deterministic here. */
export const FIXED_NOW = new Date(2024, 0, 2, 3, 4, 5);

function data(seed: number, n: number) {
  const rng = new Rng(seed);
  const xs = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => (xs[4 * i] > 0 ? 1 : 0) + (xs[4 * i + 1] > 0.5 ? 1 : 0));
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor1d(ys, 'int32') };
}

export async function tinyFit(runDir: string, config: FitConfig = TINY_CONFIG, fingerprint = 'tiny'): Promise<FitResult> {
  await testBackend();
  const train = data(1, 40);
  const val = data(2, 20);
  const net = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }), tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) })] });
  try {
    return await fit(
      {
        nets: [net],
        loss: ([x, y], training) => crossEntropy(net.apply(x, { training }) as tf.Tensor2D, y as tf.Tensor1D),
        evaluate: async ({ x, y }) => {
          const [loss, acc] = tf.tidy(() => {
            const z = net.apply(x, { training: false }) as tf.Tensor2D;
            return [crossEntropy(z, y), tf.mean(tf.cast(tf.equal(tf.argMax(z, 1), y), 'float32'))];
          });
          const out = { loss: (await loss.data())[0], metrics: { accuracy: (await acc.data())[0] } };
          tf.dispose([loss, acc]);
          return out;
        },
      },
      rowBatches([train.x, train.y]),
      val,
      config,
      { runDir, fingerprint, log: () => {}, logLine: (r) => courseTrainLogLine(r, FIXED_NOW), clock: () => 0 },
    );
  } finally {
    net.dispose();
    tf.dispose([train.x, train.y, val.x, val.y]);
  }
}
