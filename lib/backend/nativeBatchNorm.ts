/**
 * Training-mode batch normalisation over the last axis as one wasm kernel (`AvlabBatchNorm`) with
 * one gradient kernel, both in the native addon (lib/backend/native/batchnorm.c). tfjs composes it
 * from moments, the normalisation and a gradient that tiles per-channel statistics to the size of the
 * activations: about twenty kernels and as many full-size temporaries per layer and step, which made
 * batch norm as costly as the convolutions of a ResNet step. `batchNormTraining` (lib/nn/
 * batchNorm.ts) uses these kernels when installed and the wasm backend is active.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas, outputsAndViews } from './nativeMatMul';

interface BatchNormBlas {
  batchNormForward(m: number, c: number, eps: number, ...arrays: Float32Array[]): void;
  batchNormBackward(m: number, c: number, eps: number, ...arrays: Float32Array[]): void;
}

/** Forward kernel: inputs {x [..., C], gamma [C], beta [C]}, attr epsilon; outputs [y, mean, variance]. */
export const BATCH_NORM_KERNEL = 'AvlabBatchNorm';
/**
 * Gradient kernel: inputs {x, gamma, mean, variance, dy, dMean, dVariance}, attr epsilon; outputs
 * [dx, dGamma, dBeta]. The WebGPU kernel also takes the gradients of its step kernels
 * (lib/backend/webgpu/batchNorm.ts): optional inputs y (a fused ReLU's output: dy is masked by
 * y > 0) and dMovingMean, dMovingVariance (folded into dMean, dVariance with attr momentum).
 */
export const BATCH_NORM_GRAD_KERNEL = 'AvlabBatchNormGrad';

let installed = false;

/** Whether `AvlabBatchNorm` can run now: installed, and the wasm backend active. */
export function nativeBatchNormActive(): boolean {
  return installed && tf.getBackend() === 'wasm';
}

function rowsAndChannels(x: tf.TensorInfo): [number, number] {
  const c = x.shape[x.shape.length - 1];
  return [x.shape.reduce((a, b) => a * b, 1) / c, c];
}

/**
 * The gradient of `AvlabBatchNorm` through `AvlabBatchNormGrad`, for every backend that has both
 * kernels (the native one on wasm, lib/backend/webgpu/batchNorm.ts on WebGPU). Idempotent.
 */
export function registerBatchNormGradient(): void {
  if (tf.getGradient(BATCH_NORM_KERNEL)) return;
  tf.registerGradient({
    kernelName: BATCH_NORM_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dMean, dVariance] = dys as tf.Tensor[];
      const [x, gamma, mean, variance] = saved;
      const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { x, gamma, mean, variance, dy, dMean, dVariance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
    },
  });
}

/** Registers the batch-norm kernels and gradient for the wasm backend when the addon has them. Idempotent. */
export function installNativeBatchNorm(): boolean {
  if (installed) return true;
  const blas = nativeBlas() as unknown as Partial<BatchNormBlas> | null;
  if (!blas?.batchNormForward || !blas.batchNormBackward) return false;
  const lib = blas as BatchNormBlas;
  tf.registerKernel({
    kernelName: BATCH_NORM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
      const [m, c] = rowsAndChannels(x);
      const { outs, views } = outputsAndViews(backend, [x, gamma, beta], [x.shape, [c], [c]]);
      lib.batchNormForward(m, c, attrs!.epsilon as number, ...views);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, gamma, mean, variance, dy, dMean, dVariance } = inputs as Record<string, tf.TensorInfo>;
      const [m, c] = rowsAndChannels(x);
      const { outs, views } = outputsAndViews(backend, [x, gamma, mean, variance, dy, dMean, dVariance], [x.shape, [c], [c]]);
      lib.batchNormBackward(m, c, attrs!.epsilon as number, ...views);
      return outs;
    },
  });
  registerBatchNormGradient();
  installed = true;
  return true;
}
