import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { contrastiveLoss, DISTANCE_EPSILON, pairDistance, weightedContrastiveLoss } from '../../lib/losses/contrastive';
import { InputError } from '../../lib/util/errors';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

/** The losses in float64 plain JavaScript, written from the equations, for the gradient check. */
function reference(a: number[][], b: number[][], y: number[], margin: number, form: 'eq1' | 'weighted-linear', lambda = 0.5): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const d = Math.sqrt(a[i].reduce((s, ak, k) => s + (ak - b[i][k]) ** 2, 0) + DISTANCE_EPSILON);
    const hinge = Math.max(0, margin - d);
    total += form === 'eq1' ? 0.5 * y[i] * d * d + 0.5 * (1 - y[i]) * hinge * hinge : lambda * y[i] * d * d + (1 - lambda) * (1 - y[i]) * hinge;
  }
  return total / y.length;
}

describe('contrastive loss', () => {
  before(testBackend);

  it('equals hand-computed values (eq. 1 with the ½ factors)', () => {
    // d = [0.5, 2, 0.25, 1.5], y = [1, 1, 0, 0], m = 1:
    // positives ½·0.25 = 0.125 and ½·4 = 2; negatives ½·(0.75)² = 0.28125 and 0 (beyond the margin).
    const d = tf.tensor1d([0.5, 2, 0.25, 1.5]);
    const y = tf.tensor1d([1, 1, 0, 0]);
    assert.ok(Math.abs(value(contrastiveLoss(d, y, 1)) - (0.125 + 2 + 0.28125 + 0) / 4) < 1e-7);
    // Integer labels work the same.
    assert.ok(Math.abs(value(contrastiveLoss(d, tf.tensor1d([1, 1, 0, 0], 'int32'), 1)) - 0.6015625) < 1e-7);
    // m = 2: the last negative now costs ½·0.25.
    assert.ok(Math.abs(value(contrastiveLoss(d, y, 2)) - (0.125 + 2 + 0.5 * 1.75 ** 2 + 0.125) / 4) < 1e-6);
  });

  it('weighted form: hand-computed values with the printed linear hinge and with the squared one', () => {
    const d = tf.tensor1d([0.5, 2, 0.25, 1.5]);
    const y = tf.tensor1d([1, 1, 0, 0]);
    // λ = 0.8: positives 0.8·0.25 = 0.2 and 0.8·4 = 3.2; negatives 0.2·0.75 = 0.15 and 0.
    assert.ok(Math.abs(value(weightedContrastiveLoss(d, y, 1, 0.8)) - (0.2 + 3.2 + 0.15) / 4) < 1e-6);
    // Squared hinge: 0.2·0.5625 = 0.1125.
    assert.ok(Math.abs(value(weightedContrastiveLoss(d, y, 1, 0.8, { squaredHinge: true })) - (0.2 + 3.2 + 0.1125) / 4) < 1e-6);
    // λ = ½ with the squared hinge is eq. (1).
    assert.ok(Math.abs(value(weightedContrastiveLoss(d, y, 1, 0.5, { squaredHinge: true })) - value(contrastiveLoss(d, y, 1))) < 1e-7);
    // λ = 1 ignores negatives, λ = 0 ignores positives.
    assert.ok(Math.abs(value(weightedContrastiveLoss(d, y, 1, 1)) - (0.25 + 4) / 4) < 1e-6);
    assert.ok(Math.abs(value(weightedContrastiveLoss(d, y, 1, 0)) - 0.75 / 4) < 1e-6);
  });

  it('pairDistance is the Euclidean row distance with ε under the root, finite gradient at zero distance', () => {
    const a = tf.tensor2d([[0, 0], [1, 2]]);
    const b = tf.tensor2d([[3, 4], [1, 2]]);
    const d = pairDistance(a, b).dataSync();
    assert.ok(Math.abs(d[0] - 5) < 1e-6);
    assert.ok(Math.abs(d[1] - Math.sqrt(DISTANCE_EPSILON)) < 1e-9);
    const g = tf.grad((x: tf.Tensor) => tf.sum(pairDistance(x as tf.Tensor2D, b)))(a).dataSync();
    assert.ok(Array.from(g).every(Number.isFinite), `gradient ${g}`);
    // Without ε the gradient at coinciding points is NaN: the reason for ε.
    const g0 = tf.grad((x: tf.Tensor) => tf.sum(pairDistance(x as tf.Tensor2D, b, 0)))(a).dataSync();
    assert.ok(Array.from(g0).some(Number.isNaN));
  });

  for (const form of ['eq1', 'weighted-linear'] as const) {
    it(`${form}: autodiff gradients w.r.t. both embeddings match float64 central differences`, () => {
      const rng = new Rng(form.length);
      const n = 8;
      const dim = 5;
      const margin = 2;
      const a = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.normal(0, 0.7)));
      const b = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.normal(0, 0.7)));
      const y = [1, 0, 1, 0, 0, 1, 0, 1];
      const loss = (ta: tf.Tensor, tb: tf.Tensor) => {
        const d = pairDistance(ta as tf.Tensor2D, tb as tf.Tensor2D);
        const yt = tf.tensor1d(y);
        return form === 'eq1' ? contrastiveLoss(d, yt, margin) : weightedContrastiveLoss(d, yt, margin, 0.3);
      };
      const ta = tf.tensor2d(a);
      const tb = tf.tensor2d(b);
      // The value agrees with the float64 reference.
      const ref = reference(a, b, y, margin, form, 0.3);
      assert.ok(Math.abs(value(loss(ta, tb)) - ref) < 1e-5 * Math.max(1, ref));
      // No pair sits at the hinge's kink, where the derivative is undefined.
      const [ga, gb] = tf.grads(loss)([ta, tb]).map((g) => g.arraySync() as number[][]);
      const h = 1e-6;
      for (const [side, emb, grad] of [['a', a, ga], ['b', b, gb]] as const) {
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < dim; k++) {
            const orig = emb[i][k];
            emb[i][k] = orig + h;
            const up = reference(a, b, y, margin, form, 0.3);
            emb[i][k] = orig - h;
            const down = reference(a, b, y, margin, form, 0.3);
            emb[i][k] = orig;
            const numeric = (up - down) / (2 * h);
            assert.ok(Math.abs(numeric - grad[i][k]) < 1e-4 + 1e-3 * Math.abs(numeric), `${form} ∂L/∂${side}[${i}][${k}]: autodiff ${grad[i][k]} vs numeric ${numeric}`);
          }
        }
      }
      // The float32 loss itself, differenced with a coarser step, agrees too.
      const i = 2;
      const k = 1;
      const bump = (delta: number) => {
        const copy = a.map((r) => r.slice());
        copy[i][k] += delta;
        return value(tf.tidy(() => loss(tf.tensor2d(copy), tb)));
      };
      const numeric32 = (bump(1e-2) - bump(-1e-2)) / 2e-2;
      assert.ok(Math.abs(numeric32 - ga[i][k]) < 2e-3 + 2e-2 * Math.abs(numeric32), `float32: ${numeric32} vs ${ga[i][k]}`);
    });
  }

  it('rejects mismatched shapes, empty batches, bad margins and bad λ', () => {
    const d = tf.tensor1d([1, 2]);
    assert.throws(() => contrastiveLoss(d, tf.tensor1d([1]), 1), InputError);
    assert.throws(() => contrastiveLoss(tf.tensor1d([]), tf.tensor1d([]), 1), /at least one pair/);
    assert.throws(() => contrastiveLoss(d, tf.tensor1d([1, 0]), 0), /margin/);
    assert.throws(() => weightedContrastiveLoss(d, tf.tensor1d([1, 0]), 1, 1.5), /lambda/);
    assert.throws(() => pairDistance(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D), InputError);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const d = tf.tensor1d([0.5, 2]);
    const y = tf.tensor1d([1, 0]);
    value(contrastiveLoss(d, y, 1));
    value(weightedContrastiveLoss(d, y, 1, 0.4));
    tf.dispose([d, y]);
    assert.equal(tf.memory().numTensors, before);
  });
});
