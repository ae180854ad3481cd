import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';

/** Slices of every rank, contiguous and strided, float and int, on the current backend. */
function slices(): number[][] {
  const cases: [number[], number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[10], [3], [4], 'float32'],
    [[4, 6], [1, 0], [2, 6], 'float32'],
    [[4, 6], [1, 2], [3, 3], 'float32'],
    [[3, 4, 5], [0, 1, 2], [3, 2, 3], 'int32'],
    [[2, 3, 4, 5], [1, 0, 1, 1], [1, 3, 2, 4], 'float32'],
    [[5, 8], [0, 6], [5, 2], 'bool'],
    [[5, 8], [2, 0], [0, 8], 'float32'],
  ];
  return cases.map(([shape, begin, size, dtype]) =>
    tf.tidy(() => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? Number(i % 3 === 0) : i * 1.5 - 7));
      const x = tf.tensor(values, shape, dtype);
      return Array.from(tf.slice(x, begin, size).dataSync() as ArrayLike<number>).map(Number);
    }),
  );
}

describe('zero-copy wasm Slice', () => {
  after(() => initBackend('cpu', { quiet: true }));
  it('equals the cpu backend, including splits and unstacks, and their gradients', async () => {
    await initBackend('cpu', { quiet: true });
    const expected = slices();
    const grads = () => tf.tidy(() => {
      const x = tf.tensor2d(Array.from({ length: 24 }, (_, i) => i / 7), [4, 6]);
      const g = tf.grad((t: tf.Tensor) => tf.mul(tf.sum(tf.square(tf.split(t, 3, 1)[1])), tf.sum(tf.unstack(t, 0)[2])))(x);
      return [...Array.from(tf.split(x, [2, 4], 1)[1].dataSync()), ...Array.from(g.dataSync())];
    });
    const expectedGrads = grads();
    await initBackend('wasm', { quiet: true });
    assert.deepEqual(slices(), expected);
    assert.deepEqual(grads(), expectedGrads);
  });
});
