/**
 * The counter-based dropout kernel (lib/nn/dropout.ts) for the wasm backend: one pass from the
 * input's heap view to the output's, hashing each index. tfjs's `tf.dropout` spent a host loop of
 * alea draws plus several kernels (uniform, add, floor, divide, multiply) on the same mask.
 */
import * as tf from '@tensorflow/tfjs';
import { outputsAndViews } from './nativeMatMul';
import { applyDropout, DROPOUT_KERNEL, registerDropoutGradient } from '../nn/dropout';

let installed = false;

/** Registers `AvlabDropout` and its gradient for wasm (idempotent). */
export function installWasmDropout(): void {
  if (installed) return;
  tf.registerKernel({
    kernelName: DROPOUT_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const { rate, seed } = attrs as unknown as { rate: number; seed: number };
      const { outs, views } = outputsAndViews(backend, [x], [x.shape]);
      if (tf.util.sizeFromShape(x.shape) > 0) applyDropout(views[0], views[1], rate, seed);
      return outs[0];
    },
  });
  registerDropoutGradient();
  installed = true;
}
