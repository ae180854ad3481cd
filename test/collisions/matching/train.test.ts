import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_ENCODER_CONFIG, trainClassifier, trainEncoders } from '../../../lib/collisions/matching/train';
import { crossEntropy } from '../../../lib/losses/crossEntropy';
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

  it('trainClassifier: Adam with L2 weight decay makes PyTorch’s updates (to float32 rounding)', async () => {
    const x = tf.tensor2d([[1, 2], [0.5, -1], [-1, 0.3], [2, 1]]);
    const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
    const net = denseNet(2, [3], 1);
    const start = net.getWeights().map((w) => w.arraySync());
    // One full batch per epoch, two epochs: two Adam steps (the batch order does not change a full batch's loss).
    const cfg = { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0.1, weightDecay: 0.01, batchSize: 4, epochs: 2, schedule: 'constant' as const, seed: 4 };
    const r = await trainClassifier(net, { x, labels, size: 4 }, { x, labels, size: 4 }, cfg);
    // torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay): g ← ∇L + λθ, m ← β₁m + (1−β₁)g,
    // v ← β₂v + (1−β₂)g², θ ← θ − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
    const ref = denseNet(2, [3], 1);
    ref.setWeights(start.map((w) => tf.tensor(w as number[])));
    const vars = ref.trainableWeights.map((w) => w.read() as tf.Variable);
    const m = vars.map((v) => tf.zerosLike(v));
    const v2 = vars.map((v) => tf.zerosLike(v));
    const snapshots: number[][][] = [];
    for (let t = 1; t <= 2; t++) {
      const { grads } = tf.variableGrads(() => crossEntropy(ref.apply(x) as tf.Tensor2D, labels), vars);
      vars.forEach((v, k) => {
        const g = tf.add(grads[v.name], tf.mul(v, cfg.weightDecay));
        m[k] = tf.add(tf.mul(m[k], 0.9), tf.mul(g, 0.1));
        v2[k] = tf.add(tf.mul(v2[k], 0.999), tf.mul(tf.square(g), 0.001));
        const mHat = tf.div(m[k], 1 - 0.9 ** t);
        const vHat = tf.div(v2[k], 1 - 0.999 ** t);
        v.assign(tf.sub(v, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)), cfg.lr)));
      });
      snapshots.push(ref.getWeights().map((w) => Array.from(w.dataSync())));
    }
    // The selected epoch's weights are kept: compare with the reference after that many steps.
    const want = snapshots[r.bestEpoch - 1];
    const got = net.getWeights().map((w) => Array.from(w.dataSync()));
    got.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - want[k][i]) < 1e-5, `weight ${k}[${i}]: ${v} vs ${want[k][i]}`)));
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
    const r = await trainClassifier(net, train, val, { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0.1, epochs: 25, batchSize: 16 }, { onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.equal(r.history.length, 25);
    const best = r.history[r.bestEpoch - 1];
    assert.equal(best.metrics.accuracy, Math.max(...r.history.map((h) => h.metrics.accuracy)));
    // 0.967 with Adam (lr 0.1); 0.833 with SGD + momentum (lr 0.1) before the loops were unified.
    assert.ok(best.metrics.accuracy >= 0.83, `val accuracy ${best.metrics.accuracy}`);
    assert.ok(r.history[24].trainLoss < r.history[0].trainLoss);
    // Epoch 1 creates Adam's moments and the best-weights copy; later epochs add nothing.
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts per epoch: ${counts.join(', ')}`);
    // The kept weights are the best epoch's: evaluating gives its validation accuracy.
    const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(net.apply(val.x) as tf.Tensor, 1), val.labels), 'float32')).dataSync()[0]);
    assert.ok(Math.abs(acc - best.metrics.accuracy) < 1e-6);
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
    const r = await trainEncoders(f, g, part(0, 120), part(120, 160), { ...DEFAULT_ENCODER_CONFIG, epochs: 30, batchSize: 16, lr: 5e-3 }, { onEpoch: () => counts.push(tf.memory().numTensors) });
    const { metrics: last } = r.history[r.bestEpoch - 1];
    assert.ok(last.posDistance < 0.6 * last.negDistance, `positive D ${last.posDistance} vs negative D ${last.negDistance}`);
    // Both 1.0 before the loops were unified.
    assert.ok(last.posAccuracy > 0.97 && last.negAccuracy > 0.97, `pair accuracy +${last.posAccuracy} −${last.negAccuracy}`);
    assert.equal(last.pairAccuracy, (last.posAccuracy + last.negAccuracy) / 2);
    assert.ok(r.history[r.history.length - 1].trainLoss < r.history[0].trainLoss);
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts per epoch: ${counts.join(', ')}`);
    // The weighted loss trains too.
    const r2 = await trainEncoders(denseNet(12, [16, 8], 1), denseNet(8, [16, 8], 2), part(0, 120), part(120, 160), { ...DEFAULT_ENCODER_CONFIG, loss: 'weighted', lambda: 0.3, epochs: 3 });
    assert.ok(r2.history.every((h) => Number.isFinite(h.trainLoss)));
  });

  it('trainEncoders resumes from its run directory bit for bit (pair sampling is reseeded per epoch)', async () => {
    const rng = new Rng(9);
    const n = 48;
    const audio = tf.tensor2d(Float32Array.from({ length: n * 6 }, () => rng.normal()), [n, 6]);
    const traj = tf.tensor2d(Float32Array.from({ length: n * 4 }, () => rng.normal()), [n, 4]);
    const objects = Int32Array.from({ length: n }, (_, i) => i % 3);
    const part = (from: number, to: number) => ({ audio: audio.slice(from, to - from), trajectory: traj.slice(from, to - from) as tf.Tensor2D, objects: objects.slice(from, to), size: to - from });
    const cfg = { ...DEFAULT_ENCODER_CONFIG, epochs: 4, batchSize: 8 };
    const go = async (options: { runDir?: string; onEpoch?: (r: { epoch: number }) => void } = {}) => {
      const f = denseNet(6, [8, 4], 1);
      const g = denseNet(4, [8, 4], 2);
      try {
        const r = await trainEncoders(f, g, part(0, 36), part(36, 48), cfg, { fingerprint: 'enc', ...options });
        return { r, weights: [f, g].flatMap((net) => net.getWeights().map((w) => Array.from(w.dataSync()))) };
      } finally {
        f.dispose();
        g.dispose();
      }
    };
    const whole = await go();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-encoders-'));
    await assert.rejects(go({ runDir: dir, onEpoch: (r) => { if (r.epoch === 3) throw new Error('interrupted'); } }), /interrupted/);
    const resumed = await go({ runDir: dir });
    assert.equal(resumed.r.epochsRun, 2);
    assert.deepEqual(resumed.r.history.map((h) => [h.trainLoss, h.valLoss, h.metrics]), whole.r.history.map((h) => [h.trainLoss, h.valLoss, h.metrics]));
    assert.deepEqual(resumed.weights, whole.weights);
    assert.ok(['last.ckpt', 'best.ckpt', 'history.json', 'train.log'].every((f) => fs.existsSync(path.join(dir, f))));
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
