import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { countsSince, gpuCounts } from '../../lib/backend/webgpu/counters';
import { installWebgpuLstmCell } from '../../lib/backend/webgpu/lstmCell';
import { lstmCell, lstmCellKernelActive, LSTM_CELL_GRAD_KERNEL, LSTM_CELL_KERNEL } from '../../lib/nn/lstmCell';
import { LstmStep, lstmStep } from '../../lib/scenes/models/attention';
import { Rng } from '../../lib/util/rng';
import { maxRelativeError, normalValues, onBackend } from '../helpers/compare';
import { onWebgpu } from '../helpers/webgpu';

/** h', c', dz, dc of `lstmCell` for a loss Σ wH h' (+ Σ wC c' when both outputs are used). */
function cellAndGradients(n: number, h: number, seed: number, zScale: number, use: 'h' | 'both'): () => tf.Tensor[] {
  const rng = new Rng(seed);
  const [zv, cv, wHv, wCv] = [normalValues(rng, [n, 4 * h], zScale), normalValues(rng, [n, h], 2), normalValues(rng, [n, h]), normalValues(rng, [n, h])];
  // The extremes exactly, in every gate block, when the scale is large.
  if (zScale > 10) for (let k = 0; k < zv.length; k += 3) zv[k] = k % 2 ? 100 : -100;
  return () => {
    const [z, c, wH, wC] = [tf.tensor2d(zv, [n, 4 * h]), tf.tensor2d(cv, [n, h]), tf.tensor2d(wHv, [n, h]), tf.tensor2d(wCv, [n, h])];
    const out = lstmCell(z, c);
    const [dz, dc] = tf.grads((zz: tf.Tensor, cc: tf.Tensor) => {
      const o = lstmCell(zz as tf.Tensor2D, cc as tf.Tensor2D);
      const lh = tf.sum(tf.mul(o.h, wH));
      return (use === 'h' ? lh : tf.add(lh, tf.sum(tf.mul(o.c, wC)))) as tf.Scalar;
    })([z, c]);
    tf.dispose([z, c, wH, wC]);
    return [out.h, out.c, dz, dc];
  };
}

/** h' and the gradients of a loss on h' with respect to x, h, c, W, U, b of the decoder step. */
function stepAndGradients(n: number, x: number, h: number, seed: number): () => tf.Tensor[] {
  const rng = new Rng(seed);
  const shapes = [[n, x], [n, h], [n, h], [x, 4 * h], [h, 4 * h], [4 * h], [n, h]];
  const values = shapes.map((s, k) => normalValues(rng, s, k >= 3 && k < 6 ? 0.5 : 1));
  return () => {
    const ts = values.map((v, k) => tf.tensor(v, shapes[k]));
    const wH = ts.pop()!;
    const run = (a: tf.Tensor[]) => lstmStep({ W: a[3] as tf.Tensor2D, U: a[4] as tf.Tensor2D, b: a[5] as tf.Tensor1D }, a[0] as tf.Tensor2D, { h: a[1] as tf.Tensor2D, c: a[2] as tf.Tensor2D });
    const out = run(ts);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(run(a).h, wH)) as tf.Scalar)(ts);
    out.c.dispose();
    tf.dispose([...ts, wH]);
    return [out.h, ...grads];
  };
}

