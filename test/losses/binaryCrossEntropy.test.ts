import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { binaryCrossEntropy } from '../../lib/losses/binaryCrossEntropy';
import { testBackend } from '../helpers/backend';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('binary cross-entropy (multi-label)', () => {
  before(testBackend);

  it('equals −mean[y log σ(z) + (1 − y) log(1 − σ(z))] (hand-computed)', () => {
    // z = 0: log 2 whatever y; z = 2, y = 1: log(1 + e⁻²) = 0.126928; z = −1, y = 1: log(1 + e) = 1.313262; z = 3, y = 0: 3 + log(1 + e⁻³) = 3.048587
    const z = [[0, 2], [-1, 3]];
    const y = [[1, 1], [1, 0]];
    const expected = (Math.log(2) + 0.126928 + 1.313262 + 3.048587) / 4;
    const ref = -z.flat().reduce((s, v, i) => s + (y.flat()[i] ? Math.log(sigmoid(v)) : Math.log(1 - sigmoid(v))), 0) / 4;
    assert.ok(Math.abs(ref - expected) < 1e-5);
    const got = binaryCrossEntropy(tf.tensor2d(z), tf.tensor2d(y)).dataSync()[0];
    assert.ok(Math.abs(got - expected) < 1e-5, `${got} vs ${expected}`);
    // Per-class weights multiply the columns: (w₀·(log2 + 1.313262) + w₁·(0.126928 + 3.048587)) / 4.
    const w = binaryCrossEntropy(tf.tensor2d(z), tf.tensor2d(y), tf.tensor1d([2, 0.5])).dataSync()[0];
    assert.ok(Math.abs(w - (2 * (Math.log(2) + 1.313262) + 0.5 * (0.126928 + 3.048587)) / 4) < 1e-5);
  });

  it('stays finite for large logits and its gradient is (σ(z) − y)/(NC)', () => {
    const big = binaryCrossEntropy(tf.tensor2d([[1000, -1000]]), tf.tensor2d([[0, 1]])).dataSync()[0];
    assert.ok(Math.abs(big - 1000) < 1e-3, `loss ${big}`);
    const z = tf.tensor2d([[0.3, -1.2, 2], [0, 0.7, -0.4]]);
    const y = tf.tensor2d([[1, 0, 1], [0, 1, 0.5]]);
    const g = tf.grad((x: tf.Tensor) => binaryCrossEntropy(x as tf.Tensor2D, y))(z).dataSync();
    const zv = z.dataSync();
    const yv = y.dataSync();
    zv.forEach((v, i) => assert.ok(Math.abs(g[i] - (sigmoid(v) - yv[i]) / 6) < 1e-6, `grad ${i}`));
  });

  it('rejects mismatched shapes', () => {
    assert.throws(() => binaryCrossEntropy(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 2]) as tf.Tensor2D), /same shape/);
  });
});
