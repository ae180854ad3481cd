/**
 * Mean cross-entropy of integer labels under logits as one WebGPU dispatch forward and one backward.
 * tfjs composes it from log-softmax, one-hot, a product, a sum, a mean and a negation: about twelve
 * dispatches forward and ten backward, a third of the scene MLP's step once its layers were fused.
 *
 *   L = −(1/N) Σᵢ log pᵢ[yᵢ],  pᵢ = softmax(zᵢ) (max-shifted),   ∂L/∂zᵢ = (pᵢ − onehot(yᵢ)) / N
 *
 * A label outside [0, C) contributes nothing, and its row no gradient, as tfjs's one-hot row of zeros.
 */
import * as tf from '@tensorflow/tfjs';
import { grid, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

/** Inputs {logits [N, C], labels int32 [N]}; outputs [loss (scalar), softmax [N, C]]. */
export const CROSS_ENTROPY_KERNEL = 'AvlabCrossEntropy';
const GRAD_KERNEL = 'AvlabCrossEntropyGrad';
const THREADS = 256;

let installed = false;

/** Whether `crossEntropy` (lib/losses) runs on this kernel now: installed, and webgpu active. */
export function webgpuCrossEntropyActive(): boolean {
  return installed && tf.getBackend() === 'webgpu';
}

function forwardShader(n: number, c: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read_write> probs: array<f32>;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<i32>;
const N = ${n}u;
const C = ${c}u;
var<workgroup> part: array<f32, ${THREADS}>;
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var r = lid; r < N; r += ${THREADS}u) {
    let base = r * C;
    var m = logits[base];
    for (var k = 1u; k < C; k++) { m = max(m, logits[base + k]); }
    var z = 0.0;
    for (var k = 0u; k < C; k++) { z += exp(logits[base + k] - m); }
    for (var k = 0u; k < C; k++) { probs[base + k] = exp(logits[base + k] - m) / z; }
    let y = labels[r];
    if (y >= 0 && u32(y) < C) { s += logits[base + u32(y)] - m - log(z); }
  }
  part[lid] = s;
  workgroupBarrier();
  for (var w = ${THREADS / 2}u; w > 0u; w = w / 2u) {
    if (lid < w) { part[lid] += part[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[0] = -part[0] / f32(N); }
}`;
}

function gradShader(n: number, c: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dz: array<f32>;
@group(0) @binding(1) var<storage, read> probs: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
const N = ${n}u;
const C = ${c}u;
@compute @workgroup_size(${THREADS})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = id.x + id.y * nw.x * ${THREADS}u;
  if (i >= N * C) { return; }
  let y = labels[i / C];
  if (y < 0 || u32(y) >= C) { dz[i] = 0.0; return; }
  var hot = 0.0;
  if (u32(y) == i % C) { hot = 1.0; }
  dz[i] = (probs[i] - hot) * dy[0] / f32(N);
}`;
}

/** Registers the cross-entropy kernels and their gradient for webgpu. Idempotent; false without WebGPU. */
export function installWebgpuCrossEntropy(): boolean {
  if (installed) return true;
  if (!webgpuBackend()) return false;
  tf.registerKernel({
    kernelName: CROSS_ENTROPY_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { logits, labels } = inputs as Record<string, tf.TensorInfo>;
      const [n, c] = logits.shape;
      return runRaw(backend as unknown as WebGPUBackendLike, { code: forwardShader(n, c), inputs: [logits, labels], outputs: [{ shape: [] }, { shape: [n, c] }], workgroups: [1] });
    },
  });
  tf.registerKernel({
    kernelName: GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { probs, labels, dy } = inputs as Record<string, tf.TensorInfo>;
      const [n, c] = probs.shape;
      return runRaw(backend as unknown as WebGPUBackendLike, { code: gradShader(n, c), inputs: [probs, labels, dy], outputs: [{ shape: [n, c] }], workgroups: grid(Math.ceil((n * c) / THREADS)) })[0];
    },
  });
  tf.registerGradient({
    kernelName: CROSS_ENTROPY_KERNEL,
    inputsToSave: ['labels'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const [labels, probs] = saved;
      const dz = tf.engine().runKernel(GRAD_KERNEL, { probs, labels, dy: (dys as tf.Tensor[])[0] }, {}) as tf.Tensor;
      return { logits: () => dz, labels: () => tf.zerosLike(labels) };
    },
  });
  installed = true;
  return true;
}
