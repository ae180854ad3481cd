import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { columnSumLayout } from '../../lib/backend/webgpu/columnSum';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';
import { Rng } from '../../lib/util/rng';
import { normalValues, onBackend } from '../helpers/compare';

/** Σ|x| over what each output element sums (on the cpu backend): the scale of float32's summation-order error. */
function absSums(values: Float32Array, shape: number[], axes: number | number[]): Float32Array {
  return tf.tidy(() => tf.sum(tf.abs(tf.tensor(values, shape)), axes).dataSync() as Float32Array);
}

/**
 * tf.sum over `axes` on webgpu equals the cpu backend's within 1e-5 of Σ|x| per element (float32
 * sums in another order), and has the cpu backend's shape.
 */
async function assertSumLikeCpu(shape: number[], axes: number | number[], keepDims = false, scale = 1, shift = 0): Promise<void> {
  const values = normalValues(new Rng(shape.reduce((a, b) => a * b + 1, 7)), shape, scale, shift);
  const shapes: number[][] = [];
  const f = () => {
    const y = tf.tidy(() => tf.sum(tf.tensor(values, shape), axes, keepDims));
    shapes.push(y.shape);
    return [y];
  };
  const [gpu] = await onBackend('webgpu', f);
  const [cpu] = await onBackend('cpu', f);
  const bound = absSums(values, shape, axes);
  assert.deepEqual(shapes[0], shapes[1]);
  assert.equal(gpu.length, cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const err = Math.abs(gpu[i] - cpu[i]);
    assert.ok(err <= 1e-5 * bound[i] + 1e-30, `[${i}]: webgpu ${gpu[i]}, cpu ${cpu[i]}, Σ|x| ${bound[i]}`);
  }
}

describe('WebGPU column sums (Sum over leading axes)', () => {
  beforeEach(async () => {
    await initBackend('webgpu', { quiet: true });
    installGpuCounters();
  });

  const cases: [number[], number | number[], boolean?][] = [
    [[64, 512], 0],
    [[7, 3, 5], [0, 1]],
    [[7, 3, 5], [1, 0], true],
    [[64, 10], 0, true],
    [[1, 64, 128], [0, 1]],
    [[1, 1], 0],
    [[1, 6], 0],
    [[300, 100], 0], // a partial last tile of columns
    [[20000, 3], 0], // tall and thin: split over row chunks
    [[3, 5000], 0], // wide: many tiles
    [[2, 3, 4, 5], [0, 1, 2]],
  ];
  for (const [shape, axes, keepDims] of cases) {
    it(`sums [${shape}] over axes ${axes}${keepDims ? ' (keepDims)' : ''} as the cpu backend`, async () => {
      await assertSumLikeCpu(shape, axes, keepDims);
    });
  }

  it('sums values of one sign and large magnitude as the cpu backend', async () => {
    await assertSumLikeCpu([5000, 7], 0, false, 1, 1000);
  });

  // tfjs's kernel: not leading, all axes, negative axes naming trailing ones, empty tensors.
  for (const [shape, axes] of [[[7, 3, 5], 1], [[7, 3, 5], [0, 2]], [[7, 3, 5], -1], [[7, 3, 5], [0, 1, 2]], [[64, 8], [1, 0]], [[5, 0], 0]] as [number[], number | number[]][]) {
    it(`leaves [${shape}] over axes ${axes} to tfjs, with the same result`, async () => {
      await assertSumLikeCpu(shape, axes);
    });
  }

  it('sums zero rows to zeros (where tfjs 4.22 fails to allocate an empty buffer)', async () => {
    await assertSumLikeCpu([0, 5], 0);
    await assertSumLikeCpu([0, 2, 3], [0, 1], true);
  });

  it('leaves int32 sums to tfjs', async () => {
    const f = () => [tf.tidy(() => tf.sum(tf.tensor2d(Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100), [12, 5], 'int32'), 0))];
    const gpu = await onBackend('webgpu', f);
    const cpu = await onBackend('cpu', f);
    assert.deepEqual(Array.from(gpu[0]), Array.from(cpu[0]));
  });

  it('leaves the gradient of a sum unchanged', async () => {
    const rng = new Rng(3);
    const xv = normalValues(rng, [16, 6]);
    const wv = normalValues(rng, [6]);
    const f = () => {
      const x = tf.tensor2d(xv, [16, 6]);
      const w = tf.tensor1d(wv);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sum(t, 0), w)))(x);
      tf.dispose([x, w]);
      return [g];
    };
    const [gpu] = await onBackend('webgpu', f);
    const [cpu] = await onBackend('cpu', f);
    assert.deepEqual(Array.from(gpu), Array.from(cpu));
    for (let i = 0; i < gpu.length; i++) assert.equal(gpu[i], Math.fround(wv[i % 6]));
  });

  it('splits only tall, thin sums over row chunks', () => {
    assert.equal(columnSumLayout(64, 512).chunks, 1);
    assert.equal(columnSumLayout(32, 4096).chunks, 1);
    const tall = columnSumLayout(65536, 10);
    // 25 row lanes of 10 columns: 32 rows a lane, 82 chunks (workgroups), summed by a second pass.
    assert.equal(tall.rl, 25);
    assert.equal(tall.chunks, 82);
    assert.ok(tall.chunks * tall.chunkRows >= 65536 && (tall.chunks - 1) * tall.chunkRows < 65536);
  });

  /** Dispatches of one sum of an uploaded x, and the backend's buffers it leaves. */
  async function dispatchesOf(shape: number[], axes: number | number[]): Promise<number> {
    const x = tf.tidy(() => tf.add(tf.ones(shape), 1)); // on the GPU already: no upload to count
    await x.data();
    const backend = tf.backend();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    const before = gpuCounts();
    const y = tf.sum(x, axes);
    const values = await y.data();
    const n = countsSince(before).dispatches;
    assert.ok(values.every((v) => v === (2 * x.size) / y.size));
    y.dispose();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), ids);
    x.dispose();
    return n;
  }

  it('takes one dispatch over leading axes (none for one row, two when split), and leaks nothing', async () => {
    assert.equal(await dispatchesOf([64, 512], 0), 1);
    assert.equal(await dispatchesOf([1, 64, 10], [0, 1]), 1);
    assert.equal(await dispatchesOf([1, 300], 0), 0);
    assert.equal(await dispatchesOf([20000, 3], 0), 2);
  });
});
