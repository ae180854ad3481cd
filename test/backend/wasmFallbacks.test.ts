import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { conv2dFilterGradient, installWasmFallbacks, WASM_FALLBACK_KERNELS } from '../../lib/backend/wasmFallbacks';
import { buildResNet } from '../../lib/collisions/models/resnet';
import { Rng } from '../../lib/util/rng';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type ConvCase = { x: [number, number, number, number]; f: [number, number, number, number]; stride: number | [number, number]; pad: Pad };

const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [3, 10, 10, 2], f: [5, 3, 2, 3], stride: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 4], f: [1, 1, 4, 6], stride: 2, pad: 'same' },
  // A numeric pad with a 3×2 kernel crashes wasm's own *forward* conv (memory access out of bounds,
  // tfjs-backend-wasm 4.22), so the numeric-pad case uses a square kernel.
  { x: [2, 7, 6, 2], f: [3, 3, 2, 3], stride: 1, pad: 1 },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 2], stride: 2, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [4, 16, 16, 4], f: [3, 3, 4, 8], stride: 2, pad: 'same' },
];

/** ∂/∂x and ∂/∂filter of Σ conv2d(x, filter) ⊙ r for a fixed random r, on the current backend. */
function convGradients(c: ConvCase): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomNormal(c.f, 0, 1, 'float32', 2) as tf.Tensor4D;
    const out = tf.conv2d(x, f, c.stride, c.pad);
    const r = tf.randomNormal(out.shape, 0, 1, 'float32', 3);
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, f]);
    return [Array.from(out.dataSync()), Array.from(gx.dataSync()), Array.from(gf.dataSync())];
  });
}

function maxDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** Gradients through gather (UnsortedSegmentSum) and a depthwise convolution. */
function otherGradients(): number[][] {
  return tf.tidy(() => {
    const table = tf.randomNormal([6, 3], 0, 1, 'float32', 4);
    const idx = tf.tensor1d([0, 2, 2, 5, 1, 0], 'int32');
    const gTable = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, idx))))(table);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
    return [gTable, gx, gw].map((g) => Array.from(g.dataSync()));
  });
}

/**
 * Runs `fn` with this module's Conv2DBackpropFilter registered for wasm (`mode`: the GEMM kernel or
 * the cpu copy), then puts back whatever was registered before — on machines with the OpenBLAS addon,
 * lib/backend/nativeConv replaces the fallback with its own kernel, so the fallback is tested this way.
 */
async function withOwnFilterKernel<T>(mode: 'gemm' | 'cpu', fn: () => T | Promise<T>): Promise<T> {
  const previous = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  if (previous) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  try {
    assert.deepEqual(installWasmFallbacks({ conv2dFilter: mode }), ['Conv2DBackpropFilter']);
    return await fn();
  } finally {
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    if (previous) tf.registerKernel(previous);
  }
}

