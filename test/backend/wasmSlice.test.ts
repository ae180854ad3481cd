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

/** Tiles and gathers of every rank and axis, float, int and bool, on the current backend. */
function tilesAndGathers(): number[][] {
  const tiles: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[], [], 'float32'],
    [[3], [4], 'float32'],
    [[1, 1, 1, 5], [2, 3, 4, 1], 'float32'],
    [[2, 3, 1], [1, 2, 6], 'int32'],
    [[2, 1, 3], [3, 2, 2], 'bool'],
    [[4, 2], [1, 1], 'float32'],
    [[2, 3], [0, 2], 'float32'],
  ];
  const gathers: [number[], number[], number][] = [
    [[6], [5, 0, 0, 3], 0],
    [[5, 4], [4, 1, 1], 0],
    [[3, 5, 4], [2, 0], 1],
    [[3, 5, 4], [3, 3, 1, 0, 2], 2],
    [[4, 3, 2], [], 0],
  ];
  const values = (shape: number[], dtype: string) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (dtype === 'bool' ? Number(i % 3 === 0) : i * 1.25 - 5));
  return [
    ...tiles.map(([shape, reps, dtype]) => tf.tidy(() => Array.from(tf.tile(tf.tensor(values(shape, dtype), shape, dtype), reps).dataSync() as ArrayLike<number>).map(Number))),
    ...gathers.map(([shape, idx, axis]) => tf.tidy(() => Array.from(tf.gather(tf.tensor(values(shape, 'float32'), shape), tf.tensor1d(idx, 'int32'), axis).dataSync()))),
    tf.tidy(() => Array.from(tf.gather(tf.tensor(values([3, 4], 'int32'), [3, 4], 'int32'), tf.tensor2d([2, 0, 1, 2], [2, 2], 'int32')).dataSync())),
  ];
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

  it('tiles and gathers equal the cpu backend, and so do batch norm\'s and gather\'s gradients', async () => {
    const gradients = () => tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 3, 4]);
      const scale = tf.tensor1d([0.5, 1, 1.5, 2]);
      const offset = tf.tensor1d([0.1, -0.2, 0.3, 0]);
      const bn = tf.grads((t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(t, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(t, mean, variance, b, g, 1e-3)));
      })([x, scale, offset]);
      const table = tf.tensor2d(Array.from({ length: 20 }, (_, i) => i / 3), [5, 4]);
      const gg = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([4, 1, 1, 0], 'int32')))))(table);
      return [...bn, gg].flatMap((g) => Array.from(g.dataSync()));
    });
    await initBackend('cpu', { quiet: true });
    const expected = tilesAndGathers();
    const expectedGrads = gradients();
    await initBackend('wasm', { quiet: true });
    assert.deepEqual(tilesAndGathers(), expected);
    const got = gradients();
    got.forEach((v, i) => assert.ok(Math.abs(v - expectedGrads[i]) <= 1e-5 * Math.max(1, Math.abs(expectedGrads[i])), `gradient ${i}: ${v} vs ${expectedGrads[i]}`));
    assert.throws(() => tf.gather(tf.tensor1d([1, 2, 3]), tf.tensor1d([3], 'int32')), /index 3 at position 0 is outside \[0, 2\]/);
  });

  it('sums over leading axes (and every other reduction) as the cpu backend does', async () => {
    const cases: [number[], number | number[], boolean, 'float32' | 'int32'][] = [
      [[6, 5], 0, false, 'float32'],
      [[4, 3, 5], [0, 1], false, 'float32'],
      [[4, 3, 5], [1, 0], true, 'float32'],
      [[4, 3, 5], -1, false, 'float32'],
      [[4, 3, 5], [0, 2], false, 'float32'],
      [[4, 3, 5], [0, 1, 2], false, 'float32'],
      [[7, 2], 0, false, 'int32'],
      [[0, 3], 0, false, 'float32'],
    ];
    const sums = (): [number[], number[]][] => cases.map(([shape, axis, keepDims, dtype]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i - 9 : Math.sin(i) * 3)), shape, dtype);
      const s = tf.sum(x, axis, keepDims);
      const result: [number[], number[]] = [s.shape, Array.from(s.dataSync() as ArrayLike<number>)];
      tf.dispose([x, s]);
      return result;
    });
    await initBackend('cpu', { quiet: true });
    const expected = sums();
    await initBackend('wasm', { quiet: true });
    sums().forEach(([shape, values], i) => {
      assert.deepEqual(shape, expected[i][0], `case ${i}`);
      values.forEach((v, j) => assert.ok(Math.abs(v - expected[i][1][j]) < 1e-5, `case ${i}, value ${j}: ${v} vs ${expected[i][1][j]}`));
    });
  });
});
