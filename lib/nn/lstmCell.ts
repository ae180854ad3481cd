/**
 * The elementwise part of one LSTM step as one kernel forward and one backward. With the gate
 * pre-activations z = x W + h U + b ([N, 4H], blocks [i | f | g | o] of H columns, as tfjs's,
 * Keras's and lib/nn/lstm.ts's LSTM) and the cell state c ([N, H]):
 *
 *   i = σ(z_i),  f = σ(z_f),  g = tanh(z_g),  o = σ(z_o)
 *   c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *
 * and, from the gradients dh', dc' of the outputs (dc' all zero when only h' is used),
 *
 *   δ = dc' + dh' ⊙ o ⊙ (1 − tanh² c')
 *   dz_i = δ ⊙ g ⊙ i(1 − i),  dz_f = δ ⊙ c ⊙ f(1 − f),  dz_g = δ ⊙ i ⊙ (1 − g²),
 *   dz_o = dh' ⊙ tanh(c') ⊙ o(1 − o),  dc = δ ⊙ f.
 *
 * As tfjs ops the forward pass is a split and some ten elementwise kernels, its gradient some 25
 * (each σ′ and tanh′ is a chain of products and differences, the split's gradient a concat); on
 * WebGPU, where a training step is bound by the host's cost per kernel, that was most of the
 * attention decoder's dispatches. The backward kernel takes z, c and c' (saved on the tape, not
 * outputs) and recomputes the gates, which costs less than saving them. Backends with the kernels:
 * WebGPU (lib/backend/webgpu/lstmCell.ts) and wasm (lib/backend/wasmLstmCell.ts); elsewhere (cpu,
 * tensorflow) `lstmCell` runs the tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { tapeOp } from './tapeOp';

/** Kernel name: inputs {z [N, 4H], c [N, H]} (float32); outputs [h', c'], both [N, H]. */
export const LSTM_CELL_KERNEL = 'AvlabLstmCell';
/** Kernel name: inputs {z, c, cNew, dh, dc} (c' and the outputs' gradients [N, H]); outputs [dz [N, 4H], dc [N, H]]. */
export const LSTM_CELL_GRAD_KERNEL = 'AvlabLstmCellGrad';

/** The new hidden and cell state of one LSTM step, [N, H] each. */
export type LstmCellOutputs = {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
};

/** `lstmCell` as tfjs ops (any backend, differentiable by tfjs; the reference of the kernels). */
export function lstmCellOps(z: tf.Tensor2D, c: tf.Tensor2D): LstmCellOutputs {
  return tf.tidy(() => {
    const [i, f, g, o] = tf.split(z, 4, -1);
    const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    const h = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
    return { h: h as tf.Tensor2D, c: cNew as tf.Tensor2D };
  });
}

/** Whether the active backend runs `lstmCell` as the fused kernels. */
export function lstmCellKernelActive(): boolean {
  const backend = tf.getBackend();
  return !!tf.getKernel(LSTM_CELL_KERNEL, backend) && !!tf.getKernel(LSTM_CELL_GRAD_KERNEL, backend);
}

/**
 * The LSTM cell update from gate pre-activations z [N, 4H] (blocks i, f, g, o) and cell state
 * c [N, H]: c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c'). Differentiable with respect to z and c;
 * one tape node whose gradient is one kernel where the backend has `AvlabLstmCell`.
 */
export function lstmCell(z: tf.Tensor2D, c: tf.Tensor2D): LstmCellOutputs {
  const [n, h4] = z.shape;
  if (z.rank !== 2 || c.rank !== 2 || h4 % 4 !== 0 || c.shape[0] !== n || c.shape[1] !== h4 / 4) {
    throw new Error(`lstmCell: gates [${z.shape}] and cell [${c.shape}] must be [N, 4H] and [N, H]`);
  }
  if (z.dtype !== 'float32' || c.dtype !== 'float32') throw new Error(`lstmCell: expected float32 tensors, got ${z.dtype} and ${c.dtype}`);
  if (z.size === 0 || !lstmCellKernelActive()) return lstmCellOps(z, c);
  const [hNew, cNew] = tapeOp(
    { z, c },
    (save) => {
      const outs = tf.engine().runKernel(LSTM_CELL_KERNEL, { z, c }, {}) as tf.Tensor[];
      // c' is an output, but may be unused (and disposed); the tape keeps its own reference.
      save([z, c, outs[1]]);
      return outs;
    },
    ([dh, dc], [zs, cs, cNews]) => {
      const [dz, dcPrev] = tf.engine().runKernel(LSTM_CELL_GRAD_KERNEL, { z: zs, c: cs, cNew: cNews, dh, dc }, {}) as tf.Tensor[];
      return { z: dz, c: dcPrev };
    },
  );
  return { h: hNew as tf.Tensor2D, c: cNew as tf.Tensor2D };
}
