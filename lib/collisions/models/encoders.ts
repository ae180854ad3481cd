/**
 * The two encoders of the metric-learning model (the source report's Fig. 7) and the video
 * classifier:
 *
 *   audio encoder       f: spectrogram [F, T, 4] → ResNet trunk, frequency pooling → Linear → ℝᵈ
 *   trajectory encoder  g: trajectory [frames × 4] flattened → Linear → BN → ReLU → Linear → BN →
 *                          ReLU → Linear → ℝᵈ   (the report's centroid track + MLP)
 *   video classifier    appearance features → Linear → BN → ReLU → Linear → class logits
 *
 * f and g are trained jointly with the contrastive loss on D = ‖f(a) − g(v)‖₂, so that an impact's
 * sound and its own trajectory end up close. Every layer is seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../nn/layers';
import { buildResNet, ResNet, ResNetOptions } from './resnet';
import { InputError } from '../../util/errors';

/** Sizes of the matching encoders. */
export interface EncoderOptions {
  /** Embedding dimension d (default 32). */
  embedDim: number;
  /** Audio encoder trunk: ResNet options other than classes, pooling and seed. */
  audio: Omit<ResNetOptions, 'classes' | 'pooling' | 'seed'>;
  /** Trajectory frames × 4 inputs (must match the features). */
  trajectoryFrames: number;
  /** Hidden widths of the trajectory MLP (default [128, 64]). */
  trajectoryHidden: number[];
  seed: number;
}

/** The audio encoder: a ResNet whose head outputs the embedding. */
export function buildAudioEncoder(o: EncoderOptions): ResNet {
  return buildResNet({ ...o.audio, classes: o.embedDim, pooling: 'frequency', seed: o.seed }, 'audioenc_');
}

/** An MLP: Linear → BN → ReLU per hidden width, then Linear(out). */
function mlp(prefix: string, inDim: number, hidden: number[], out: number, seed: number): tf.LayersModel {
  if (!Number.isInteger(inDim) || inDim < 1 || hidden.some((h) => !Number.isInteger(h) || h < 1) || !Number.isInteger(out) || out < 1) {
    throw new InputError(prefix, `MLP sizes must be positive integers (in ${inDim}, hidden ${hidden.join(',')}, out ${out})`);
  }
  const f = new LayerFactory(seed, prefix);
  const input = tf.input({ shape: [inDim], name: `${prefix}input` });
  let h: tf.SymbolicTensor = input;
  let width = inDim;
  for (const units of hidden) {
    h = f.chain(h, [f.linear(units, width), f.batchNormRelu()]);
    width = units;
  }
  const output = f.linear(out, width).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: `${prefix}net` });
}

/** The trajectory encoder g: flattened `[frames × 4]` track → ℝᵈ. */
export function buildTrajectoryEncoder(o: EncoderOptions): tf.LayersModel {
  return mlp('trajenc_', o.trajectoryFrames * 4, o.trajectoryHidden, o.embedDim, o.seed + 1);
}

/** The video classifier: appearance features → class logits. */
export function buildVideoClassifier(inDim: number, classes: number, seed: number, hidden = 32): tf.LayersModel {
  return mlp('videocls_', inDim, [hidden], classes, seed);
}
