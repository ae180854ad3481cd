/** Batch-norm cases shared by the kernel tests of every backend (tensors; read them on the backend). */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, BatchNormActivation, batchNormTraining, batchNormTrainingStep } from '../../lib/nn/batchNorm';
import { Rng } from '../../lib/util/rng';
import { normalValues, randn } from './compare';

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

/** Which outputs of the layer's training step the loss of `batchNormLayerStep` reaches. */
export type StepLoss = 'y' | 'stats' | 'all';

/** Names of `batchNormLayerStep`'s tensors, for messages. */
export const LAYER_STEP_NAMES = ['y', 'mean', 'variance', 'movingMean', 'movingVariance', 'dx', 'dGamma', 'dBeta', 'dMovingMean', 'dMovingVariance'];

/**
 * The layer's training step (`batchNormTrainingStep`: the fused kernel on WebGPU, tfjs's ops on cpu)
 * with momentum 0.9: [y, μ, σ², new moving mean, new moving variance] and the gradients of a loss
 * Σ y·w (`loss: 'y'`, what training differentiates), plus Σ μ·w_μ + Σ σ²·w_σ (`'stats'`), plus the
 * new moving statistics' Σ m'·w_m + Σ v'·w_v (`'all'`), with respect to x, γ, β (and, for 'all',
 * the moving statistics). β is small so that BN(x) straddles 0, and channel 0 has γ = β = 0, so that
 * BN(x) is exactly 0 there: ReLU's gradient at the tie (tfjs: step(0) = 0) shows in dγ₀ and dβ₀.
 */
export function batchNormLayerStep(shape: number[], seed: number, activation: BatchNormActivation, loss: StepLoss): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const c = shape[shape.length - 1];
    const x = randn(rng, shape, 2, 0.5);
    const zeroFirst = (v: Float32Array) => tf.tensor1d(v.map((e, i) => (i === 0 ? 0 : e)));
    const gamma = zeroFirst(normalValues(rng, [c], 0.5, 1));
    const beta = zeroFirst(normalValues(rng, [c], 0.2));
    const movingMean = randn(rng, [c]);
    const movingVariance = tf.abs(randn(rng, [c], 1, 1));
    const w = randn(rng, shape);
    const ws = Array.from({ length: 4 }, () => randn(rng, [c]));
    const o = { epsilon: 1e-3, momentum: 0.9, activation };
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor) => {
      const outs = batchNormTrainingStep(xx, g as tf.Tensor1D, b as tf.Tensor1D, mm as tf.Tensor1D, mv as tf.Tensor1D, o);
      const reached = loss === 'y' ? 0 : loss === 'stats' ? 2 : 4;
      return tf.addN([tf.sum(tf.mul(outs[0], w)), ...ws.slice(0, reached).map((wk, k) => tf.sum(tf.mul(outs[k + 1], wk)))]) as tf.Scalar;
    };
    const outs = batchNormTrainingStep(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, movingMean as tf.Tensor1D, movingVariance as tf.Tensor1D, o);
    const grads =
      loss === 'all'
        ? tf.grads(f)([x, gamma, beta, movingMean, movingVariance])
        : tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(xx, g, b, movingMean, movingVariance))([x, gamma, beta]);
    return [...outs, ...grads];
  });
}

/**
 * A BatchNorm layer's (or, with `tfjs`, tfjs's BatchNormalization layer followed by tf.relu)
 * training output, the gradient with respect to x of Σ y·w in a second training step, the moving
 * statistics after the two steps, and the inference output.
 */
export function batchNormLayerRun(seed: number, shape = [6, 5, 4], opts: { activation?: BatchNormActivation; tfjs?: boolean } = {}): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const relu = opts.activation === 'relu';
    const layer = opts.tfjs ? tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }) : new BatchNorm({ epsilon: 1e-5, momentum: 0.9, activation: opts.activation });
    const apply = (x: tf.Tensor, training: boolean) => {
      const y = layer.apply(x, { training }) as tf.Tensor;
      return opts.tfjs && relu ? tf.relu(y) : y;
    };
    const x = randn(rng, shape, 3, -1);
    const w = randn(rng, shape);
    const trained = apply(x, true);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(apply(tf.mul(xx, 2), true), w)))(x);
    const inferred = apply(x, false);
    return [trained, dx, ...layer.getWeights().slice(2), inferred];
  });
}
