/**
 * Binary cross-entropy for multi-label targets (PyTorch's `nn.BCEWithLogitsLoss()`): every class is
 * its own yes/no question, so a clip may carry several labels at once. For logits z and targets
 * y ∈ [0, 1], averaged over all N × C entries:
 *
 *   L = −(1/NC) Σ_{n,c} [ y log σ(z) + (1 − y) log(1 − σ(z)) ]
 *     =  (1/NC) Σ_{n,c} [ max(z, 0) − z·y + log(1 + e^{−|z|}) ]
 *
 * The second form is the same number without overflow: e^{−|z|} ≤ 1 whatever z is. Its gradient
 * is (σ(z) − y)/(NC). Optional per-class `weights` (length C) multiply each column's terms, as
 * `pos_weight`-free `weight=` does in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors';

/** Mean binary cross-entropy of targets `[N, C]` (0/1 or soft) under logits `[N, C]`. */
export function binaryCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, weights?: tf.Tensor1D): tf.Scalar {
  if (logits.rank !== 2 || targets.rank !== 2 || logits.shape[0] !== targets.shape[0] || logits.shape[1] !== targets.shape[1]) {
    throw new InputError('binaryCrossEntropy', `logits and targets must be [N, C] of the same shape, got [${logits.shape}] and [${targets.shape}]`);
  }
  if (weights && (weights.rank !== 1 || weights.shape[0] !== logits.shape[1])) throw new InputError('binaryCrossEntropy', `weights must be [C] = [${logits.shape[1]}], got [${weights.shape}]`);
  return tf.tidy(() => {
    const y = tf.cast(targets, 'float32');
    const terms = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(weights ? tf.mul(terms, weights) : terms) as tf.Scalar;
  });
}
