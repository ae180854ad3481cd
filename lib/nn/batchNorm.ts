/**
 * Batch normalisation as tfjs's layer computes it, with the training-mode step on one fused kernel
 * where available (lib/backend/nativeBatchNorm.ts on wasm, lib/backend/webgpu/batchNorm.ts on
 * WebGPU). In training, over every axis but the last:
 *   μ = mean(x),  σ² = mean((x − μ)²) (biased, as tfjs),  y = γ (x − μ) / √(σ² + ε) + β,
 * and the moving statistics move as tfjs moves them: m ← m − (1 − momentum)(m − μ), likewise σ².
 * Inference, other axes and the other backends are tfjs's own code.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_KERNEL, nativeBatchNormActive } from '../backend/nativeBatchNorm';
import { MOVING_MOMENTS_KERNEL, webgpuBatchNormActive } from '../backend/webgpu/batchNorm';

/** Whether the training step runs as the fused `AvlabBatchNorm` kernel (native on wasm, or WebGPU). */
function fusedBatchNormActive(): boolean {
  return nativeBatchNormActive() || webgpuBatchNormActive();
}

/** Batch statistics and the normalised batch, [y, μ, σ²], over every axis but the last. */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  if (fusedBatchNormActive()) return tf.engine().runKernel(BATCH_NORM_KERNEL, { x, gamma, beta }, { epsilon }) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean as tf.Tensor1D, variance as tf.Tensor1D];
  });
}

/** tfjs's BatchNormalization layer class (not exported by name; its factory builds one). */
const TfjsBatchNormalization = tf.layers.batchNormalization({}).constructor as new (args: Parameters<typeof tf.layers.batchNormalization>[0]) => tf.layers.Layer;

/** The fields of tfjs's layer this one reads. */
interface BatchNormFields {
  axis: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * tfjs's BatchNormalization (same weights, names, configuration and inference), whose training step
 * runs as one fused kernel on wasm (native) and WebGPU.
 */
export class BatchNorm extends TfjsBatchNormalization {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'AvlabBatchNorm';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    if (!kwargs?.training || !fusedBatchNormActive() || !lastAxis || !f.center || !f.scale) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTraining(x, f.gamma.read() as tf.Tensor1D, f.beta.read() as tf.Tensor1D, f.epsilon);
      if (webgpuBatchNormActive()) {
        const inputs = { movingMean: f.movingMean.read(), movingVariance: f.movingVariance.read(), mean, variance };
        const [m, v] = tf.engine().runKernel(MOVING_MOMENTS_KERNEL, inputs, { momentum: f.momentum }) as tf.Tensor[];
        f.movingMean.write(m);
        f.movingVariance.write(v);
        return y;
      }
      for (const [variable, value] of [[f.movingMean, mean], [f.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const old = variable.read();
          variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - f.momentum)));
        });
      }
      return y;
    });
  }
}
