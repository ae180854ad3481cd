/**
 * Classification as a `fit` task: a network from inputs to class logits, trained with the mean
 * cross-entropy on rows gathered by index, scored by validation loss and accuracy. Scene models and
 * the matching classifiers train through it; `trainModel` is the shorthand for a model and its data.
 */
import { concatFloat32 } from '../util/arrays';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../nn/layers';
import { crossEntropy } from '../losses/crossEntropy';
import { Evaluation, fit, FitConfig, FitOptions, FitResult, FitTask, rowBatches } from './fit';

/** A network and its seeded dropout layers. */
export interface TrainableModel {
  net: tf.LayersModel;
  dropouts: SeededDropout[];
}

/** Inputs and integer labels already on the backend; the first axis of every tensor is the example. */
export interface TensorData {
  inputs: tf.Tensor[];
  labels: tf.Tensor1D;
  size: number;
}

function forward(net: tf.LayersModel, xs: tf.Tensor[], training: boolean): tf.Tensor2D {
  return net.apply(xs.length === 1 ? xs[0] : xs, { training }) as tf.Tensor2D;
}

function gatherRows(data: TensorData, start: number, n: number): { xs: tf.Tensor[]; y: tf.Tensor1D } {
  const idx = tf.range(start, start + n, 1, 'int32') as tf.Tensor1D;
  return { xs: data.inputs.map((t) => tf.gather(t, idx)), y: tf.gather(data.labels, idx) };
}

/** Validation loss (mean cross-entropy) and accuracy in eval mode, read back once. */
export async function evaluate(net: tf.LayersModel, data: TensorData, batchSize = 1024): Promise<{ loss: number; accuracy: number }> {
  let lossSum = tf.scalar(0);
  let correct = tf.scalar(0);
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const [nextLoss, nextCorrect] = tf.tidy((): tf.Scalar[] => {
      const { xs, y } = gatherRows(data, start, n);
      const logits = forward(net, xs, false);
      const l = tf.add(lossSum, tf.mul(crossEntropy(logits, y), n));
      const c = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
      return [l as tf.Scalar, c as tf.Scalar];
    });
    lossSum.dispose();
    correct.dispose();
    lossSum = nextLoss;
    correct = nextCorrect;
  }
  const [l, c] = [(await lossSum.data())[0], (await correct.data())[0]];
  lossSum.dispose();
  correct.dispose();
  return { loss: l / data.size, accuracy: c / data.size };
}

/** Class probabilities (softmax of the logits) for every example, row-major N × C. */
export async function predictProba(net: tf.LayersModel, data: TensorData, batchSize = 1024): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const p = tf.tidy(() => tf.softmax(forward(net, gatherRows(data, start, n).xs, false)));
    parts.push((await p.data()) as Float32Array);
    p.dispose();
  }
  return concatFloat32(parts);
}

/**
 * The classification task of `model`: batches are `[...inputs, labels]` rows (see
 * `classificationBatches`), the loss is the mean cross-entropy, the metric is `accuracy`.
 */
export function classificationTask(model: TrainableModel, evalBatchSize = 1024): FitTask<tf.Tensor[], TensorData> {
  return {
    nets: [model.net],
    dropouts: model.dropouts,
    loss: (batch, training) => {
      const y = batch[batch.length - 1] as tf.Tensor1D;
      return crossEntropy(forward(model.net, batch.slice(0, -1), training), y);
    },
    evaluate: async (val): Promise<Evaluation> => {
      const e = await evaluate(model.net, val, evalBatchSize);
      return { loss: e.loss, metrics: { accuracy: e.accuracy } };
    },
  };
}

/** Batches of a classification task: rows of the inputs and the labels, in a seeded order. */
export function classificationBatches(data: TensorData) {
  return rowBatches([...data.inputs, data.labels]);
}

/**
 * Trains `model` on `train` with `fit`, scored on `val` (selection: lowest val loss unless
 * `config.select` says otherwise). The model holds the selected epoch's weights afterwards.
 */
export function trainModel(model: TrainableModel, train: TensorData, val: TensorData, config: FitConfig, options: FitOptions = {}): Promise<FitResult> {
  return fit(classificationTask(model), classificationBatches(train), val, config, options);
}
