/** Comparing a backend's numbers with a reference backend's, for the kernel tests. */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { Rng } from '../../lib/util/rng';
import { trainWorkload, type WorkloadName } from '../../lib/bench/workloads';

/** Seeded normal values for a shape, times `scale` plus `shift`. */
export function normalValues(rng: Rng, shape: number[], scale = 1, shift = 0): Float32Array {
  return rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))).map((v) => v * scale + shift);
}

/** A tensor of `normalValues`. */
export function randn(rng: Rng, shape: number[], scale = 1, shift = 0): tf.Tensor {
  return tf.tensor(normalValues(rng, shape, scale, shift), shape);
}

/**
 * The largest difference relative to the reference's largest magnitude, which is taken as at least
 * `floor` (1 by default: small values are compared absolutely).
 */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1): number {
  assert.equal(got.length, want.length);
  let err = 0;
  let scale = floor;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / Math.max(scale, 1e-30);
}

/** The values of the tensors `f` returns on backend `name` (read asynchronously: WebGPU in Node has no dataSync). */
export async function onBackend(name: 'webgpu' | 'cpu', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(name, { quiet: true });
  const ts = f();
  const values = (await Promise.all(ts.map((t) => t.data()))) as Float32Array[];
  tf.dispose(ts);
  return values;
}

/**
 * Trains a benchmark workload (small shapes, 3 epochs) on the cpu backend and on `backend`: the
 * losses agree within 1e-4 (relative), they move, and an epoch on `backend` leaves no tensor behind.
 */
export async function assertWorkloadTrainsLikeCpu(name: WorkloadName, backend: 'wasm' | 'webgpu'): Promise<void> {
  await initBackend('cpu', { quiet: true });
  const cpu = await trainWorkload(name);
  await initBackend(backend, { quiet: true });
  const other = await trainWorkload(name);
  assert.equal(other.tensors[2], other.tensors[1], `tensors after each epoch: ${other.tensors}`);
  cpu.losses.forEach((l, e) => assert.ok(Math.abs(l - other.losses[e]) < 1e-4 * Math.max(1, l), `epoch ${e}: cpu ${l}, ${backend} ${other.losses[e]}`));
  assert.ok(cpu.losses[2] !== cpu.losses[0], 'the losses move');
}
