import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { installWebgpuConv } from '../../lib/backend/webgpu/conv';
import { planFilterGrad } from '../../lib/backend/webgpu/convFilterGrad';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';
import { Rng } from '../../lib/util/rng';
import { onWebgpu } from '../helpers/webgpu';
import { normalValues, maxRelativeError } from '../helpers/compare';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type Case = { name: string; x: [number, number, number, number]; k: [number, number]; co: number; stride: [number, number]; pad: Pad };

const CASES: Case[] = [
  { name: '3×3 stride 1 same', x: [3, 9, 8, 8], k: [3, 3], co: 16, stride: [1, 1], pad: 'same' },
  { name: '3×3 stride 2 same', x: [2, 11, 10, 16], k: [3, 3], co: 32, stride: [2, 2], pad: 'same' },
  { name: '1×1 stride 2', x: [3, 10, 10, 16], k: [1, 1], co: 32, stride: [2, 2], pad: 'same' },
  { name: '3×3 valid, odd sizes', x: [2, 9, 7, 5], k: [3, 3], co: 7, stride: [1, 1], pad: 'valid' },
  { name: '2×3 strides 2×1, 3 channels', x: [5, 13, 9, 3], k: [2, 3], co: 8, stride: [2, 1], pad: 'same' },
  { name: '5×5 stride 3 explicit padding', x: [2, 12, 11, 4], k: [5, 5], co: 6, stride: [3, 3], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { name: 'many chunks, partial last chunk', x: [7, 19, 17, 4], k: [3, 3], co: 12, stride: [1, 1], pad: 'same' },
  { name: 'wide tiles (K > 64, co > 64)', x: [2, 6, 6, 12], k: [3, 3], co: 72, stride: [1, 1], pad: 'same' },
];

/** conv2d(x, w), and dW and dx of Σ conv2d(x, w) · r, on the current backend. */
async function convAndGradients(c: Case, xv: Float32Array, wv: Float32Array, rv: Float32Array, rShape: number[]): Promise<Float32Array[]> {
  const outs = tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, [...c.k, c.x[3], c.co]);
    const r = tf.tensor(rv, rShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
    return [dw, dx, tf.conv2d(x, w, c.stride, c.pad)];
  });
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return data;
}


describe('webgpu conv2d: split-K filter gradient and forward GEMM', function () {
  onWebgpu(installWebgpuConv);

  for (const [i, c] of CASES.entries()) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(100 + i);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.stride, c.pad).shape);
      const [xv, wv, rv] = [normalValues(rng, c.x), normalValues(rng, [...c.k, c.x[3], c.co]), normalValues(rng, outShape)];
      await initBackend('webgpu', { quiet: true });
      const before = tf.memory().numTensors;
      const gpu = await convAndGradients(c, xv, wv, rv, outShape);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
      await initBackend('cpu', { quiet: true });
      const cpu = await convAndGradients(c, xv, wv, rv, outShape);
      ['dW', 'dx', 'y'].forEach((name, j) => {
        const e = maxRelativeError(gpu[j], cpu[j], 0);
        assert.ok(e < 1e-4, `${name}: relative error ${e}`);
      });
    });
  }

  it('splits the ResNet stem into hundreds of workgroups', () => {
    const info = tf.backend_util.computeConv2DInfo([32, 64, 64, 4], [3, 3, 4, 16], 2, 1, 'same');
    const p = planFilterGrad(info);
    assert.equal(p.K, 36);
    assert.equal(p.R, 32 * 32 * 32);
    assert.ok(p.tilesM * p.tilesN * p.splits >= 256, `${p.tilesM * p.tilesN * p.splits} workgroups`);
    assert.equal(p.chunk % 16, 0);
  });

  it('runs as split-K dispatches and gives exact counts for a direct kernel call', async () => {
    await initBackend('webgpu', { quiet: true });
    assert.ok(installGpuCounters());
    const x = tf.ones([2, 8, 9, 3]);
    const dy = tf.ones([2, 8, 9, 2]);
    const before = gpuCounts();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 2] }) as tf.Tensor;
    const v = await dw.data();
    // 144 rows of the reduction: three chunks of 64, so a partial-product and a reduction dispatch.
    assert.equal(countsSince(before).dispatches, 2);
    const w = tf.ones([3, 3, 3, 2]);
    await w.data();
    const before2 = gpuCounts();
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
    const vy = await y.data();
    assert.equal(countsSince(before2).dispatches, 1, 'the forward convolution is one dispatch');
    assert.equal(vy[(1 * 9 + 1) * 2], 27);
    tf.dispose([w, y]);
    tf.dispose([x, dy, dw]);
    // The centre tap sees all 2·8·9 positions; the corner (0, 0) misses the first row and column.
    assert.equal(v[(1 * 3 + 1) * 6], 144);
    assert.equal(v[0], 2 * 7 * 8);
  });

  for (const activation of ['relu', 'leakyrelu', 'elu'] as const) {
    it(`fused conv2d (bias, ${activation}) and its gradients match the cpu backend`, async () => {
      const rng = new Rng(7);
      const c: Case = { name: 'fused', x: [2, 9, 10, 4], k: [3, 3], co: 12, stride: [2, 2], pad: 'same' };
      const outShape = [2, 5, 5, 12];
      const [xv, wv, bv, rv] = [normalValues(rng, c.x), normalValues(rng, [...c.k, c.x[3], c.co]), normalValues(rng, [c.co]), normalValues(rng, outShape)];
      const run = async (): Promise<Float32Array[]> => {
        const outs = tf.tidy(() => {
          const [x, w, b, r] = [tf.tensor4d(xv, c.x), tf.tensor4d(wv, [...c.k, c.x[3], c.co]), tf.tensor1d(bv), tf.tensor(rv, outShape)];
          const f = (a: tf.Tensor, f: tf.Tensor, bias: tf.Tensor) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: c.stride, pad: c.pad, bias, activation, leakyreluAlpha: 0.3 });
          return [f(x, w, b), ...tf.grads((a: tf.Tensor, f2: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.mul(f(a, f2, bias), r)))([x, w, b])];
        });
        const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
        tf.dispose(outs);
        return data;
      };
      await initBackend('webgpu', { quiet: true });
      const gpu = await run();
      await initBackend('cpu', { quiet: true });
      const cpu = await run();
      ['y', 'dx', 'dW', 'dbias'].forEach((name, j) => {
        const e = maxRelativeError(gpu[j], cpu[j], 0);
        assert.ok(e < 1e-4, `${name}: relative error ${e}`);
      });
    });
  }
});
