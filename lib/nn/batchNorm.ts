/**
 * Batch normalisation as tfjs's layer computes it, optionally followed by a ReLU, with the
 * training-mode step on fused kernels where available (lib/backend/nativeBatchNorm.ts on wasm,
 * lib/backend/webgpu/batchNorm.ts on WebGPU). In training, over every axis but the last:
 *   μ = mean(x),  σ² = mean((x − μ)²) (biased, as tfjs),  y = γ (x − μ) / √(σ² + ε) + β,
 * and the moving statistics move as tfjs moves them: m ← m − (1 − momentum)(m − μ), likewise σ².
 * On WebGPU the layer's whole training step (y, the moving statistics and the ReLU) is two
 * dispatches, and the ReLU's gradient is folded into batch norm's two; on wasm the native kernel
 * computes y, μ, σ² and tfjs ops the rest. Inference, other axes and the other backends are tfjs's
 * own code (with tf.relu after it).
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_KERNEL, nativeBatchNormActive } from '../backend/nativeBatchNorm';
import { BATCH_NORM_RELU_STEP_KERNEL, BATCH_NORM_STEP_KERNEL, webgpuBatchNormActive } from '../backend/webgpu/batchNorm';

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

/** What follows the normalisation: nothing, or max(0, ·). */
export type BatchNormActivation = 'linear' | 'relu';

/** Settings of a training step: tfjs's ε and momentum (the moving statistics' decay), and the activation after it. */
export interface BatchNormStepOptions {
  epsilon: number;
  momentum: number;
  activation?: BatchNormActivation;
}

/**
 * One training step of the BatchNorm layer: [y, μ, σ², new moving mean, new moving variance], y
 * after the activation. On WebGPU one fused kernel (two dispatches); elsewhere `batchNormTraining`,
 * then tfjs's ops for the moving statistics and the ReLU, as tfjs's layer does them.
 */
export function batchNormTrainingStep(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  movingMean: tf.Tensor1D,
  movingVariance: tf.Tensor1D,
  o: BatchNormStepOptions,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] {
  const relu = o.activation === 'relu';
  if (webgpuBatchNormActive()) {
    const kernel = relu ? BATCH_NORM_RELU_STEP_KERNEL : BATCH_NORM_STEP_KERNEL;
    return tf.engine().runKernel(kernel, { x, gamma, beta, movingMean, movingVariance }, { epsilon: o.epsilon, momentum: o.momentum }) as ReturnType<typeof batchNormTrainingStep>;
  }
  return tf.tidy(() => {
    const [y, mean, variance] = batchNormTraining(x, gamma, beta, o.epsilon);
    const move = (old: tf.Tensor1D, value: tf.Tensor1D) => tf.sub(old, tf.mul(tf.sub(old, value), 1 - o.momentum)) as tf.Tensor1D;
    return [relu ? tf.relu(y) : y, mean, variance, move(movingMean, mean), move(movingVariance, variance)];
  });
}

/** The arguments of tfjs's batchNormalization layer, and the activation after it. */
export type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]> & { activation?: BatchNormActivation };

/** tfjs's BatchNormalization layer class (not exported by name; its factory builds one). */
const TfjsBatchNormalization = tf.layers.batchNormalization({}).constructor as Pick<typeof tf.layers.Layer, 'fromConfig'> & (new (args: BatchNormArgs) => tf.layers.Layer);

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
 * tfjs's BatchNormalization (same weights, names, configuration and inference), optionally followed
 * by a ReLU (`activation: 'relu'`, which has no weights), whose training step runs on fused kernels
 * on wasm (native) and WebGPU. On WebGPU the ReLU and the moving statistics cost no dispatch of
 * their own; elsewhere the ReLU is tf.relu after tfjs's layer, the numbers of BN then a ReLU layer.
 */
export class BatchNorm extends TfjsBatchNormalization {
  /** tfjs's `getClassName()`: default layer names, `model.summary()` and (de)serialisation. */
  static readonly className = 'AvlabBatchNorm';
  /** What follows the normalisation. */
  readonly activation: BatchNormActivation;

  constructor(args: BatchNormArgs = {}) {
    super(args);
    const activation = args.activation ?? 'linear';
    if (activation !== 'linear' && activation !== 'relu') throw new Error(`BatchNorm: activation must be 'linear' or 'relu', got ${String(activation)}`);
    this.activation = activation;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    return tf.tidy(() => {
      if (!kwargs?.training || !fusedBatchNormActive() || !lastAxis || !f.center || !f.scale) {
        const y = super.call(inputs, kwargs) as tf.Tensor;
        return this.activation === 'relu' ? tf.relu(y) : y;
      }
      const [y, , , m, v] = batchNormTrainingStep(x, f.gamma.read() as tf.Tensor1D, f.beta.read() as tf.Tensor1D, f.movingMean.read() as tf.Tensor1D, f.movingVariance.read() as tf.Tensor1D, {
        epsilon: f.epsilon,
        momentum: f.momentum,
        activation: this.activation,
      });
      f.movingMean.write(m);
      f.movingVariance.write(v);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), activation: this.activation };
  }
}

// Models holding the layer serialise by its class name; this makes them load back.
tf.serialization.registerClass(BatchNorm);
