/**
 * Weighted fusion of per-modality classifiers: the hybrid fusion of the course report (report A,
 * §3.5) and the learnable weighted late fusion (report B, §3.3).
 *
 *   hybrid         e_a = f_a(x_a), e_v = f_v(x_v), e_f = [e_a; e_v] (early fusion of the embeddings),
 *                  z_k = g_k(e_k) for k ∈ {f, a, v}, and the output is the log of the weighted average
 *                  of the three heads' probabilities: log Σ_k w_k softmax(z_k), Σ_k w_k = 1.
 *   weighted-late  z_a = g_a(f_a(x_a)), z_v = g_v(f_v(x_v)) and one of
 *                    scalar         z = z_a + w·z_v              (w learnable, starts at 1)
 *                    class          z = z_a + w ⊙ z_v, w ∈ R^C   (starts at 1)
 *                    softmax        z = α_a z_a + α_v z_v, [α_a, α_v] = softmax([s_a, s_v])
 *                    softmax-class  the same with one pair (s_a, s_v) per class
 *
 * Hybrid averages probabilities (its heads are trained through the mixture, as late-average's are);
 * weighted-late mixes logits, as report B describes ("multiply one modality with a weight before
 * adding it to the other"). The weights are ordinary trainable variables, so the trainer's weight
 * decay applies to them too (towards w = 0, or towards equal α for the softmax variants).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../nn/layers';

/** How `weighted-late` weighs the video classifier's logits against the audio classifier's. */
export const LATE_WEIGHTINGS = ['scalar', 'class', 'softmax', 'softmax-class'] as const;
/** One of `LATE_WEIGHTINGS`. */
export type LateWeighting = (typeof LATE_WEIGHTINGS)[number];

/** Options of the weighted fusion models (part of `SceneModelOptions`). */
export interface FusionModelOptions {
  /**
   * Hybrid: weights of the fused, audio and video heads, in that order; normalised to sum to 1.
   * Default [1/3, 1/3, 1/3]: the report weighs the three predictions without giving values.
   */
  hybridWeights?: number[];
  /** Hybrid: learn the weights as softmax(s), s starting at log(hybridWeights). Default false. */
  learnHybridWeights?: boolean;
  /** Weighted late fusion variant; default `scalar`, the report's single learnable weight. */
  lateWeighting?: LateWeighting;
}

/** Checks hybrid weights and scales them to sum to 1, so the output stays a log-probability. */
export function normaliseHybridWeights(weights: number[]): number[] {
  if (weights.length !== 3 || !weights.every((w) => Number.isFinite(w) && w >= 0)) {
    throw new Error(`hybridWeights must be three finite non-negative numbers (fused, audio, video), got ${JSON.stringify(weights)}`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('hybridWeights must not all be zero');
  return weights.map((w) => w / total);
}

/**
 * log Σ_k w_k softmax(z_k) from the heads' logits and log w (a 1-D tensor; −∞ for a zero weight),
 * computed as logsumexp_k(log w_k + log softmax(z_k)) so that no probability underflows, and so
 * that a weight of 1 returns that head's log-softmax exactly.
 */
export function logWeightedMeanSoftmax(logits: tf.Tensor[], logWeights: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const l = tf.stack(logits.map((z) => tf.logSoftmax(z)), 0);
    const lw = tf.reshape(logWeights, [logits.length, ...logits[0].shape.map(() => 1)]);
    return tf.logSumExp(tf.add(l, lw), 0);
  });
}

/** Constructor arguments of `HybridFusion`. */
export interface HybridFusionArgs {
  /** Initial (or fixed) weights of the fused, audio and video heads. */
  mixture: number[];
  /** Learn the weights (softmax-normalised) instead of keeping them fixed. */
  learn: boolean;
  name?: string;
}

/**
 * Combines the three hybrid heads' logits [z_f, z_a, z_v] into log Σ_k w_k softmax(z_k). Learned
 * weights are w = softmax(s), which keeps them positive and summing to 1 without constraints.
 */
export class HybridFusion extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'HybridFusion';
  /** Normalised initial (or fixed) weights. */
  readonly initial: number[];
  /** Whether the weights are trainable. */
  readonly learn: boolean;
  private logits: tf.LayerVariable | null = null;

  constructor(args: HybridFusionArgs) {
    super({ name: args.name });
    this.initial = normaliseHybridWeights(args.mixture);
    this.learn = args.learn;
    if (this.learn && this.initial.some((w) => w === 0)) {
      throw new Error('learned hybridWeights must start positive: softmax cannot reach a zero weight');
    }
  }

  override build(): void {
    if (this.learn) {
      this.logits = this.addWeight('logits', [3], 'float32', tf.initializers.zeros());
      const start = tf.tensor1d(this.initial.map(Math.log));
      this.logits.write(start);
      start.dispose();
    }
    this.built = true;
  }

  /** log w as a tensor (−∞ for a fixed zero weight, which drops that head exactly). */
  private logMixture(): tf.Tensor1D {
    return this.logits ? (tf.logSoftmax(this.logits.read()) as tf.Tensor1D) : tf.tensor1d(this.initial.map(Math.log));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => logWeightedMeanSoftmax(inputs as tf.Tensor[], this.logMixture()));
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return (shape as tf.Shape[])[0];
  }

  /** The current weights of the fused, audio and video heads. */
  currentWeights(): Record<string, number[]> {
    const w = this.logits ? tf.tidy(() => Array.from(tf.softmax(this.logits!.read()).dataSync())) : this.initial.slice();
    return { fused: [w[0]], audio: [w[1]], video: [w[2]] };
  }
}

