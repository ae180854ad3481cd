import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { installWebgpuConv } from '../../lib/backend/webgpu/conv';
import { installWebgpuPad, mergePaddings } from '../../lib/backend/webgpu/pad';
import { conv3dFrames } from '../../lib/nn/conv3d';
import { Rng } from '../../lib/util/rng';
import { onWebgpu } from '../helpers/webgpu';
import { normalValues, maxRelativeError } from '../helpers/compare';

type Paddings = [number, number][];



/** Runs `f` on webgpu and on cpu (fresh tensors each), checks for leaks on webgpu, returns both. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ gpu: Float32Array[]; cpu: Float32Array[] }> {
  const run = async (): Promise<Float32Array[]> => {
    const outs = tf.tidy(f);
    const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outs);
    return data;
  };
  await initBackend('webgpu', { quiet: true });
  const before = tf.memory().numTensors;
  const gpu = await run();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks on webgpu');
  await initBackend('cpu', { quiet: true });
  const cpu = await run();
  await initBackend('webgpu', { quiet: true });
  return { gpu, cpu };
}

/** Forward value and gradient (w.r.t. x, of Σ pad(x) · r) of a pad, on both backends. */
async function padCase(shape: number[], paddings: Paddings, constantValue: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const xv = normalValues(rng, shape);
  const rv = normalValues(rng, shape.map((s, i) => s + paddings[i][0] + paddings[i][1]));
  const { gpu, cpu } = await onBoth(() => {
    const x = tf.tensor(xv, shape);
    const r = tf.tensor(rv, shape.map((s, i) => s + paddings[i][0] + paddings[i][1]));
    const y = tf.pad(x, paddings, constantValue);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.pad(a, paddings, constantValue), r)))(x);
    return [y, dx];
  });
  assert.deepEqual(Array.from(gpu[0]), Array.from(cpu[0]), 'forward');
  assert.deepEqual(Array.from(gpu[1]), Array.from(cpu[1]), 'gradient');
}

describe('webgpu rank-5 pad and conv3dFrames', function () {
  onWebgpu(installWebgpuPad, installWebgpuConv);

  it('merges unpadded dimensions into the one before', () => {
    assert.deepEqual(mergePaddings([2, 3, 4, 5, 6], [[0, 0], [1, 2], [0, 0], [0, 0], [0, 0]]), { shape: [2, 360], paddings: [[0, 0], [120, 240]] });
    assert.deepEqual(mergePaddings([3, 2, 2], [[1, 0], [0, 0], [0, 1]]), { shape: [6, 2], paddings: [[2, 0], [0, 1]] });
  });

  it('pads in time (a batch of clips) like the cpu backend, forward and gradient', async () => {
    await padCase([2, 5, 4, 3, 3], [[0, 0], [1, 1], [0, 0], [0, 0], [0, 0]], 0, 1);
  });

  it('pads the first dimension', async () => {
    await padCase([1, 3, 3, 2, 4], [[2, 0], [0, 0], [0, 0], [0, 0], [0, 0]], 0, 2);
  });

  it('pads every dimension with a constant (raw kernel)', async () => {
    await padCase([2, 3, 2, 3, 2], [[1, 0], [1, 1], [0, 2], [1, 0], [0, 1]], 2.5, 3);
  });

  it('pads rank 6 and int32 tensors', async () => {
    await padCase([2, 1, 2, 3, 2, 2], [[0, 1], [1, 0], [0, 0], [2, 1], [0, 0], [1, 1]], -1, 4);
    await initBackend('webgpu', { quiet: true });
    const y = tf.pad(tf.tensor([1, 2, 3, 4, 5, 6], [1, 2, 1, 3, 1], 'int32'), [[0, 0], [1, 0], [0, 1], [0, 0], [1, 0]], 7);
    assert.equal(y.dtype, 'int32');
    const v = Array.from(await y.data());
    y.dispose();
    assert.deepEqual(v.slice(0, 12), [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]);
    assert.deepEqual(v.slice(12, 18), [7, 1, 7, 2, 7, 3]);
  });

  const CONV3D: { name: string; x: [number, number, number, number, number]; k: [number, number, number, number, number]; strides: [number, number, number]; padding: 'same' | 'valid' }[] = [
    { name: '3×3×3 stride (1,2,2) same, 3 channels', x: [2, 5, 8, 8, 3], k: [3, 3, 3, 3, 8], strides: [1, 2, 2], padding: 'same' },
    { name: '3×3×3 stride (2,2,2) same', x: [2, 6, 6, 6, 8], k: [3, 3, 3, 8, 16], strides: [2, 2, 2], padding: 'same' },
    { name: '2×3×3 valid', x: [1, 4, 6, 5, 4], k: [2, 3, 3, 4, 5], strides: [1, 1, 1], padding: 'valid' },
    { name: '1×3×3 stride (2,2,2) same (frames skipped)', x: [2, 7, 6, 6, 4], k: [1, 3, 3, 4, 8], strides: [2, 2, 2], padding: 'same' },
    { name: '3×3×3 stride (3,2,1) valid (frames read once)', x: [2, 9, 7, 5, 3], k: [3, 3, 3, 3, 4], strides: [3, 2, 1], padding: 'valid' },
    { name: '3×3×3 stride (1,1,1) same, 1×1 frames', x: [3, 4, 1, 1, 8], k: [3, 3, 3, 8, 8], strides: [1, 1, 1], padding: 'same' },
  ];
  for (const [i, c] of CONV3D.entries()) {
    it(`conv3dFrames forward and gradients match the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(50 + i);
      const [xv, kv] = [normalValues(rng, c.x), normalValues(rng, c.k)];
      const outShape = tf.tidy(() => conv3dFrames(tf.zeros(c.x) as tf.Tensor5D, tf.zeros(c.k) as tf.Tensor5D, c.strides, c.padding).shape);
      const rv = normalValues(rng, outShape);
      const body = (): tf.Tensor[] => {
        const x = tf.tensor5d(xv, c.x);
        const k = tf.tensor5d(kv, c.k);
        const r = tf.tensor(rv, outShape);
        const y = conv3dFrames(x, k, c.strides, c.padding);
        const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3dFrames(a as tf.Tensor5D, b as tf.Tensor5D, c.strides, c.padding), r)))([x, k]);
        return [y, dx, dk];
      };
      // The first call per shape caches conv3dFrames' gather indices (kept tensors, not a leak). By
      // default webgpu gathers the taps by pixel and cpu by frame: the two gathers are checked here too.
      await initBackend('webgpu', { quiet: true });
      tf.dispose(tf.tidy(body));
      const { gpu, cpu } = await onBoth(body);
      ['y', 'dx', 'dkernel'].forEach((name, j) => {
        const e = maxRelativeError(gpu[j], cpu[j], 0);
        assert.ok(e < 1e-4, `${name}: relative error ${e}`);
      });
    });
  }
});
