import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_ENCODER_CONFIG, trainClassifier, trainEncoders } from '../../../lib/collisions/matching/train';
import { crossEntropy } from '../../../lib/training/trainer';
import { InputError } from '../../../lib/util/errors';
import { Rng, deriveSeed } from '../../../lib/util/rng';
import { testBackend } from '../../helpers/backend';

function denseNet(inDim: number, units: number[], seed: number): tf.LayersModel {
  const layers = units.map((u, i) =>
    tf.layers.dense({
      units: u,
      activation: i < units.length - 1 ? 'relu' : 'linear',
      inputShape: i === 0 ? [inDim] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
    }),
  );
  return tf.sequential({ layers });
}

describe('matching training loops', function () {
  this.timeout(60000);
  before(testBackend);

  it('trainClassifier: SGD with momentum and weight decay makes exactly PyTorch’s updates', async () => {
    const x = tf.tensor2d([[1, 2], [0.5, -1], [-1, 0.3], [2, 1]]);
    const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
    const net = denseNet(2, [3], 1);
    const start = net.getWeights().map((w) => w.arraySync());
    const cfg = { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0.1, momentum: 0.9, weightDecay: 0.01, batchSize: 2, epochs: 1, schedule: 'constant' as const, seed: 4 };
    await trainClassifier(net, { x, labels, size: 4 }, { x, labels, size: 4 }, cfg);
    // The same two steps by hand: g ← ∇L + λθ, b ← μb + g, θ ← θ − η·b, batches in the loop's seeded order.
    const order = new Rng(deriveSeed(cfg.seed, 'classifier-epoch:1')).permutation(4);
    const ref = denseNet(2, [3], 1);
    ref.setWeights(start.map((w) => tf.tensor(w as number[])));
    const vars = ref.trainableWeights.map((w) => w.read() as tf.Variable);
    const buf = vars.map((v) => tf.zerosLike(v));
    for (const batch of [order.slice(0, 2), order.slice(2, 4)]) {
      const idx = tf.tensor1d(batch, 'int32');
      const { grads } = tf.variableGrads(() => crossEntropy(ref.apply(tf.gather(x, idx)) as tf.Tensor2D, tf.gather(labels, idx)), vars);
      vars.forEach((v, k) => {
        const g = tf.add(grads[v.name], tf.mul(v, cfg.weightDecay));
        buf[k] = tf.add(tf.mul(buf[k], cfg.momentum), g);
        v.assign(tf.sub(v, tf.mul(buf[k], cfg.lr)));
      });
    }
    const got = net.getWeights().map((w) => Array.from(w.dataSync()));
    const want = ref.getWeights().map((w) => Array.from(w.dataSync()));
    got.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - want[k][i]) < 1e-6, `weight ${k}[${i}]: ${v} vs ${want[k][i]}`)));
    assert.ok(got.some((g, k) => g.some((v, i) => Math.abs(v - (start[k] as number[]).flat()[i]) > 1e-3)), 'the weights moved');
  });

  it('trainClassifier learns a separable problem, keeps the best epoch, and leaks no tensors', async () => {
    const rng = new Rng(2);
    const n = 120;
    const xs = Float32Array.from({ length: n * 4 }, () => rng.normal());
    const ys = Int32Array.from({ length: n }, (_, i) => (xs[4 * i] + xs[4 * i + 1] > 0 ? 1 : 0) + (xs[4 * i + 2] > 0.5 ? 1 : 0));
    const x = tf.tensor2d(xs, [n, 4]);
    const labels = tf.tensor1d(ys, 'int32');
    const train = { x: x.slice(0, 90), labels: labels.slice(0, 90), size: 90 };
    const val = { x: x.slice(90), labels: labels.slice(90), size: 30 };
    const net = denseNet(4, [16, 3], 7);
    const counts: number[] = [];
    const r = await trainClassifier(net, train, val, { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0.1, epochs: 25, batchSize: 16 }, { onEpochTensors: (c) => counts.push(c) });
    assert.equal(r.history.length, 25);
    const best = r.history[r.bestEpoch - 1];
    assert.equal(best.valAccuracy, Math.max(...r.history.map((h) => h.valAccuracy)));
    assert.ok(best.valAccuracy >= 0.8, `val accuracy ${best.valAccuracy}`);
    assert.ok(r.history[24].trainLoss < r.history[0].trainLoss);
    assert.ok(counts.every((c) => c === counts[0]), `tensor counts per epoch: ${counts.join(', ')}`);
    // The kept weights are the best epoch's: evaluating gives its validation accuracy.
    const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(net.apply(val.x) as tf.Tensor, 1), val.labels), 'float32')).dataSync()[0]);
    assert.ok(Math.abs(acc - best.valAccuracy) < 1e-6);
  });

  it('trainEncoders pulls matching pairs together and pushes same-class others apart, without leaks', async () => {
    // Each sample has a latent z; "audio" and "trajectory" are two noisy random projections of it.
    const rng = new Rng(5);
    const n = 160;
    const z = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const project = (dim: number, noise: number) => {
      const w = Array.from({ length: dim }, () => [rng.normal(), rng.normal()]);
      return tf.tensor2d(z.flatMap((zi) => w.map((wk) => wk[0] * zi[0] + wk[1] * zi[1] + noise * rng.normal())), [n, dim]);
    };
    const audio = project(12, 0.05);
    const traj = project(8, 0.05);
    const objects = Int32Array.from({ length: n }, (_, i) => i % 2);
    const part = (from: number, to: number) => ({ audio: audio.slice(from, to - from), trajectory: traj.slice(from, to - from) as tf.Tensor2D, objects: objects.slice(from, to), size: to - from });
    const f = denseNet(12, [32, 8], 11);
    const g = denseNet(8, [32, 8], 12);
    const counts: number[] = [];
    const r = await trainEncoders(f, g, part(0, 120), part(120, 160), { ...DEFAULT_ENCODER_CONFIG, epochs: 30, batchSize: 16, lr: 5e-3 }, { onEpochTensors: (c) => counts.push(c) });
    const last = r.history[r.bestEpoch - 1];
    assert.ok(last.valPosDistance < 0.6 * last.valNegDistance, `positive D ${last.valPosDistance} vs negative D ${last.valNegDistance}`);
    assert.ok(last.valPosAccuracy > 0.7 && last.valNegAccuracy > 0.7, `pair accuracy +${last.valPosAccuracy} −${last.valNegAccuracy}`);
    assert.ok(r.history[r.history.length - 1].trainLoss < r.history[0].trainLoss);
    assert.ok(counts.every((c) => c === counts[0]), `tensor counts per epoch: ${counts.join(', ')}`);
    // The weighted loss trains too.
    const r2 = await trainEncoders(denseNet(12, [16, 8], 1), denseNet(8, [16, 8], 2), part(0, 120), part(120, 160), { ...DEFAULT_ENCODER_CONFIG, loss: 'weighted', lambda: 0.3, epochs: 3 });
    assert.ok(r2.history.every((h) => Number.isFinite(h.trainLoss)));
  });

  it('rejects bad configurations', async () => {
    const x = tf.zeros([4, 2]);
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    const d = { x, labels, size: 4 };
    await assert.rejects(trainClassifier(denseNet(2, [2], 1), d, d, { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0 }), InputError);
    await assert.rejects(trainClassifier(denseNet(2, [2], 1), d, d, { ...DEFAULT_CLASSIFIER_CONFIG, epochs: 1.5 }), InputError);
    const p = { audio: x, trajectory: x as tf.Tensor2D, objects: Int32Array.from([0, 1, 0, 1]), size: 4 };
    await assert.rejects(trainEncoders(denseNet(2, [2], 1), denseNet(2, [2], 2), p, p, { ...DEFAULT_ENCODER_CONFIG, margin: -1 }), /margin/);
  });
});
