/** Batch-norm cases shared by the kernel tests of every backend (tensors; read them on the backend). */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, batchNormTraining } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { randn } from './compare';

/**
 * y, μ, σ² of a training step and the gradients, with respect to x, γ and β, of a loss that reaches
 * all three outputs (Σ y·w, or Σ y²·w with `squareY`, plus Σ μ·w_μ + Σ σ²·w_σ).
 */
export function batchNormStep(shape: number[], seed: number, opts: { epsilon?: number; squareY?: boolean } = {}): tf.Tensor[] {
  const epsilon = opts.epsilon ?? 1e-5;
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const c = shape[shape.length - 1];
    const x = randn(rng, shape, 2, 0.5);
    const gamma = randn(rng, [c], 0.5, 1);
    const beta = randn(rng, [c], 0.5);
    const w = randn(rng, shape);
    const [wm, wv] = [randn(rng, [c]), randn(rng, [c])];
    const loss = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y, mean, variance] = batchNormTraining(xx, g as tf.Tensor1D, b as tf.Tensor1D, epsilon);
      return tf.addN([tf.sum(tf.mul(opts.squareY ? tf.square(y) : y, w)), tf.sum(tf.mul(mean, wm)), tf.sum(tf.mul(variance, wv))]) as tf.Scalar;
    };
    const outs = batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon);
    return [...outs, ...tf.grads(loss)([x, gamma, beta])];
  });
}

/** A BatchNorm layer's training output, its moving statistics after two steps, and its inference output. */
export function batchNormLayerRun(seed: number, shape = [6, 5, 4]): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.9 });
    const x = randn(rng, shape, 3, -1);
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    layer.apply(tf.mul(x, 2), { training: true });
    const inferred = layer.apply(x, { training: false }) as tf.Tensor;
    return [trained, ...layer.getWeights().slice(2), inferred];
  });
}
