import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { nativeBatchNormActive } from '../../lib/backend/nativeBatchNorm';
import { batchNormTraining } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { randn } from '../helpers/compare';
import { batchNormLayerRun, batchNormStep } from '../helpers/batchNormCases';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** `batchNormStep` (squared y, ε = 1e-5) read back. */
function trainingStep(shape: number[], seed: number): Float32Array[] {
  return tf.tidy(() => batchNormStep(shape, seed, { squareY: true }).map((t) => t.dataSync() as Float32Array));
}

/** `batchNormLayerRun` read back. */
function layerRun(seed: number): Float32Array[] {
  return tf.tidy(() => batchNormLayerRun(seed).map((t) => t.dataSync() as Float32Array));
}

describe('batch norm', function () {
  this.timeout(60000);
  after(() => initBackend('cpu', { quiet: true }));

  it('normalises over every axis but the last with the biased variance (hand-computed case)', async () => {
    await initBackend('cpu', { quiet: true });
    const [y, mean, variance] = tf.tidy(() => batchNormTraining(tf.tensor2d([1, 10, 3, 20, 5, 30], [3, 2]), tf.tensor1d([2, 1]), tf.tensor1d([0, 1]), 0)).map((t) => Array.from(t.dataSync()));
    assert.deepEqual(mean, [3, 20]);
    assert.ok(maxDiff(variance, [8 / 3, 200 / 3]) < 1e-4);
    const s = Math.sqrt(3 / 8);
    assert.ok(maxDiff(y, [-4 * s, 1 - Math.sqrt(1.5), 0, 1, 4 * s, 1 + Math.sqrt(1.5)]) < 1e-5, `${y}`);
  });

  it('the layer is tfjs\'s BatchNormalization: same weights, training output, moving statistics and inference', async () => {
    await initBackend('cpu', { quiet: true });
    const ours = layerRun(1);
    const theirs = tf.tidy(() => {
      const rng = new Rng(1);
      const layer = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 });
      const x = randn(rng, [6, 5, 4], 3, -1);
      const trained = layer.apply(x, { training: true }) as tf.Tensor;
      layer.apply(tf.mul(x, 2), { training: true });
      const inferred = layer.apply(x, { training: false }) as tf.Tensor;
      return [trained, ...layer.getWeights().slice(2), inferred].map((t) => t.dataSync() as Float32Array);
    });
    ours.forEach((v, i) => assert.ok(maxDiff(v, theirs[i]) < 1e-5, `output ${i}`));
  });

  it('the native wasm kernel equals tfjs on cpu: outputs, gradients (also through μ and σ²) and the layer, without leaks', async function () {
    if (!nativeBlas()) this.skip(); // the addon is not built on this machine
    const shapes = [[7, 3], [2, 5, 5, 4], [32, 16, 16, 8], [1, 6]];
    await initBackend('cpu', { quiet: true });
    const expected = shapes.map((s, i) => trainingStep(s, i));
    const expectedLayer = layerRun(2);
    await initBackend('wasm', { quiet: true });
    assert.ok(nativeBatchNormActive());
    const before = tf.memory().numTensors;
    const got = shapes.map((s, i) => trainingStep(s, i));
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    const gotLayer = layerRun(2);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
    shapes.forEach((s, i) => names.forEach((name, k) => {
      const scale = Math.max(1, ...Array.from(expected[i][k], Math.abs));
      const d = maxDiff(got[i][k], expected[i][k]);
      assert.ok(d < 5e-5 * scale, `${name} of shape ${s}: ${d} (scale ${scale})`);
    }));
    gotLayer.forEach((v, i) => assert.ok(maxDiff(v, expectedLayer[i]) < 1e-4, `layer output ${i}`));
  });
});
