import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { avtsContrastiveLoss, DISTANCE_EPSILON } from '../../lib/losses/contrastive';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

/** E written from the paper's equation in float64. */
function reference(fv: number[][], fa: number[][], y: number[], eta: number): number {
  let total = 0;
  for (let n = 0; n < y.length; n++) {
    const d = Math.sqrt(fv[n].reduce((s, v, k) => s + (v - fa[n][k]) ** 2, 0) + DISTANCE_EPSILON);
    total += y[n] * d * d + (1 - y[n]) * Math.max(eta - d, 0) ** 2;
  }
  return total / y.length;
}

describe('AVTS contrastive loss', () => {
  before(testBackend);

  it('equals hand-computed values', () => {
    // Pairs with distances 0.5 (in sync), 2 (in sync), 0.25 (out of sync), 1.5 (out of sync), η = 1:
    // E = (0.25 + 4 + 0.75² + 0) / 4 = 1.203125.
    const fv = tf.tensor2d([[0.5, 0], [0, 2], [0.25, 0], [0, 0]]);
    const fa = tf.tensor2d([[0, 0], [0, 0], [0, 0], [1.5, 0]]);
    const y = tf.tensor1d([1, 1, 0, 0], 'int32');
    const e = avtsContrastiveLoss(fv, fa, y, 1);
    assert.ok(Math.abs(e.dataSync()[0] - 1.203125) < 1e-6, `${e.dataSync()[0]}`);
    // η = 0.99 (the paper's): the last negative stays beyond the margin, the third costs 0.74².
    const e2 = avtsContrastiveLoss(fv, fa, y, 0.99);
    assert.ok(Math.abs(e2.dataSync()[0] - (0.25 + 4 + 0.74 ** 2) / 4) < 1e-6);
    tf.dispose([fv, fa, y, e, e2]);
  });

  it('has the gradient of the equation (central finite differences in float64)', () => {
    const rng = new Rng(11);
    const N = 6;
    const d = 3;
    const fv = Array.from({ length: N }, () => Array.from({ length: d }, () => rng.normal(0, 0.5)));
    const fa = Array.from({ length: N }, () => Array.from({ length: d }, () => rng.normal(0, 0.5)));
    const y = [1, 0, 1, 0, 0, 1];
    const eta = 1.2;
    const tv = tf.tensor2d(fv);
    const ta = tf.tensor2d(fa);
    const ty = tf.tensor1d(y, 'int32');
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => avtsContrastiveLoss(a as tf.Tensor2D, b as tf.Tensor2D, ty, eta))([tv, ta]);
    const [gv, ga] = g.map((t) => t.arraySync() as number[][]);
    const h = 1e-6;
    for (let n = 0; n < N; n++)
      for (let k = 0; k < d; k++) {
        for (const [which, grad] of [[fv, gv], [fa, ga]] as const) {
          const plus = which.map((r) => r.slice());
          const minus = which.map((r) => r.slice());
          plus[n][k] += h;
          minus[n][k] -= h;
          const num = which === fv ? (reference(plus, fa, y, eta) - reference(minus, fa, y, eta)) / (2 * h) : (reference(fv, plus, y, eta) - reference(fv, minus, y, eta)) / (2 * h);
          assert.ok(Math.abs(num - grad[n][k]) < 1e-4, `d/d${which === fv ? 'fv' : 'fa'}[${n},${k}]: numeric ${num}, autodiff ${grad[n][k]}`);
        }
      }
    tf.dispose([tv, ta, ty, ...g]);
  });
});
