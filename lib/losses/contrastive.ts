/**
 * The contrastive loss of Hadsell, Chopra & LeCun (2006), used to learn a metric in which an impact's
 * sound and its trajectory lie close together and unrelated pairs lie at least a margin apart.
 *
 * For a pair (x₁, x₂) with embeddings f(x₁), g(x₂), label Y = 1 for a matching pair (same impact) and
 * Y = 0 otherwise, and D = ‖f(x₁) − g(x₂)‖₂, the source report's eq. (1) (the paper's form, with ½):
 *
 *   L = ½ · Y · D² + ½ · (1 − Y) · max(0, m − D)²
 *
 * Matching pairs are pulled together by D²; non-matching pairs are pushed apart until D ≥ m, and
 * cost nothing beyond the margin. The report's λ-weighted variant, for unbalanced pair sets:
 *
 *   L̃ = λ · Y · D² + (1 − λ) · (1 − Y) · max(0, m − D),   λ ∈ (0, 1)
 *
 * printed there with a *linear* hinge (no square). `weightedContrastiveLoss` follows the printed
 * form by default and takes `{ squaredHinge: true }` for the squared one, with which λ = ½ gives
 * eq. (1) exactly. Both losses average over the pairs of a batch.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors';

/**
 * Default ε under the square root of `pairDistance`. The derivative of √s is 1/(2√s), infinite at
 * s = 0, and a matching pair's embeddings can coincide (and do, e.g. at initialisation with a zero
 * bias): then the gradient would be NaN. With D = √(Σ(a − b)² + ε), D ≥ √ε > 0 and the gradient
 * stays finite; the loss moves by at most ½ε per positive pair and its gradient by O(ε).
 */
export const DISTANCE_EPSILON = 1e-9;

/**
 * Row-wise Euclidean distance D_i = √(Σ_k (a_ik − b_ik)² + ε) between two `[N, dim]` batches of
 * embeddings (ε: see `DISTANCE_EPSILON`). Returns `[N]`.
 */
export function pairDistance(a: tf.Tensor2D, b: tf.Tensor2D, epsilon = DISTANCE_EPSILON): tf.Tensor1D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new InputError('pairDistance', `embeddings must be two [N, dim] tensors of the same shape, got [${a.shape}] and [${b.shape}]`);
  }
  if (!(epsilon >= 0)) throw new InputError('pairDistance', `epsilon must be ≥ 0, got ${epsilon}`);
  return tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(a, b)), 1), epsilon)) as tf.Tensor1D);
}

function checkPairs(where: string, d: tf.Tensor, y: tf.Tensor, margin: number): void {
  if (d.rank !== 1 || y.rank !== 1 || d.shape[0] !== y.shape[0]) {
    throw new InputError(where, `distances and labels must be 1-D of equal length, got [${d.shape}] and [${y.shape}]`);
  }
  if (d.shape[0] === 0) throw new InputError(where, 'needs at least one pair');
  if (!(margin > 0) || !Number.isFinite(margin)) throw new InputError(where, `margin must be a positive number, got ${margin}`);
}

/**
 * Eq. (1): mean over pairs of ½·y·d² + ½·(1 − y)·max(0, m − d)². `d` `[N]` distances, `y` `[N]`
 * labels (1 matching, 0 not; float32 or int32), `margin` m > 0. Returns a scalar.
 */
export function contrastiveLoss(d: tf.Tensor1D, y: tf.Tensor1D, margin: number): tf.Scalar {
  checkPairs('contrastiveLoss', d, y, margin);
  return tf.tidy(() => {
    const yf = tf.cast(y, 'float32');
    const pos = tf.mul(yf, tf.square(d));
    const neg = tf.mul(tf.sub(1, yf), tf.square(tf.relu(tf.sub(margin, d))));
    return tf.mul(0.5, tf.mean(tf.add(pos, neg))) as tf.Scalar;
  });
}

/** Options of `weightedContrastiveLoss`. */
export interface WeightedContrastiveOptions {
  /** Square the hinge, max(0, m − d)², as eq. (1) does (default false: the report's printed λ form). */
  squaredHinge?: boolean;
}

/**
 * The report's λ-weighted loss: mean over pairs of λ·y·d² + (1 − λ)·(1 − y)·max(0, m − d)^p with
 * p = 1 (as printed) or 2 (`squaredHinge`). λ weighs the positive term against the negative one; the
 * report used it against the imbalance of γ positive to γ² − γ negative pairs per class.
 */
export function weightedContrastiveLoss(d: tf.Tensor1D, y: tf.Tensor1D, margin: number, lambda: number, options: WeightedContrastiveOptions = {}): tf.Scalar {
  checkPairs('weightedContrastiveLoss', d, y, margin);
  if (!(lambda >= 0 && lambda <= 1)) throw new InputError('weightedContrastiveLoss', `lambda must lie in [0, 1], got ${lambda}`);
  return tf.tidy(() => {
    const yf = tf.cast(y, 'float32');
    const hinge = tf.relu(tf.sub(margin, d));
    const pos = tf.mul(lambda, tf.mul(yf, tf.square(d)));
    const neg = tf.mul(1 - lambda, tf.mul(tf.sub(1, yf), options.squaredHinge ? tf.square(hinge) : hinge));
    return tf.mean(tf.add(pos, neg)) as tf.Scalar;
  });
}

/**
 * AVTS's contrastive loss (Korbar, Tran & Torresani, 2018) on a batch of video and audio
 * embeddings `fv`, `fa` `[N, d]` with sync labels `y` `[N]` (1 in sync, 0 not) and margin η:
 *
 *   E = (1/N) Σₙ yₙ·‖f_v(vₙ) − f_a(aₙ)‖₂² + (1 − yₙ)·max(η − ‖f_v(vₙ) − f_a(aₙ)‖₂, 0)²
 *
 * i.e. eq. (1) above without its ½ (the paper's form; η = 0.99 there), on D = `pairDistance`.
 */
export function avtsContrastiveLoss(fv: tf.Tensor2D, fa: tf.Tensor2D, y: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const d = pairDistance(fv, fa);
    return tf.mul(2, contrastiveLoss(d, y, margin)) as tf.Scalar;
  });
}
