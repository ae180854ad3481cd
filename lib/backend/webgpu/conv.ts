/**
 * Installs avlab's 2-D convolution kernels on tfjs's WebGPU backend: the split-K filter gradient
 * (convFilterGrad.ts) and the forward GEMM for small channel counts (convForward.ts), both built on
 * the on-the-fly im2col of convPatches.ts. Each replaces tfjs's kernel and hands it back whatever
 * case it declines.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGradient } from './convFilterGrad';
import { conv2dForward } from './convForward';
import { overrideKernel, WebGPUBackendLike } from './raw';

export { conv2dFilterGradient, filterGradShader, planFilterGrad, reduceShader } from './convFilterGrad';
export type { FilterGradPlan } from './convFilterGrad';
export { conv2dForward, forwardShader, planForward } from './convForward';
export type { Epilogue, ForwardPlan } from './convForward';

let installed = false;

/**
 * Registers avlab's convolution kernels for the webgpu backend: the split-K filter gradient
 * (Conv2DBackpropFilter) and the forward GEMM (Conv2D, FusedConv2D), keeping tfjs's kernels for the
 * cases they decline. Conv2DBackpropInput stays tfjs's. Idempotent; false where tfjs has no webgpu
 * kernels to replace (the backend package is not loaded).
 */
export function installWebgpuConv(): boolean {
  if (installed) return true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'webgpu')) return false;
  const attrsOf = (args: Parameters<tf.KernelFunc>[0]) => (args.attrs ?? {}) as Record<string, unknown>;
  const backendOf = (args: Parameters<tf.KernelFunc>[0]) => args.backend as unknown as WebGPUBackendLike;
  overrideKernel('Conv2DBackpropFilter', (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return conv2dFilterGradient(backendOf(args), x, dy, attrsOf(args));
  });
  for (const name of ['Conv2D', 'FusedConv2D']) {
    overrideKernel(name, (args) => conv2dForward(backendOf(args), args.inputs as Record<string, tf.TensorInfo | undefined>, attrsOf(args)));
  }
  installed = true;
  return true;
}
