/**
 * A whole LSTM layer as one wasm kernel (`AvlabLstm`) with one gradient kernel (`AvlabLstmGrad`),
 * both in the native addon (lib/backend/native/lstm.c). tfjs unrolls an LSTM into about ten kernels
 * per time step forward and as many backward, each with its dispatch and allocation; on the attention
 * models that overhead, not arithmetic, set the epoch time. `lstmSequence` (lib/nn/lstm.ts) uses
 * these kernels when they are installed and the wasm backend is active, and tfjs ops otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas, outputsAndViews } from './nativeMatMul';

interface LstmBlas {
  lstmForward(n: number, t: number, d: number, h: number, ...arrays: Float32Array[]): void;
  lstmBackward(n: number, t: number, d: number, h: number, ...arrays: Float32Array[]): void;
}

/** Name of the forward kernel: inputs {x [N,T,D], W [D,4H], U [H,4H], b [4H]}, outputs [seq, hT, cT, gates, cells]. */
export const LSTM_KERNEL = 'AvlabLstm';
/**
 * Gradient kernel: inputs {x, W, U, seq, gates, cells, dSeq, dhT, dcT}; outputs [dx, dW, dU, db].
 * `lstmSequence` (lib/nn/lstm.ts) records the pair as one tape node that saves gates and cells.
 */
export const LSTM_GRAD_KERNEL = 'AvlabLstmGrad';

let installed = false;

/** Whether `AvlabLstm` can run now: installed, and the wasm backend active. */
export function nativeLstmActive(): boolean {
  return installed && tf.getBackend() === 'wasm';
}

function sizes(x: tf.TensorInfo, U: tf.TensorInfo): [number, number, number, number] {
  const [n, t, d] = x.shape;
  return [n, t, d, U.shape[0]];
}

/** Registers the LSTM kernels for the wasm backend when the addon has them. Idempotent. */
export function installNativeLstm(): boolean {
  if (installed) return true;
  const blas = nativeBlas() as unknown as Partial<LstmBlas> | null;
  if (!blas?.lstmForward || !blas.lstmBackward) return false;
  const lib = blas as LstmBlas;
  tf.registerKernel({
    kernelName: LSTM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, W, U, b } = inputs as Record<string, tf.TensorInfo>;
      const [n, t, d, h] = sizes(x, U);
      const { outs, views } = outputsAndViews(backend, [x, W, U, b], [[n, t, h], [n, h], [n, h], [n, t, 4 * h], [n, t, h]]);
      lib.lstmForward(n, t, d, h, ...views);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: LSTM_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, W, U, seq, gates, cells, dSeq, dhT, dcT } = inputs as Record<string, tf.TensorInfo>;
      const [n, t, d, h] = sizes(x, U);
      const { outs, views } = outputsAndViews(backend, [x, W, U, seq, gates, cells, dSeq, dhT, dcT], [[n, t, d], [d, 4 * h], [h, 4 * h], [4 * h]]);
      lib.lstmBackward(n, t, d, h, ...views);
      return outs;
    },
  });
  installed = true;
  return true;
}
