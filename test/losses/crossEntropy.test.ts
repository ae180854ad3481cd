import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../../lib/losses/crossEntropy';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

/** The loss in float64 plain JavaScript, from the equation: −(1/N) Σᵢ (z_{i,yᵢ} − log Σ_k exp z_{i,k}). */
function reference(z: number[][], y: number[]): number {
  return -z.reduce((s, row, i) => s + row[y[i]] - Math.log(row.reduce((t, v) => t + Math.exp(v), 0)), 0) / z.length;
}

describe('cross-entropy', () => {
  before(testBackend);

  it('equals −mean log softmax of the true class (hand-computed)', () => {
    const logits = tf.tensor2d([[2, 0, 0], [0, 0, 0]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    // row 1: −log(e²/(e²+2)) = 0.2395447; row 2: −log(1/3) = 1.0986123; mean 0.6690785
    const expected = (-Math.log(Math.exp(2) / (Math.exp(2) + 2)) + Math.log(3)) / 2;
    assert.ok(Math.abs(expected - 0.6690785) < 1e-6);
    assert.ok(Math.abs(crossEntropy(logits, labels).dataSync()[0] - expected) < 1e-6);
  });

  it('stays finite for large logits (log-softmax is max-shifted)', () => {
    const v = crossEntropy(tf.tensor2d([[1000, 0], [0, 1000]]), tf.tensor1d([0, 0], 'int32')).dataSync()[0];
    assert.ok(Math.abs(v - 500) < 1e-3, `loss ${v}`);
  });

  it('has the gradient of finite differences: ∂L/∂z = (softmax(z) − onehot(y)) / N', () => {
    const rng = new Rng(3);
    const z = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => rng.normal()));
    const y = [0, 3, 4, 1];
    const labels = tf.tensor1d(y, 'int32');
    const g = tf.grad((t: tf.Tensor) => crossEntropy(t as tf.Tensor2D, labels))(tf.tensor2d(z)).arraySync() as number[][];
    const eps = 1e-4;
    for (let i = 0; i < z.length; i++) {
      for (let k = 0; k < z[i].length; k++) {
        const at = (d: number) => reference(z.map((row, r) => row.map((v, c) => (r === i && c === k ? v + d : v))), y);
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        assert.ok(Math.abs(numeric - g[i][k]) < 1e-5, `∂L/∂z[${i}][${k}]: analytic ${g[i][k]} vs numeric ${numeric}`);
      }
    }
    // and the closed form
    const sum = z.map((row) => row.reduce((t, v) => t + Math.exp(v), 0));
    z.forEach((row, i) => row.forEach((v, k) => assert.ok(Math.abs(g[i][k] - (Math.exp(v) / sum[i] - (k === y[i] ? 1 : 0)) / z.length) < 1e-6)));
  });
});
