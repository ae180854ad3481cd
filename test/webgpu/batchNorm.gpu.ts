import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { installWebgpuBatchNorm, webgpuBatchNormActive } from '../../lib/backend/webgpu/batchNorm';
import { countsSince, gpuCounts } from '../../lib/backend/webgpu/counters';
import { webgpuBackend } from '../../lib/backend/webgpu/raw';
import { batchNormTraining } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { onWebgpu } from '../helpers/webgpu';
import { maxRelativeError, onBackend, randn } from '../helpers/compare';
import { batchNormLayerRun, batchNormStep } from '../helpers/batchNormCases';

const NAMES = ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'];

describe('WebGPU batch norm kernels', function () {
  this.timeout(120000);

  onWebgpu(installWebgpuBatchNorm);

  // Channels below, at and above a workgroup's 64; not multiples of 4; 2-D and 4-D (NHWC); one row;
  // enough rows for several chunks of the reduction and blocks of the elementwise pass.
  const shapes = [[7, 5], [1, 3], [64, 130], [3, 4, 5, 6], [2, 24, 20, 16], [5000, 3], [4, 16, 16, 33]];
  for (const shape of shapes) {
    it(`matches tfjs ops on the cpu backend for x [${shape}]`, async () => {
      const gpu = await onBackend('webgpu', () => {
        assert.ok(webgpuBatchNormActive());
        return batchNormStep(shape, 11, { epsilon: 1e-3 });
      });
      const cpu = await onBackend('cpu', () => batchNormStep(shape, 11, { epsilon: 1e-3 }));
      gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `${NAMES[i]}: ${maxRelativeError(g, cpu[i])}`));
    });
  }

  it('runs the BatchNorm layer (moving statistics, inference) as tfjs does', async () => {
    const gpu = await onBackend('webgpu', () => batchNormLayerRun(4, [6, 5, 7]));
    const cpu = await onBackend('cpu', () => batchNormLayerRun(4, [6, 5, 7]));
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
    // The tape's zeros (on the host) are left out of the kernel; zeros computed on the GPU are read.
    const zeros = tf.zeros([40]);
    const gpuZeros = tf.mul(mean, 0);
    before = gpuCounts();
    const grads = tf.engine().runKernel('AvlabBatchNormGrad', { x, gamma, mean, variance, dy: r, dMean: zeros, dVariance: zeros }, { epsilon: 1e-3 }) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    assert.ok(!webgpuBackend()!.tensorMap.get(zeros.dataId)!.resource, 'the zero gradients were not uploaded');
    const read = tf.engine().runKernel('AvlabBatchNormGrad', { x, gamma, mean, variance, dy: r, dMean: gpuZeros, dVariance: gpuZeros }, { epsilon: 1e-3 }) as tf.Tensor[];
    for (let i = 0; i < 3; i++) assert.deepEqual(await grads[i].data(), await read[i].data());
    tf.dispose([y, mean, variance, zeros, gpuZeros, ...grads, ...read, x, r, gamma, beta]);
  });
});