/** Constructor arguments of `WeightedLateFusion`. */
export interface WeightedLateFusionArgs {
  weighting: LateWeighting;
  name?: string;
}

/** Mixes the audio and video classifiers' logits [z_a, z_v] with learnable weights (see the module comment). */
export class WeightedLateFusion extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'WeightedLateFusion';
  /** The variant. */
  readonly weighting: LateWeighting;
  private w: tf.LayerVariable | null = null;

  constructor(args: WeightedLateFusionArgs) {
    super({ name: args.name });
    if (!LATE_WEIGHTINGS.includes(args.weighting)) {
      throw new Error(`unknown lateWeighting "${String(args.weighting)}"; expected one of ${LATE_WEIGHTINGS.join(', ')}`);
    }
    this.weighting = args.weighting;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const classes = (inputShape as tf.Shape[])[0][1] as number;
    switch (this.weighting) {
      case 'scalar':
        this.w = this.addWeight('w', [1], 'float32', tf.initializers.ones());
        break;
      case 'class':
        this.w = this.addWeight('w', [classes], 'float32', tf.initializers.ones());
        break;
      // s = 0 starts both modalities at α = ½. The per-class logits are stored [C, 2] so the
      // softmax runs over the last axis.
      case 'softmax':
        this.w = this.addWeight('s', [2], 'float32', tf.initializers.zeros());
        break;
      case 'softmax-class':
        this.w = this.addWeight('s', [classes, 2], 'float32', tf.initializers.zeros());
        break;
    }
    this.built = true;
  }

  /** (α_a, α_v), broadcastable against [N, C] logits. */
  private coefficients(): { audio: tf.Tensor | null; video: tf.Tensor } {
    const w = this.w!.read();
    if (this.weighting === 'scalar' || this.weighting === 'class') return { audio: null, video: w };
    const alpha = tf.softmax(w);
    const [a, v] = tf.split(alpha, 2, -1);
    return this.weighting === 'softmax' ? { audio: a, video: v } : { audio: tf.reshape(a, [-1]), video: tf.reshape(v, [-1]) };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [za, zv] = inputs as tf.Tensor[];
      const { audio, video } = this.coefficients();
      return tf.add(audio ? tf.mul(audio, za) : za, tf.mul(video, zv));
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return (shape as tf.Shape[])[0];
  }

  /** The current weights: `audio` (1 for the unnormalised variants) and `video`, per class where the variant has one per class. */
  currentWeights(): Record<string, number[]> {
    return tf.tidy(() => {
      const { audio, video } = this.coefficients();
      const v = Array.from(video.dataSync());
      return { audio: audio ? Array.from(audio.dataSync()) : v.map(() => 1), video: v };
    });
  }
}

/** What the fusion builders need from `SceneModelOptions`. */
export interface FusionBuildOptions extends FusionModelOptions {
  dim: number;
  classes: number;
  hidden: number;
  embed: number;
  dropout: number;
}

/**
 * The hybrid model's output (log-probabilities) for audio and video inputs `[batch, dim]`: the
 * course embedding per modality, the three course heads, and a `HybridFusion` named `<kind>/fusion`.
 */
export function hybridOutput(f: LayerFactory, xa: tf.SymbolicTensor, xv: tf.SymbolicTensor, o: FusionBuildOptions, kind = 'hybrid'): tf.SymbolicTensor {
  const ea = f.embedding(xa, o.dim, o.hidden, o.embed, o.dropout);
  const ev = f.embedding(xv, o.dim, o.hidden, o.embed, o.dropout);
  const ef = tf.layers.concatenate({ name: `${kind}/concat` }).apply([ea, ev]) as tf.SymbolicTensor;
  const zf = f.head(ef, 2 * o.embed, o.classes);
  const za = f.head(ea, o.embed, o.classes);
  const zv = f.head(ev, o.embed, o.classes);
  const fusion = new HybridFusion({ mixture: o.hybridWeights ?? [1 / 3, 1 / 3, 1 / 3], learn: o.learnHybridWeights ?? false, name: `${kind}/fusion` });
  return fusion.apply([zf, za, zv]) as tf.SymbolicTensor;
}

/**
 * The weighted late-fusion model's output (logits): the two unimodal course classifiers of
 * late-linear and a `WeightedLateFusion` named `<kind>/fusion`. The registry reads a model's weights
 * through the layer's `currentWeights()` (see `fusionWeights` in registry.ts).
 */
export function weightedLateOutput(f: LayerFactory, xa: tf.SymbolicTensor, xv: tf.SymbolicTensor, o: FusionBuildOptions, kind = 'weighted-late'): tf.SymbolicTensor {
  const za = f.head(f.embedding(xa, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);
  const zv = f.head(f.embedding(xv, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);
  const fusion = new WeightedLateFusion({ weighting: o.lateWeighting ?? 'scalar', name: `${kind}/fusion` });
  return fusion.apply([za, zv]) as tf.SymbolicTensor;
}
