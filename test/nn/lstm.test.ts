import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { nativeLstmActive } from '../../lib/backend/nativeLstm';
import { LstmLayer, lstmSequence, lstmSequenceOps } from '../../lib/nn/lstm';
import { Rng } from '../../lib/util/rng';

function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(n)).map((v) => v * scale), shape);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Outputs and gradients (of a loss touching every output) of `lstmSequence` on the current backend. */
function outputsAndGradients(n: number, t: number, d: number, h: number, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const x = randn(rng, [n, t, d]);
    const W = randn(rng, [d, 4 * h], 0.3);
    const U = randn(rng, [h, 4 * h], 0.3);
    const b = randn(rng, [4 * h], 0.3);
    const wSeq = randn(rng, [n, t, h]);
    const wH = randn(rng, [n, h]);
    const wC = randn(rng, [n, h]);
    const loss = (xx: tf.Tensor, ww: tf.Tensor, uu: tf.Tensor, bb: tf.Tensor) => {
      const o = lstmSequence(xx as tf.Tensor3D, ww as tf.Tensor2D, uu as tf.Tensor2D, bb as tf.Tensor1D);
      return tf.addN([tf.sum(tf.mul(o.seq, wSeq)), tf.sum(tf.mul(o.h, wH)), tf.sum(tf.square(tf.mul(o.c, wC)))]) as tf.Scalar;
    };
    const o = lstmSequence(x as tf.Tensor3D, W as tf.Tensor2D, U as tf.Tensor2D, b as tf.Tensor1D);
    const grads = tf.grads(loss)([x, W, U, b]);
    return [o.seq, o.h, o.c, ...grads].map((g) => g.dataSync() as Float32Array);
  });
}

describe('LSTM layer', function () {
  this.timeout(60000);
  after(() => initBackend('cpu', { quiet: true }));

  it('computes what tfjs\'s LSTM layer computes with the same weights', async () => {
    await initBackend('cpu', { quiet: true });
    tf.tidy(() => {
      const rng = new Rng(3);
      const x = randn(rng, [3, 5, 4]) as tf.Tensor3D;
      const init = (seed: number) => tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed });
      const ours = new LstmLayer({ units: 6, returnSequences: true, returnState: true, kernelInitializer: init(1), recurrentInitializer: init(2), biasInitializer: init(3), name: 'ours' });
      const theirs = tf.layers.lstm({ units: 6, returnSequences: true, returnState: true, kernelInitializer: init(1), recurrentInitializer: init(2), biasInitializer: init(3), recurrentActivation: 'sigmoid', unitForgetBias: false, name: 'theirs' });
      const a = ours.apply(x) as tf.Tensor[];
      const b = theirs.apply(x) as tf.Tensor[];
      assert.deepEqual(ours.weights.map((w) => [w.originalName.split('/')[1], w.shape]), theirs.weights.map((w) => [w.originalName.split('/')[1], w.shape]));
      ours.weights.forEach((w, i) => assert.deepEqual(w.read().dataSync(), theirs.weights[i].read().dataSync()));
      a.forEach((t, i) => assert.ok(maxDiff(t.dataSync(), b[i].dataSync()) < 1e-6, `output ${i}`));
      assert.deepEqual(a.map((t) => t.shape), [[3, 5, 6], [3, 6], [3, 6]]);
      const last = new LstmLayer({ units: 6, kernelInitializer: init(1), recurrentInitializer: init(2), biasInitializer: init(3) }).apply(x) as tf.Tensor;
      assert.ok(maxDiff(last.dataSync(), a[1].dataSync()) < 1e-6, 'without returnSequences the output is h_T');
    });
  });

  it('a one-unit, two-step LSTM matches the gate equations by hand', async () => {
    await initBackend('cpu', { quiet: true });
    const [w, u] = [0.5, -1];
    const bias = [0.1, 0.2, 0.3, 0.4];
    const xs = [1, -2];
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    let h = 0;
    let c = 0;
    const expected: number[] = [];
    for (const x of xs) {
      const z = bias.map((bb) => x * w + h * u + bb);
      c = s(z[1]) * c + s(z[0]) * Math.tanh(z[2]);
      h = s(z[3]) * Math.tanh(c);
      expected.push(h);
    }
    const out = tf.tidy(() => lstmSequenceOps(tf.tensor3d(xs, [1, 2, 1]), tf.fill([1, 4], w) as tf.Tensor2D, tf.fill([1, 4], u) as tf.Tensor2D, tf.tensor1d(bias)).seq.dataSync());
    assert.ok(maxDiff(out, expected) < 1e-6, `${Array.from(out)} vs ${expected}`);
  });

  it('the native wasm kernel equals the tfjs ops on cpu, outputs and gradients, without leaks', async function () {
    if (!nativeBlas()) this.skip(); // the addon is not built on this machine
    const shapes: [number, number, number, number][] = [[4, 6, 5, 3], [1, 1, 3, 2], [7, 3, 1, 8], [16, 12, 32, 16]];
    await initBackend('cpu', { quiet: true });
    const expected = shapes.map(([n, t, d, h], i) => outputsAndGradients(n, t, d, h, i));
    await initBackend('wasm', { quiet: true });
    assert.ok(nativeLstmActive());
    const before = tf.memory().numTensors;
    const got = shapes.map(([n, t, d, h], i) => outputsAndGradients(n, t, d, h, i));
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    const names = ['seq', 'h', 'c', 'dx', 'dW', 'dU', 'db'];
    shapes.forEach((s, i) => names.forEach((name, k) => {
      const scale = Math.max(1, ...Array.from(expected[i][k], Math.abs));
      assert.ok(maxDiff(got[i][k], expected[i][k]) < 2e-5 * scale, `${name} of shape ${s}: ${maxDiff(got[i][k], expected[i][k])}`);
    }));
  });
});

describe('multi-output layers in a model', () => {
  it('compute once per application, although tfjs applies a layer once per output', async () => {
    await initBackend('cpu', { quiet: true });
    const init = (seed: number) => tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed });
    const input = tf.input({ shape: [3, 4] });
    const outs = new LstmLayer({ units: 5, returnSequences: true, returnState: true, kernelInitializer: init(1), recurrentInitializer: init(2), biasInitializer: init(3) }).apply(input) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: input, outputs: outs });
    const x = tf.ones([2, 3, 4]);
    const profile = await tf.profile(() => { tf.dispose(model.apply(x, { training: true }) as tf.Tensor[]); });
    // Two tanh per step (the candidate g and tanh(c)) over three steps: 6, not 18.
    assert.equal(profile.kernels.filter((k) => k.name === 'Tanh').length, 6);
    const first = tf.tidy(() => (model.apply(x) as tf.Tensor[])[0].dataSync());
    const [W, U, b] = model.layers[1].getWeights();
    model.layers[1].setWeights([W, U, tf.add(b, 1)]);
    const second = tf.tidy(() => (model.apply(x) as tf.Tensor[])[0].dataSync());
    assert.ok(maxDiff(first, second) > 1e-3, 'a new application after a weight change computes afresh');
    x.dispose();
  });
});
