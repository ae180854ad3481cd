/**
 * The LSTM cell update of lib/nn/lstmCell.ts (`AvlabLstmCell`, `AvlabLstmCellGrad`) for the wasm
 * backend: one JavaScript pass over the heap views each way, where tfjs's split, activations and
 * products were some 10 wasm kernels forward and 25 backward, each with its own allocation.
 *
 *   forward   c' = σ(z_f) c + σ(z_i) tanh(z_g),  h' = σ(z_o) tanh(c')
 *   backward  δ = dc' + dh' o (1 − tanh² c'),  dz_i = δ g i(1 − i),  dz_f = δ c f(1 − f),
 *             dz_g = δ i (1 − g²),  dz_o = dh' tanh(c') o(1 − o),  dc = δ f
 *
 * Arithmetic is in double (Math.exp, Math.tanh, which neither overflow nor lose the small values of
 * σ for large |z|) and each result is rounded once to float32. tanh(c') is taken of c' as stored, so
 * the backward pass sees the same c' as the forward pass wrote.
 */
import * as tf from '@tensorflow/tfjs';
import { outputsAndViews } from './nativeMatMul';
import { LSTM_CELL_GRAD_KERNEL, LSTM_CELL_KERNEL } from '../nn/lstmCell';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The forward loop over n samples of h units: writes h' and c' from z [n, 4h] and c [n, h]. */
export function lstmCellForward(z: Float32Array, c: Float32Array, hOut: Float32Array, cOut: Float32Array, n: number, h: number): void {
  for (let r = 0; r < n; r++) {
    const zb = 4 * h * r;
    const cb = h * r;
    for (let j = 0; j < h; j++) {
      const i = sigmoid(z[zb + j]);
      const f = sigmoid(z[zb + h + j]);
      const g = Math.tanh(z[zb + 2 * h + j]);
      const o = sigmoid(z[zb + 3 * h + j]);
      const cn = Math.fround(f * c[cb + j] + i * g);
      cOut[cb + j] = cn;
      hOut[cb + j] = o * Math.tanh(cn);
    }
  }
}

/** The backward loop: dz [n, 4h] and dc [n, h] from z, c, c' and the outputs' gradients dh', dc'. */
export function lstmCellBackward(z: Float32Array, c: Float32Array, cNew: Float32Array, dh: Float32Array, dc: Float32Array, dz: Float32Array, dcOut: Float32Array, n: number, h: number): void {
  for (let r = 0; r < n; r++) {
    const zb = 4 * h * r;
    const cb = h * r;
    for (let j = 0; j < h; j++) {
      const i = sigmoid(z[zb + j]);
      const f = sigmoid(z[zb + h + j]);
      const g = Math.tanh(z[zb + 2 * h + j]);
      const o = sigmoid(z[zb + 3 * h + j]);
      const tc = Math.tanh(cNew[cb + j]);
      const dhv = dh[cb + j];
      const delta = dc[cb + j] + dhv * o * (1 - tc * tc);
      dz[zb + j] = delta * g * i * (1 - i);
      dz[zb + h + j] = delta * c[cb + j] * f * (1 - f);
      dz[zb + 2 * h + j] = delta * i * (1 - g * g);
      dz[zb + 3 * h + j] = dhv * tc * o * (1 - o);
      dcOut[cb + j] = delta * f;
    }
  }
}

let installed = false;

/** Registers `AvlabLstmCell` and `AvlabLstmCellGrad` for wasm (idempotent). */
export function installWasmLstmCell(): void {
  if (installed) return;
  tf.registerKernel({
    kernelName: LSTM_CELL_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { z, c } = inputs as Record<string, tf.TensorInfo>;
      const [n, h] = c.shape;
      const { outs, views } = outputsAndViews(backend, [z, c], [[n, h], [n, h]]);
      const [vz, vc, vhOut, vcOut] = views;
      if (n * h > 0) lstmCellForward(vz, vc, vhOut, vcOut, n, h);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: LSTM_CELL_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { z, c, cNew, dh, dc } = inputs as Record<string, tf.TensorInfo>;
      const [n, h] = c.shape;
      const { outs, views } = outputsAndViews(backend, [z, c, cNew, dh, dc], [z.shape, [n, h]]);
      const [vz, vc, vcNew, vdh, vdc, vdz, vdcOut] = views;
      if (n * h > 0) lstmCellBackward(vz, vc, vcNew, vdh, vdc, vdz, vdcOut, n, h);
      return outs;
    },
  });
  installed = true;
}
