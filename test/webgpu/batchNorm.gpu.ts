import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { BATCH_NORM_RELU_STEP_KERNEL, installWebgpuBatchNorm, webgpuBatchNormActive } from '../../lib/backend/webgpu/batchNorm';
import { countsSince, gpuCounts } from '../../lib/backend/webgpu/counters';
import { webgpuBackend } from '../../lib/backend/webgpu/raw';
import { BatchNorm, BatchNormActivation, batchNormTraining } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { onWebgpu } from '../helpers/webgpu';
import { maxRelativeError, onBackend, randn } from '../helpers/compare';
import { batchNormLayerRun, batchNormLayerStep, batchNormStep, LAYER_STEP_NAMES, StepLoss } from '../helpers/batchNormCases';

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

  // The layer's step kernels (moving statistics, and the ReLU) against tfjs's ops on cpu: losses
  // through y only (training: the statistics' gradients are the tape's zeros, left out), through μ
  // and σ² too, and through the new moving statistics too (their gradients folded in one more
  // dispatch). Each case's β straddles 0 after BN, and one channel sits exactly at the ReLU's tie.
  const stepShapes = [[7, 5], [1, 3], [64, 130], [3, 4, 5, 6], [2, 24, 20, 16], [5000, 3], [4, 16, 16, 33]];
  const stepCases: [BatchNormActivation, StepLoss][] = [['relu', 'y'], ['relu', 'stats'], ['relu', 'all'], ['linear', 'y'], ['linear', 'stats'], ['linear', 'all']];
  for (const [activation, loss] of stepCases) {
    it(`the ${activation} step kernel and its gradients (loss through ${loss}) match tfjs ops on the cpu backend`, async () => {
      for (const [k, shape] of stepShapes.entries()) {
        const gpu = await onBackend('webgpu', () => batchNormLayerStep(shape, 20 + k, activation, loss));
        const cpu = await onBackend('cpu', () => batchNormLayerStep(shape, 20 + k, activation, loss));
        assert.equal(gpu.length, loss === 'all' ? 10 : 8);
        gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `x [${shape}], ${LAYER_STEP_NAMES[i]}: ${maxRelativeError(g, cpu[i])}`));
        if (activation === 'relu') {
          // At the tie (channel 0: BN(x) = 0 exactly) the ReLU passes no gradient, as tfjs's step(0) = 0.
          assert.equal(gpu[6][0], 0, 'dγ₀');
          assert.equal(gpu[7][0], 0, 'dβ₀');
          const c = shape[shape.length - 1];
          if (gpu[0].length / c >= 5) assert.ok(gpu[0].some((v) => v > 0) && gpu[0].some((v, i) => v === 0 && i % c !== 0), 'y straddles 0');
        }
      }
    });
  }

  for (const activation of ['linear', 'relu'] as const) {
    for (const shape of [[6, 5, 7], [2, 3, 5, 6]]) {
      it(`runs the BatchNorm layer (activation ${activation}, x [${shape}]) as tfjs's BatchNormalization${activation === 'relu' ? ' then tf.relu' : ''} on cpu`, async () => {
        const gpu = await onBackend('webgpu', () => batchNormLayerRun(4, shape, { activation }));
        const cpu = await onBackend('cpu', () => batchNormLayerRun(4, shape, { activation, tfjs: true }));
        const names = ['training output', 'dx', 'moving mean', 'moving variance', 'inference output'];
        gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `${names[i]}: ${maxRelativeError(g, cpu[i])}`));
      });
    }
  }

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

  it('the layer with ReLU: two dispatches forward (moving statistics and ReLU included) and two backward, no leaks', async () => {
    await initBackend('webgpu', { quiet: true });
    const rng = new Rng(6);
    const x = randn(rng, [2, 6, 5, 12]);
    const r = randn(rng, [2, 6, 5, 12]);
    const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.9, activation: 'relu' });
    const apply = (xx: tf.Tensor) => layer.apply(xx, { training: true }) as tf.Tensor;
    tf.dispose(apply(x)); // builds the weights

    // The kernel: 2 dispatches; its gradient kernel with y and the tape's four zero statistic
    // gradients: 2, the zeros never uploaded.
    const [gamma, beta, movingMean, movingVariance] = layer.getWeights();
    let before = gpuCounts();
    const outs = tf.engine().runKernel(BATCH_NORM_RELU_STEP_KERNEL, { x, gamma, beta, movingMean, movingVariance }, { epsilon: 1e-5, momentum: 0.9 }) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    assert.equal(outs.length, 5);
    const zeros = tf.zeros([12]);
    before = gpuCounts();
    const inputs = { x, gamma, mean: outs[1], variance: outs[2], dy: r, y: outs[0], dMean: zeros, dVariance: zeros, dMovingMean: zeros, dMovingVariance: zeros };
    const grads = tf.engine().runKernel('AvlabBatchNormGrad', inputs, { epsilon: 1e-5, momentum: 0.9 }) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    assert.ok(!webgpuBackend()!.tensorMap.get(zeros.dataId)!.resource, 'the zero gradients were not uploaded');
    tf.dispose([...outs, ...grads, zeros]);

    // The layer's training forward: the kernel's two dispatches, nothing for the moving statistics
    // or the ReLU.
    before = gpuCounts();
    tf.dispose(apply(x));
    assert.equal(countsSince(before).dispatches, 2);
    // A gradient step through it costs four more than the same loss on x itself.
    const loss = (f: (xx: tf.Tensor) => tf.Tensor) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(f(xx), r)));
    const dispatchesOf = (f: () => tf.Tensor) => {
      const b = gpuCounts();
      tf.dispose(f());
      return countsSince(b).dispatches;
    };
    const plain = dispatchesOf(() => loss((xx) => xx)(x));
    assert.equal(dispatchesOf(() => loss(apply)(x)) - plain, 4);

    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(apply(x), r)) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
      tf.dispose([value, grads]);
    };
    step();
    await layer.getWeights()[2].data();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    await layer.getWeights()[2].data();
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose([x, r]);
    layer.dispose();
  });
});
