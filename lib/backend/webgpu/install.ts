/**
 * avlab's own WebGPU kernels, registered for tfjs's `webgpu` backend when it comes up: the fused
 * batch-norm step and gradient, the LSTM layer and its backward pass over the whole sequence, the
 * LSTM cell update of one step (the attention decoder) and its gradient, the
 * 2-D convolution's filter gradient (and forward pass for narrow layers), cross-entropy with its
 * gradient, counter-based dropout, column sums over leading axes (bias gradients), host uploads
 * without staging buffers, and rank-5 padding. Adam's one-dispatch step is chosen by `makeAdam` (lib/training/optimizer.ts).
 * Each install is idempotent.
 */

import { installWebgpuBatchNorm } from './batchNorm';
import { installWebgpuColumnSum } from './columnSum';
import { installWebgpuConv } from './conv';
import { installWebgpuCrossEntropy } from './crossEntropy';
import { installWebgpuDropout } from './dropout';
import { installWebgpuLstm } from './lstm';
import { installWebgpuLstmCell } from './lstmCell';
import { installWebgpuPad } from './pad';
import { installWebgpuUpload } from './upload';

/**
 * Registers every avlab WebGPU kernel; returns the names of those installed, for the backend line.
 * `AVLAB_WEBGPU_KERNELS=0` keeps tfjs's own kernels, to compare (the rank-5 pad is a correctness
 * fix and stays).
 */
export function installWebgpuKernels(): string[] {
  const installed: string[] = [];
  if (installWebgpuPad()) installed.push('rank-5 pad');
  if (process.env.AVLAB_WEBGPU_KERNELS === '0') return installed;
  if (installWebgpuBatchNorm()) installed.push('batch norm');
  if (installWebgpuLstm()) installed.push('LSTM');
  if (installWebgpuLstmCell()) installed.push('LSTM cell');
  if (installWebgpuConv()) installed.push('conv2d forward and filter gradient');
  if (installWebgpuCrossEntropy()) installed.push('cross-entropy');
  if (installWebgpuDropout()) installed.push('dropout');
  if (installWebgpuColumnSum()) installed.push('column sums');
  if (installWebgpuUpload()) installed.push('uploads by writeBuffer');
  return installed;
}
