/**
 * Cross-entropy of integer class labels under logits, averaged over the batch (PyTorch's
 * `nn.CrossEntropyLoss()`):
 *
 *   L = −(1/N) Σᵢ log softmax(zᵢ)[yᵢ],   log softmax(z)[c] = z_c − log Σ_k exp(z_k)
 *
 * computed through `logSoftmax` (max-shifted), so large logits do not overflow. On WebGPU it is one
 * fused kernel each way (lib/backend/webgpu/crossEntropy.ts), the same formula.
 */
import * as tf from '@tensorflow/tfjs';
import { CROSS_ENTROPY_KERNEL, webgpuCrossEntropyActive } from '../backend/webgpu/crossEntropy';

/** Mean cross-entropy of integer labels `[N]` under logits `[N, C]`. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (webgpuCrossEntropyActive() && labels.dtype === 'int32') {
    const [loss, probs] = tf.engine().runKernel(CROSS_ENTROPY_KERNEL, { logits, labels }, {}) as tf.Tensor[];
    probs.dispose(); // the tape keeps its own reference for the gradient
    return loss as tf.Scalar;
  }
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
