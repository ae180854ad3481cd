/**
 * MIL pooling: how instance scores become clip scores (Parekh et al., 2018, after WSDDN, Bilen &
 * Vedaldi 2016). For one modality with instances i = 1 … I and classes c = 1 … C, two linear
 * streams on each instance's embedding give
 *
 *   classification  z_ic  (no softmax: an instance may belong to several classes)
 *   localisation    α_ic = exp(l_ic) / Σ_j exp(l_jc)   (softmax over the instances, per class)
 *
 * and the clip score is their element-wise product summed over instances,
 *
 *   s_c = Σ_i α_ic · z_ic ,
 *
 * a per-class attention: α says *which* instances carry class c, z says *how much* of c they show.
 * Clip scores are ℓ2-normalised over classes, ŝ = s / ‖s‖₂, and the two modalities' normalised
 * scores are added: y = ŝ_audio + ŝ_visual.
 *
 * The one-stream baseline has the classification stream only and pools with log-sum-exp, a smooth
 * maximum between the mean (r → 0) and the max (r → ∞):
 *
 *   s_c = (1/r) · log( (1/I) Σ_i exp(r · z_ic) ).
 */
import * as tf from '@tensorflow/tfjs';

/** α: softmax of the localisation scores `[B, I, C]` over the instance axis (each column sums to 1). */
export function localisationWeights(loc: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.softmax(tf.transpose(loc, [0, 2, 1])).transpose([0, 2, 1]) as tf.Tensor3D);
}

/** Two-stream pooling: s_c = Σ_i softmax_i(loc)_ic · cls_ic, for `[B, I, C]` streams → `[B, C]`. */
export function twoStreamPool(cls: tf.Tensor3D, loc: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.sum(tf.mul(localisationWeights(loc), cls), 1) as tf.Tensor2D);
}

/** Log-sum-exp pooling over instances: (1/r) log((1/I) Σ_i exp(r z_ic)), `[B, I, C]` → `[B, C]`. */
export function logSumExpPool(z: tf.Tensor3D, r = 5): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.sub(tf.logSumExp(tf.mul(z, r), 1), Math.log(z.shape[1])), r) as tf.Tensor2D);
}

/** ŝ = s / √(Σ_c s_c² + ε): each clip's score vector scaled to unit length. */
export function l2Normalise(s: tf.Tensor2D, epsilon = 1e-8): tf.Tensor2D {
  return tf.tidy(() => tf.div(s, tf.sqrt(tf.add(tf.sum(tf.square(s), 1, true), epsilon))) as tf.Tensor2D);
}
