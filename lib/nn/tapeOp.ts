/**
 * An op with several outputs and its own gradient, recorded as one node of tfjs's gradient tape.
 *
 * `tf.customGrad` allows a single output. Registering a gradient for a kernel allows several, but
 * then every intermediate the gradient needs must be an output of the kernel, and the tape makes a
 * zero gradient on the host for each output nothing used: for the LSTM's gates and cells that was
 * 10 MB of zeros allocated (and, on wasm, copied into the heap) per training step. Here the
 * intermediates are saved for the backward pass without being outputs. The engine path is the one
 * `tf.customGrad` itself takes, which accepts a list of outputs.
 */
import * as tf from '@tensorflow/tfjs';

/** Keeps tensors for the backward pass (a no-op when no gradient is being recorded). */
export type SaveFn = (tensors: tf.Tensor[]) => void;

/** Gradients of the op's inputs, by input name, from the outputs' gradients and the saved tensors. */
export type TapeBackward = (dys: tf.Tensor[], saved: tf.Tensor[]) => Record<string, tf.Tensor>;

interface CustomKernelEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: SaveFn) => tf.Tensor[];
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor[];
}

/**
 * Runs `forward` (whose intermediates are disposed unless saved) as one tape node over `inputs`;
 * `backward` returns a gradient for every input name. Outputs nothing used get a zero gradient.
 */
export function tapeOp(inputs: tf.NamedTensorMap, forward: (save: SaveFn) => tf.Tensor[], backward: TapeBackward): tf.Tensor[] {
  const engine = tf.engine() as unknown as CustomKernelEngine;
  return engine.runKernelFunc({
    inputs,
    forwardFunc: (_backend, save) => forward(save),
    backwardsFunc: (dy, saved) => {
      const grads = backward(Array.isArray(dy) ? dy : [dy], saved);
      return Object.fromEntries(Object.keys(inputs).map((name) => [name, () => grads[name]]));
    },
  });
}
