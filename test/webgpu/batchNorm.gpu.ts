import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { installWebgpuBatchNorm, webgpuBatchNormActive } from '../../lib/backend/webgpu/batchNorm';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';
import { BatchNorm, batchNormTraining } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { randn, maxRelativeError, onBackend } from '../helpers/compare';

/** y, μ, σ² and the gradients of a loss through all three with respect to x, γ, β. */
function trainingStep(shape: number[], seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const c = shape[shape.length - 1];
    const x = randn(rng, shape, 2, 0.5);
    const gamma = randn(rng, [c], 0.5, 1);
    const beta = randn(rng, [c], 0.5);
    const w = randn(rng, shape);
    const [wm, wv] = [randn(rng, [c]), randn(rng, [c])];
    const loss = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y, mean, variance] = batchNormTraining(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      return tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(mean, wm)), tf.sum(tf.mul(variance, wv))]) as tf.Scalar;
    };
    const outs = batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-3);
    return [...outs, ...tf.grads(loss)([x, gamma, beta])];
  });
}

/** A BatchNorm layer's training output, moving statistics after two steps, and inference output. */
function layerRun(seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.9 });
    const x = randn(rng, [6, 5, 7], 3, -1);
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    layer.apply(tf.mul(x, 2), { training: true });
    const inferred = layer.apply(x, { training: false }) as tf.Tensor;
    return [trained, ...layer.getWeights().slice(2), inferred];
  });
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'];

describe('WebGPU batch norm kernels', function () {
  this.timeout(120000);

  before(async function () {
    try {
      await initBackend('webgpu', { quiet: true });
    } catch {
      this.skip();
    }
    assert.ok(installWebgpuBatchNorm());
    installGpuCounters();
  });
  after(() => initBackend('cpu', { quiet: true }));

  // Channels below, at and above a workgroup's 64; not multiples of 4; 2-D and 4-D (NHWC); one row;
  // enough rows for several chunks of the reduction and blocks of the elementwise pass.
  const shapes = [[7, 5], [1, 3], [64, 130], [3, 4, 5, 6], [2, 24, 20, 16], [5000, 3], [4, 16, 16, 33]];
  for (const shape of shapes) {
    it(`matches tfjs ops on the cpu backend for x [${shape}]`, async () => {
      const gpu = await onBackend('webgpu', () => {
        assert.ok(webgpuBatchNormActive());
        return trainingStep(shape, 11);
      });
      const cpu = await onBackend('cpu', () => trainingStep(shape, 11));
      gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `${NAMES[i]}: ${maxRelativeError(g, cpu[i])}`));
    });
  }

  it('runs the BatchNorm layer (moving statistics, inference) as tfjs does', async () => {
    const gpu = await onBackend('webgpu', () => layerRun(4));
    const cpu = await onBackend('cpu', () => layerRun(4));
    gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `output ${i}: ${maxRelativeError(g, cpu[i])}`));
  });

  it('takes two dispatches forward and two backward, and leaks no tensors', async () => {
    await initBackend('webgpu', { quiet: true });
    const rng = new Rng(5);
    const x = randn(rng, [64, 40]);
    const gamma = tf.variable(randn(rng, [40], 0.5, 1));
    const beta = tf.variable(randn(rng, [40]));
    const r = randn(rng, [64, 40]);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-3)[0], r)) as tf.Scalar);
        gamma.assign(tf.sub(gamma, tf.mul(grads[gamma.name], 0.1)));
        beta.assign(tf.sub(beta, tf.mul(grads[beta.name], 0.1)));
      });
    step();
    await gamma.data();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    await gamma.data();
    assert.equal(tf.memory().numTensors, tensors);

    let before = gpuCounts();
    const outs = tf.engine().runKernel('AvlabBatchNorm', { x, gamma, beta }, { epsilon: 1e-3 }) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    const [y, mean, variance] = outs;
    const zeros = tf.zeros([40]);
    before = gpuCounts();
    const grads = tf.engine().runKernel('AvlabBatchNormGrad', { x, gamma, mean, variance, dy: r, dMean: zeros, dVariance: zeros }, { epsilon: 1e-3 }) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    tf.dispose([y, mean, variance, zeros, ...grads, x, r, gamma, beta]);
  });
});
