import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { countsSince, gpuCounts } from '../../lib/backend/webgpu/counters';
import { installWebgpuDropout } from '../../lib/backend/webgpu/dropout';
import { counterDropout, DROPOUT_KERNEL } from '../../lib/nn/dropout';
import { SeededDropout } from '../../lib/nn/layers';
import { Rng } from '../../lib/util/rng';
import { normalValues, onBackend } from '../helpers/compare';
import { onWebgpu } from '../helpers/webgpu';

/** The bits of float32 values, so +0 and −0 are told apart. */
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Dropout of fixed x and its gradient under a fixed upstream gradient dy. */
function dropoutAndGradient(shape: number[], rate: number, seed: number): () => tf.Tensor[] {
  const rng = new Rng(seed + 1);
  const [xv, dyv] = [normalValues(rng, shape), normalValues(rng, shape)];
  return () => {
    const [x, dy] = [tf.tensor(xv, shape), tf.tensor(dyv, shape)];
    const y = counterDropout(x, rate, seed);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(counterDropout(t, rate, seed), dy)))(x);
    tf.dispose([x, dy]);
    return [y, dx];
  };
}

describe('WebGPU dropout kernel', () => {
  onWebgpu(installWebgpuDropout);

  // Sizes below, around and not a multiple of a workgroup's 256 threads, and one of about a million.
  for (const [shape, rate, seed] of [[[1], 0.5, 3], [[255], 0.2, 0], [[3, 257], 0.5, 2 ** 31 - 1], [[7, 11, 13], 0.9, 99], [[1024, 1000], 0.2, 123456789]] as const) {
    it(`equals the CPU path bit for bit for [${shape}] at rate ${rate}, forward and backward`, async () => {
      const f = dropoutAndGradient([...shape], rate, seed);
      const gpu = await onBackend('webgpu', f);
      const cpu = await onBackend('cpu', f);
      ['y', 'dx'].forEach((name, i) => assert.deepEqual(bits(gpu[i]), bits(cpu[i]), name));
      if (cpu[0].length > 100) assert.ok(cpu[0].some((v) => v === 0) && cpu[0].some((v) => v !== 0), 'some dropped, some kept');
    });
  }

  it('takes one dispatch forward and one backward, and leaks nothing', async () => {
    await initBackend('webgpu', { quiet: true });
    assert.ok(tf.getKernel(DROPOUT_KERNEL, 'webgpu'));
    const x = tf.tensor(normalValues(new Rng(1), [64, 300]), [64, 300]);
    await x.data(); // uploaded before counting
    const step = (seed: number) => tf.grad((t: tf.Tensor) => counterDropout(t, 0.2, seed))(x);
    tf.dispose(step(0));
    const tensors = tf.memory().numTensors;
    let before = gpuCounts();
    const y = counterDropout(x, 0.2, 1);
    await y.data();
    assert.equal(countsSince(before).dispatches, 1, 'forward');
    y.dispose();
    // With dy given (tfjs would otherwise fill ones): the forward dispatch, then the dropout of dy.
    const dy = tf.onesLike(x);
    await dy.data();
    before = gpuCounts();
    const dx = tf.grad((t: tf.Tensor) => counterDropout(t, 0.2, 2))(x, dy);
    await dx.data();
    assert.equal(countsSince(before).dispatches, 2, 'forward and backward');
    tf.dispose([dx, dy]);
    // The one dispatch is the kernel's (the generic path's product would be one dispatch too).
    const profile = await tf.profile(async () => {
      const z = counterDropout(x, 0.2, 3);
      await z.data();
      z.dispose();
    });
    assert.deepEqual(profile.kernels.map((k) => k.name), [DROPOUT_KERNEL]);
    assert.equal(tf.memory().numTensors, tensors);
    x.dispose();
  });

  it('SeededDropout gives the masks of the CPU path, and the same ones after a reseed', async () => {
    const f = () => {
      const layer = new SeededDropout(0.3, 21);
      const x = tf.ones([8, 130]);
      const ys = [0, 1, 2].map(() => layer.apply(x, { training: true }) as tf.Tensor);
      layer.reseed(21);
      ys.push(layer.apply(x, { training: true }) as tf.Tensor);
      x.dispose();
      return ys;
    };
    const gpu = await onBackend('webgpu', f);
    const cpu = await onBackend('cpu', f);
    gpu.forEach((g, k) => assert.deepEqual(bits(g), bits(cpu[k]), `call ${k}`));
    assert.notDeepEqual(gpu[0], gpu[1]);
    assert.deepEqual(gpu[3], gpu[0]);
  });
});