describe('wasm fallbacks for training kernels', function () {
  this.timeout(120000);
  after(() => initBackend('cpu', { quiet: true }));

  it('are registered for wasm for every kernel wasm lacks', async () => {
    await initBackend('wasm', { quiet: true });
    for (const name of WASM_FALLBACK_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered for wasm`);
  });

  it('conv2d: gradients on wasm equal the cpu backend within 1e-5 (strides, paddings, kernel shapes)', async () => {
    await initBackend('cpu', { quiet: true });
    const expected = CONV_CASES.map((c) => convGradients(c));
    await initBackend('wasm', { quiet: true });
    const check = (got: number[][], want: number[][], what: string) => {
      ['output', 'dx', 'dfilter'].forEach((part, k) => {
        const scale = Math.max(1, ...want[k].map(Math.abs));
        const diff = maxDiff(got[k], want[k]);
        assert.ok(diff <= 1e-5 * scale, `${what} ${part}: max difference ${diff} (scale ${scale})`);
      });
    };
    // The kernels as installed (the fallback, or the native conv where the addon is built) ...
    CONV_CASES.forEach((c, i) => check(convGradients(c), expected[i], `installed kernels ${JSON.stringify(c)}`));
    // ... and this module's GEMM filter gradient in every case.
    await withOwnFilterKernel('gemm', () => {
      CONV_CASES.forEach((c, i) => check(convGradients(c), expected[i], `GEMM fallback ${JSON.stringify(c)}`));
      const before = tf.memory().numTensors;
      convGradients(CONV_CASES[1]);
      assert.equal(tf.memory().numTensors, before, 'the fallback leaks no tensors');
    });
  });

  it('conv2dFilterGradient handles NCHW (wasm has no NCHW conv, so this runs on cpu against the NHWC result)', async () => {
    await initBackend('cpu', { quiet: true });
    tf.tidy(() => {
      const c = CONV_CASES[1];
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 7) as tf.Tensor4D;
      const f = tf.randomNormal(c.f, 0, 1, 'float32', 8) as tf.Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(x, f, c.stride, c.pad).shape, 0, 1, 'float32', 9) as tf.Tensor4D;
      const attrs = { strides: c.stride, pad: c.pad, filterShape: c.f };
      const nhwc = conv2dFilterGradient(x, dy, { ...attrs, dataFormat: 'NHWC' }).dataSync();
      const nchw = conv2dFilterGradient(tf.transpose(x, [0, 3, 1, 2]), tf.transpose(dy, [0, 3, 1, 2]), { ...attrs, dataFormat: 'NCHW' }).dataSync();
      const viaCpuKernel = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, dataFormat: 'NHWC' } as never) as tf.Tensor;
      assert.ok(maxDiff(Array.from(nhwc), Array.from(viaCpuKernel.dataSync())) < 1e-4);
      assert.deepEqual(Array.from(nchw), Array.from(nhwc));
    });
  });

  it('the GEMM filter gradient equals the cpu-copy fallback on wasm', async () => {
    await initBackend('wasm', { quiet: true });
    const gemm = await withOwnFilterKernel('gemm', () => CONV_CASES.map((c) => convGradients(c)[2]));
    const copied = await withOwnFilterKernel('cpu', () => {
      assert.deepEqual(installWasmFallbacks({ conv2dFilter: 'cpu' }), [], 'reinstalling is a no-op');
      return CONV_CASES.map((c) => convGradients(c)[2]);
    });
    CONV_CASES.forEach((c, i) => assert.ok(maxDiff(gemm[i], copied[i]) <= 1e-5 * Math.max(1, ...copied[i].map(Math.abs)), JSON.stringify(c)));
  });

  it('gather (UnsortedSegmentSum) gradients on wasm equal cpu bit for bit, depthwise-conv ones within 1e-5', async () => {
    await initBackend('cpu', { quiet: true });
    const expected = otherGradients();
    await initBackend('wasm', { quiet: true });
    const before = tf.memory().numTensors;
    const got = otherGradients();
    assert.equal(tf.memory().numTensors, before);
    got.forEach((g, k) => {
      const scale = Math.max(1, ...expected[k].map(Math.abs));
      assert.ok(maxDiff(g, expected[k]) <= 1e-5 * scale, `gradient ${k}: ${maxDiff(g, expected[k])} (scale ${scale})`);
    });
    assert.deepEqual(got[0], expected[0], 'gather gradient: same kernel, same numbers');
  });

  it('a tiny conv net (ResNet block, batch norm, pooling) trains on wasm with the fallback, without leaks', async () => {
    await initBackend('wasm', { quiet: true });
    await withOwnFilterKernel('gemm', trainTinyConvNet);
  });
});

/** A two-class blob task that a tiny ResNet must learn on wasm; asserts on loss, accuracy and leaks. */
async function trainTinyConvNet(): Promise<void> {
  // Two classes of 8×8×2 images: a bright blob in the top-left or bottom-right corner, plus noise.
  const rng = new Rng(4);
  const n = 48;
  const xs = new Float32Array(n * 8 * 8 * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    labels.push(c);
    for (let p = 0; p < 64 * 2; p++) {
      const r = Math.floor(p / 16);
      const col = Math.floor(p / 2) % 8;
      const inBlob = c === 0 ? r < 4 && col < 4 : r >= 4 && col >= 4;
      xs[i * 128 + p] = (inBlob ? 1 : 0) + rng.normal(0, 0.5);
    }
  }
  const x = tf.tensor4d(xs, [n, 8, 8, 2]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  const model = buildResNet({ inputShape: [8, 8, 2], classes: 2, widths: [4, 8], blocks: [1, 1], stemStride: 1, seed: 3 });
  const opt: tf.Optimizer = tf.train.momentum(0.05, 0.9);
  const vars = model.net.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  let count = -1;
  for (let step = 0; step < 30; step++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      opt.applyGradients(grads);
      return value;
    });
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    if (step === 2) count = tf.memory().numTensors;
    if (step > 2) assert.equal(tf.memory().numTensors, count, `step ${step}: tensor count is stable`);
  }
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss fell from ${losses[0]} to ${losses[losses.length - 1]}`);
  const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.net.apply(x) as tf.Tensor, 1), tf.argMax(y, 1)), 'float32')).dataSync()[0]);
  assert.ok(acc >= 0.9, `training accuracy ${acc}`);
  tf.dispose([x, y]);
  opt.dispose();
  model.net.dispose();
}