describe('WebGPU LSTM cell kernels', () => {
  onWebgpu(installWebgpuLstmCell);

  // N = 1; H of 1, not a multiple of 4 or 64, and N H past one workgroup of 256 threads.
  for (const [n, h, scale] of [[1, 1, 1], [1, 7, 3], [3, 5, 3], [8, 33, 3], [5, 130, 2], [70, 67, 3], [4, 6, 60]] as const) {
    for (const use of ['h', 'both'] as const) {
      it(`equals tfjs's ops on the cpu backend for [${n}, ${h}], z × ${scale}, using ${use === 'h' ? "h' only" : 'both outputs'}`, async () => {
        const f = cellAndGradients(n, h, n * 1000 + h, scale, use);
        const gpu = await onBackend('webgpu', f);
        assert.ok(lstmCellKernelActive());
        const cpu = await onBackend('cpu', f);
        ["h'", "c'", 'dz', 'dc'].forEach((name, k) => {
          assert.ok(gpu[k].every(Number.isFinite), `${name} is not finite`);
          const e = maxRelativeError(gpu[k], cpu[k]);
          assert.ok(e < 1e-5, `${name}: ${e}`);
        });
      });
    }
  }

  it("lstmStep's gradients through x, h, c, W, U and b equal the cpu backend's", async () => {
    for (const [n, x, h] of [[1, 3, 5], [6, 9, 33]]) {
      const f = stepAndGradients(n, x, h, n + x + h);
      const gpu = await onBackend('webgpu', f);
      const cpu = await onBackend('cpu', f);
      ["h'", 'dx', 'dh', 'dc', 'dW', 'dU', 'db'].forEach((name, k) => assert.ok(maxRelativeError(gpu[k], cpu[k]) < 1e-5, `[${n}, ${x}, ${h}] ${name}: ${maxRelativeError(gpu[k], cpu[k])}`));
    }
  });

  it('takes one dispatch forward and one backward, leaves the unused output\'s zero gradient on the host, and leaks nothing', async () => {
    await onBackend('webgpu', () => []);
    const [n, h] = [16, 40];
    const rng = new Rng(5);
    const z = tf.tensor2d(normalValues(rng, [n, 4 * h]), [n, 4 * h]);
    const c = tf.tensor2d(normalValues(rng, [n, h]), [n, h]);
    const dy = tf.tensor2d(normalValues(rng, [n, h]), [n, h]);
    await Promise.all([z.data(), c.data(), dy.data()]); // uploaded before counting
    const grad = (which: 'h' | 'c') => tf.grads((zz: tf.Tensor, cc: tf.Tensor) => lstmCell(zz as tf.Tensor2D, cc as tf.Tensor2D)[which])([z, c], dy);
    tf.dispose(grad('h'));
    const tensors = tf.memory().numTensors;
    let before = gpuCounts();
    const out = lstmCell(z, c);
    await out.h.data();
    assert.equal(countsSince(before).dispatches, 1, 'forward');
    tf.dispose([out.h, out.c]);
    for (const which of ['h', 'c'] as const) {
      before = gpuCounts();
      const g = grad(which);
      await Promise.all(g.map((t) => t.data()));
      const counts = countsSince(before);
      assert.equal(counts.dispatches, 2, `forward and backward, gradient of ${which}'`);
      // The tape's zeros for the other output are neither uploaded nor bound.
      assert.equal(counts.writeBuffers, 0, `uploads, gradient of ${which}'`);
      tf.dispose(g);
    }
    const profile = await tf.profile(async () => {
      const g = grad('h');
      await Promise.all(g.map((t) => t.data()));
      tf.dispose(g);
    });
    // Besides the two kernels: the tape node's own record ('forward') and the clones of the saved
    // tensors (Identity, which shares the buffer: no dispatch, as counted above).
    const kernels = profile.kernels.map((k) => k.name).filter((name) => name !== 'Identity' && name !== 'forward');
    assert.deepEqual(kernels, [LSTM_CELL_KERNEL, LSTM_CELL_GRAD_KERNEL]);
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose([z, c, dy]);
  });

  it('the decoder layer leaks nothing over repeated training steps', async () => {
    await onBackend('webgpu', () => []);
    const rng = new Rng(9);
    const t = (shape: number[]) => tf.tensor(normalValues(rng, shape), shape);
    const [x, h, c] = [t([8, 12]), t([8, 10]), t([8, 10])];
    const layer = new LstmStep({ units: 10, seed: 2 });
    layer.apply([x, h, c]);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply([x, h, c]) as tf.Tensor) as tf.Scalar, vars);
      const gs = Object.values(grads);
      assert.ok((await Promise.all(gs.map((g) => g.data()))).every((v) => v.every(Number.isFinite)));
      tf.dispose([value, ...gs]);
    };
    await step();
    const tensors = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await step();
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose([x, h, c]);
    layer.dispose();
  });
});
