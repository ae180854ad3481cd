import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { webgpuBackend } from '../../lib/backend/webgpu/raw';

/** Counts buffers created with MAP_WRITE (tfjs's staging buffers for uploads) while `f` runs. */
function stagingBuffersDuring(f: () => void): number {
  const proto = (globalThis as unknown as { GPUDevice: { prototype: { createBuffer(d: GPUBufferDescriptor): GPUBuffer } } }).GPUDevice.prototype;
  const original = proto.createBuffer;
  let staging = 0;
  proto.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
    if (d.usage & GPUBufferUsage.MAP_WRITE) staging++;
    return original.call(this, d);
  };
  try {
    f();
  } finally {
    proto.createBuffer = original;
  }
  return staging;
}

describe('WebGPU uploads by writeBuffer', function () {
  this.timeout(120000);
  before(() => initBackend('webgpu', { quiet: true }));

  // Larger than WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD, below which tfjs computes host tensors on the host.
  it('uploads float32, int32 and bool host data without staging buffers, and reads it back', async () => {
    const n = 3000;
    const fv = Float32Array.from({ length: n }, (_, k) => (k % 13) * 0.75 - 4);
    const iv = Int32Array.from({ length: n }, (_, k) => (k % 2 ? -1 : 1) * (k % 1000));
    const bv = Array.from({ length: n }, (_, k) => k % 3 === 0);
    // Buffers of these sizes wait in tfjs's pool (where tfjs would stage the copy), as in training.
    const warm = [tf.tensor1d(fv), tf.tensor1d(iv, 'int32'), tf.tensor1d(bv, 'bool')];
    const used = [tf.mul(warm[0], 2), tf.add(warm[1], 1), tf.logicalNot(warm[2])];
    await Promise.all(used.map((t) => t.data()));
    tf.dispose([...warm, ...used]);
    const [f, i, b] = [tf.tensor1d(fv), tf.tensor1d(iv, 'int32'), tf.tensor1d(bv, 'bool')];
    let outs: tf.Tensor[] = [];
    const staging = stagingBuffersDuring(() => {
      outs = [tf.mul(f, f), tf.add(i, i), tf.logicalNot(b)];
    });
    assert.equal(staging, 0);
    for (const t of [f, i, b]) assert.ok(webgpuBackend()!.tensorMap.get(t.dataId)!.resource, `${t.dtype} tensor on the GPU`);
    assert.deepEqual(Array.from(await outs[0].data()), Array.from(fv, (v) => Math.fround(v * v)));
    assert.deepEqual(Array.from(await outs[1].data()), Array.from(iv, (v) => v + v));
    assert.deepEqual(Array.from(await outs[2].data()), bv.map((v) => (v ? 0 : 1)));
    assert.deepEqual(Array.from(await f.data()), Array.from(fv));
    tf.dispose([f, i, b, ...outs]);
  });

  // Host tensors made, used and disposed between queued kernels, with no read in between: buffers
  // freed by earlier steps come back from the pool while their readers are still unsubmitted.
  it('keeps queued kernels ordered with uploads into buffers reused from the pool', async () => {
    const n = 1000;
    let acc = tf.zeros([n]);
    let expected = new Float64Array(n);
    for (let step = 0; step < 60; step++) {
      const values = Float32Array.from({ length: n }, (_, k) => ((step * 31 + k) % 17) - 8);
      const x = tf.tensor1d(values);
      const next = tf.add(tf.mul(acc, 0.5), x);
      tf.dispose([x, acc]);
      acc = next;
      expected = expected.map((e, k) => Math.fround(Math.fround(e * 0.5) + values[k]));
    }
    assert.deepEqual(Array.from(await acc.data()), Array.from(expected));
    acc.dispose();
  });
});
