import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { installWebgpuLstm, webgpuLstmActive } from '../../lib/backend/webgpu/lstm';
import { countsSince, gpuCounts } from '../../lib/backend/webgpu/counters';
import { lstmSequence } from '../../lib/nn/lstm';
import { Rng } from '../../lib/util/rng';
import { onWebgpu } from '../helpers/webgpu';
import { randn, maxRelativeError, onBackend } from '../helpers/compare';

/** seq, h_T, c_T and the gradients of a loss touching all three with respect to x, W, U, b. */
function outputsAndGradients([n, t, d, h]: number[], seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const x = randn(rng, [n, t, d]);
    const W = randn(rng, [d, 4 * h], 1 / Math.sqrt(d));
    const U = randn(rng, [h, 4 * h], 1 / Math.sqrt(h));
    const b = randn(rng, [4 * h], 0.3);
    const [wSeq, wH, wC] = [randn(rng, [n, t, h]), randn(rng, [n, h]), randn(rng, [n, h])];
    const loss = (xx: tf.Tensor, ww: tf.Tensor, uu: tf.Tensor, bb: tf.Tensor) => {
      const o = lstmSequence(xx as tf.Tensor3D, ww as tf.Tensor2D, uu as tf.Tensor2D, bb as tf.Tensor1D);
      return tf.addN([tf.sum(tf.mul(o.seq, wSeq)), tf.sum(tf.mul(o.h, wH)), tf.sum(tf.square(tf.mul(o.c, wC)))]) as tf.Scalar;
    };
    const o = lstmSequence(x as tf.Tensor3D, W as tf.Tensor2D, U as tf.Tensor2D, b as tf.Tensor1D);
    return [o.seq, o.h, o.c, ...tf.grads(loss)([x, W, U, b])];
  });
}

const NAMES = ['seq', 'hT', 'cT', 'dx', 'dW', 'dU', 'db'];

describe('WebGPU LSTM kernels', function () {
  this.timeout(120000);

  onWebgpu(installWebgpuLstm);

  // [N, T, D, H]: one step; one sample; sizes off the 64-wide tiles and the 256 threads; 4H above
  // 256 (several gate columns per thread) and H above 256 (several units per thread).
  const shapes = [[3, 5, 4, 6], [4, 1, 7, 5], [1, 6, 3, 9], [9, 7, 70, 67], [5, 4, 20, 130], [2, 3, 5, 300]];
  for (const shape of shapes) {
    it(`matches tfjs ops on the cpu backend for [N, T, D, H] = [${shape}]`, async () => {
      const gpu = await onBackend('webgpu', () => {
        assert.ok(webgpuLstmActive(shape[3]));
        return outputsAndGradients(shape, 7);
      });
      const cpu = await onBackend('cpu', () => outputsAndGradients(shape, 7));
      gpu.forEach((g, i) => assert.ok(maxRelativeError(g, cpu[i]) < 1e-4, `${NAMES[i]}: ${maxRelativeError(g, cpu[i])}`));
    });
  }

  it('takes two dispatches forward and three backward, and leaks no tensors', async () => {
    await initBackend('webgpu', { quiet: true });
    const [n, t, d, h] = [6, 4, 10, 12];
    const rng = new Rng(2);
    const x = randn(rng, [n, t, d]) as tf.Tensor3D;
    const W = tf.variable(randn(rng, [d, 4 * h], 0.3)) as tf.Variable<tf.Rank.R2>;
    const U = tf.variable(randn(rng, [h, 4 * h], 0.3)) as tf.Variable<tf.Rank.R2>;
    const b = tf.variable(randn(rng, [4 * h], 0.3)) as tf.Variable<tf.Rank.R1>;
    const r = randn(rng, [n, t, h]);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(lstmSequence(x, W, U, b).seq, r)) as tf.Scalar);
        for (const v of [W, U, b] as tf.Variable[]) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
      });
    step();
    await W.data();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    await W.data();
    assert.equal(tf.memory().numTensors, tensors);

    let before = gpuCounts();
    const outs = tf.engine().runKernel('AvlabLstm', { x, W, U, b }, {}) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 2);
    const [seq, hT, cT, gates, cells] = outs;
    before = gpuCounts();
    const grads = tf.engine().runKernel('AvlabLstmGrad', { x, W, U, seq, gates, cells, dSeq: r, dhT: hT, dcT: cT }, {}) as tf.Tensor[];
    assert.equal(countsSince(before).dispatches, 3);
    await grads[0].data();
    tf.dispose([...outs, ...grads, x, r, W, U, b]);
  });
});
