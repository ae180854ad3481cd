/**
 * Training-mode batch normalisation over the last axis on the WebGPU backend: the `AvlabBatchNorm`
 * and `AvlabBatchNormGrad` kernels of lib/backend/nativeBatchNorm.ts (same inputs, outputs and math
 * as lib/backend/native/batchnorm.c) as two dispatches each way, where tfjs's moments, normalisation
 * and their gradient take 7 forward and 36 backward.
 *
 * x is viewed as [M, C]. Both directions first reduce per channel over chunks of rows, in parallel
 * (dispatch 1: a partial per chunk and channel), then every workgroup of the elementwise pass
 * (dispatch 2) combines the few partials of its channels itself, so no dispatch sits between them.
 *
 * Forward, per chunk k of n_k rows: local mean μ_k and M2_k = Σ (x − μ_k)² (two passes, stable),
 * combined as Chan et al.: n = n_a + n_b, δ = μ_b − μ_a, μ = μ_a + δ n_b / n,
 * M2 = M2_a + M2_b + δ² n_a n_b / n; then σ² = M2 / M (biased) and y = x s γ + (β − μ s γ),
 * s = 1/√(σ² + ε).
 *
 * Backward: Σ dy and Σ dy (x − μ) per chunk, summed, then dβ = Σ dy, dγ = s Σ dy (x − μ) and
 * dx = γ s (dy − dβ/M − x̂ dγ/M) + dμ/M + 2 dσ² (x − μ)/M.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, registerBatchNormGradient } from '../nativeBatchNorm';
import { disposeInfo, f32Literal, isHostZeros, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

/**
 * The moving statistics' update, m ← m − (1 − momentum)(m − μ) and likewise σ², for both in one
 * dispatch: tfjs's three ops per statistic were six dispatches per layer and step, a third of the
 * ResNet's. Inputs {movingMean, movingVariance, mean, variance}, attr momentum; outputs [m, σ²].
 */
export const MOVING_MOMENTS_KERNEL = 'AvlabMovingMoments';
const THREADS = 256;
/** Upper bound on row chunks of the reduction pass (partials each workgroup of pass 2 combines). */
const MAX_CHUNKS = 128;

let installed = false;

/** Whether `AvlabBatchNorm` runs on these kernels now: installed, and the webgpu backend active. */
export function webgpuBatchNormActive(): boolean {
  return installed && tf.getBackend() === 'webgpu';
}

/**
 * How rows and channels split over workgroups. A workgroup is CT channels (consecutive, so that
 * neighbouring threads read neighbouring addresses) by RL row lanes; `chunks` partials per channel.
 */
interface Layout {
  m: number;
  c: number;
  ct: number;
  rl: number;
  groups: number;
  chunkRows: number;
  chunks: number;
  blockRows: number;
  blocks: number;
}

function layoutFor(x: tf.TensorInfo): Layout {
  const c = x.shape[x.shape.length - 1];
  const m = x.shape.reduce((a, b) => a * b, 1) / c;
  let ct = 1;
  while (ct < c && ct < 64) ct *= 2;
  const rl = THREADS / ct;
  let chunks = Math.min(MAX_CHUNKS, Math.max(1, Math.ceil(m / (rl * 16))));
  const chunkRows = Math.ceil(m / chunks);
  chunks = Math.ceil(m / chunkRows);
  // Blocks of the elementwise pass: 16 rows per lane, more where the grid would pass 65535.
  const blockRows = rl * Math.max(16, Math.ceil(m / (65535 * rl)));
  return { m, c, ct, rl, groups: Math.ceil(c / ct), chunkRows, chunks, blockRows, blocks: Math.ceil(m / blockRows) };
}

/** Declarations and indices every shader of a layout shares; `red` is THREADS floats per name. */
function prelude(l: Layout, shared: string[]): string {
  return `
const M = ${l.m}u;
const C = ${l.c}u;
const CT = ${l.ct}u;
const RL = ${l.rl}u;
const CHUNKS = ${l.chunks}u;
const CHUNK_ROWS = ${l.chunkRows}u;
const BLOCK_ROWS = ${l.blockRows}u;
${shared.map((s) => `var<workgroup> ${s}: array<f32, ${THREADS}>;`).join('\n')}
`;
}

/** WGSL: sums `red` over the RL lanes of each channel into red[channel] (call in uniform control flow). */
const SUM_LANES = `
fn sumLanes(lid: u32) {
  for (var s = RL / 2u; s > 0u; s = s / 2u) {
    if (lid / CT < s) { red[lid] = red[lid] + red[lid + s * CT]; }
    workgroupBarrier();
  }
}`;

/** Forward pass 1: per chunk and channel, the local mean and M2, into part [CHUNKS, 2, C]. */
function statsShader(l: Layout): string {
  return `${prelude(l, ['red'])}
@group(0) @binding(0) var<storage, read_write> part: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
${SUM_LANES}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.y * CT + lid % CT;
  let lane = lid / CT;
  let r0 = wg.x * CHUNK_ROWS;
  let r1 = min(M, r0 + CHUNK_ROWS);
  let n = f32(r1 - r0);
  var s = 0.0;
  if (c < C) { for (var r = r0 + lane; r < r1; r += RL) { s += x[r * C + c]; } }
  red[lid] = s;
  workgroupBarrier();
  sumLanes(lid);
  let mean = red[lid % CT] / n;
  workgroupBarrier();
  var q = 0.0;
  if (c < C) { for (var r = r0 + lane; r < r1; r += RL) { let d = x[r * C + c] - mean; q += d * d; } }
  red[lid] = q;
  workgroupBarrier();
  sumLanes(lid);
  if (lane == 0u && c < C) {
    part[(wg.x * 2u) * C + c] = mean;
    part[(wg.x * 2u + 1u) * C + c] = red[lid];
  }
}`;
}

/** Forward pass 2: combine the partials of the workgroup's channels, write y (and μ, σ² once). */
function applyShader(l: Layout, eps: number): string {
  return `${prelude(l, ['sn', 'sm', 'sq'])}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> varOut: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read> part: array<f32>;

// Chan et al.'s combination of (count, mean, M2) of two disjoint sets of rows.
fn combine(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {
  let n = a.x + b.x;
  if (n == 0.0) { return a; }
  let d = b.y - a.y;
  return vec3<f32>(n, a.y + d * b.x / n, a.z + b.z + d * d * a.x * b.x / n);
}

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.y * CT + lid % CT;
  let lane = lid / CT;
  var acc = vec3<f32>(0.0, 0.0, 0.0);
  if (c < C) {
    for (var k = lane; k < CHUNKS; k += RL) {
      let n = f32(min(M, (k + 1u) * CHUNK_ROWS) - k * CHUNK_ROWS);
      acc = combine(acc, vec3<f32>(n, part[(k * 2u) * C + c], part[(k * 2u + 1u) * C + c]));
    }
  }
  sn[lid] = acc.x; sm[lid] = acc.y; sq[lid] = acc.z;
  workgroupBarrier();
  for (var s = RL / 2u; s > 0u; s = s / 2u) {
    if (lane < s) {
      let o = lid + s * CT;
      let r = combine(vec3<f32>(sn[lid], sm[lid], sq[lid]), vec3<f32>(sn[o], sm[o], sq[o]));
      sn[lid] = r.x; sm[lid] = r.y; sq[lid] = r.z;
    }
    workgroupBarrier();
  }
  if (c >= C) { return; }
  let mean = sm[lid % CT];
  let variance = sq[lid % CT] / f32(M);
  if (wg.x == 0u && lane == 0u) { meanOut[c] = mean; varOut[c] = variance; }
  let scale = gamma[c] / sqrt(variance + ${f32Literal(eps)});
  let shift = beta[c] - mean * scale;
  let r1 = min(M, (wg.x + 1u) * BLOCK_ROWS);
  for (var r = wg.x * BLOCK_ROWS + lane; r < r1; r += RL) {
    y[r * C + c] = x[r * C + c] * scale + shift;
  }
}`;
}

/**
 * Backward pass 1: per chunk and channel Σ dy and Σ dy (x − μ) into aux [2 CHUNKS + 5, C]; the
 * workgroups of chunk 0 also copy μ, s, γ, dμ, dσ² after them, so that pass 2 binds few buffers
 * (WebGPU guarantees only eight storage buffers per shader).
 */
function gradSumsShader(l: Layout, eps: number, statGrads: boolean): string {
  return `${prelude(l, ['red'])}
@group(0) @binding(0) var<storage, read_write> aux: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> meanIn: array<f32>;
@group(0) @binding(4) var<storage, read> varIn: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<f32>;
${statGrads ? '@group(0) @binding(6) var<storage, read> dMean: array<f32>;\n@group(0) @binding(7) var<storage, read> dVar: array<f32>;' : ''}
${SUM_LANES}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.y * CT + lid % CT;
  let lane = lid / CT;
  let r0 = wg.x * CHUNK_ROWS;
  let r1 = min(M, r0 + CHUNK_ROWS);
  var mean = 0.0;
  if (c < C) { mean = meanIn[c]; }
  var sd = 0.0;
  var sdx = 0.0;
  if (c < C) {
    for (var r = r0 + lane; r < r1; r += RL) {
      let g = dy[r * C + c];
      sd += g;
      sdx += g * (x[r * C + c] - mean);
    }
  }
  red[lid] = sd;
  workgroupBarrier();
  sumLanes(lid);
  let totalDy = red[lid];
  workgroupBarrier();
  red[lid] = sdx;
  workgroupBarrier();
  sumLanes(lid);
  if (lane != 0u || c >= C) { return; }
  aux[wg.x * C + c] = totalDy;
  aux[(CHUNKS + wg.x) * C + c] = red[lid];
  if (wg.x == 0u) {
    let base = 2u * CHUNKS * C;
    aux[base + c] = mean;
    aux[base + C + c] = 1.0 / sqrt(varIn[c] + ${f32Literal(eps)});
    aux[base + 2u * C + c] = gamma[c];
    aux[base + 3u * C + c] = ${statGrads ? 'dMean[c]' : '0.0'};
    aux[base + 4u * C + c] = ${statGrads ? 'dVar[c]' : '0.0'};
  }
}`;
}

/** Backward pass 2: total the partials of the workgroup's channels, write dx (and dγ, dβ once). */
function gradApplyShader(l: Layout): string {
  return `${prelude(l, ['red', 'red2'])}
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(2) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.y * CT + lid % CT;
  let lane = lid / CT;
  var sd = 0.0;
  var sdx = 0.0;
  if (c < C) {
    for (var k = lane; k < CHUNKS; k += RL) {
      sd += aux[k * C + c];
      sdx += aux[(CHUNKS + k) * C + c];
    }
  }
  red[lid] = sd; red2[lid] = sdx;
  workgroupBarrier();
  for (var s = RL / 2u; s > 0u; s = s / 2u) {
    if (lane < s) {
      red[lid] = red[lid] + red[lid + s * CT];
      red2[lid] = red2[lid] + red2[lid + s * CT];
    }
    workgroupBarrier();
  }
  if (c >= C) { return; }
  let sumDy = red[lid % CT];
  let sumDyXc = red2[lid % CT];
  let base = 2u * CHUNKS * C;
  let mean = aux[base + c];
  let sInv = aux[base + C + c];
  let g = aux[base + 2u * C + c];
  if (wg.x == 0u && lane == 0u) { dBeta[c] = sumDy; dGamma[c] = sumDyXc * sInv; }
  let m = f32(M);
  // dx = k1 dy + k2 (x − μ) + k3, per channel.
  let k1 = g * sInv;
  let k2 = -g * sInv * sInv * sInv * sumDyXc / m + 2.0 * aux[base + 4u * C + c] / m;
  let k3 = -g * sInv * sumDy / m + aux[base + 3u * C + c] / m;
  let r1 = min(M, (wg.x + 1u) * BLOCK_ROWS);
  for (var r = wg.x * BLOCK_ROWS + lane; r < r1; r += RL) {
    dx[r * C + c] = k1 * dy[r * C + c] + k2 * (x[r * C + c] - mean) + k3;
  }
}`;
}

/** [y, mean, variance] of x [..., C]: two dispatches. */
function forward(backend: WebGPUBackendLike, x: tf.TensorInfo, gamma: tf.TensorInfo, beta: tf.TensorInfo, eps: number): tf.TensorInfo[] {
  const l = layoutFor(x);
  const [part] = runRaw(backend, { code: statsShader(l), inputs: [x], outputs: [{ shape: [l.chunks * 2 * l.c] }], workgroups: [l.chunks, l.groups] });
  const outs = runRaw(backend, {
    code: applyShader(l, eps),
    inputs: [x, gamma, beta, part],
    outputs: [{ shape: x.shape }, { shape: [l.c] }, { shape: [l.c] }],
    workgroups: [l.blocks, l.groups],
  });
  disposeInfo(backend, part);
  return outs;
}

/** [dx, dGamma, dBeta]: two dispatches. */
function backward(backend: WebGPUBackendLike, t: Record<string, tf.TensorInfo>, eps: number): tf.TensorInfo[] {
  const l = layoutFor(t.x);
  // The batch statistics feed only the moving averages, so their gradients are the tape's zeros.
  const statGrads = !(isHostZeros(backend, t.dMean) && isHostZeros(backend, t.dVariance));
  const [aux] = runRaw(backend, {
    code: gradSumsShader(l, eps, statGrads),
    inputs: statGrads ? [t.x, t.gamma, t.mean, t.variance, t.dy, t.dMean, t.dVariance] : [t.x, t.gamma, t.mean, t.variance, t.dy],
    outputs: [{ shape: [(2 * l.chunks + 5) * l.c] }],
    workgroups: [l.chunks, l.groups],
  });
  const outs = runRaw(backend, {
    code: gradApplyShader(l),
    inputs: [t.x, t.dy, aux],
    outputs: [{ shape: t.x.shape }, { shape: [l.c] }, { shape: [l.c] }],
    workgroups: [l.blocks, l.groups],
  });
  disposeInfo(backend, aux);
  return outs;
}

function movingShader(c: number, momentum: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> newMean: array<f32>;
@group(0) @binding(1) var<storage, read_write> newVar: array<f32>;
@group(0) @binding(2) var<storage, read> oldMean: array<f32>;
@group(0) @binding(3) var<storage, read> oldVar: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> variance: array<f32>;
const K = ${f32Literal(1 - momentum)};
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= ${c}u) { return; }
  newMean[i] = oldMean[i] - (oldMean[i] - mean[i]) * K;
  newVar[i] = oldVar[i] - (oldVar[i] - variance[i]) * K;
}`;
}

/**
 * Registers `AvlabBatchNorm` and its gradient kernel for the webgpu backend, and the gradient itself
 * where the native install has not (it is backend-independent). Idempotent; false without WebGPU.
 */
export function installWebgpuBatchNorm(): boolean {
  if (installed) return true;
  if (!webgpuBackend()) return false;
  tf.registerKernel({
    kernelName: BATCH_NORM_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
      return forward(backend as unknown as WebGPUBackendLike, x, gamma, beta, attrs!.epsilon as number);
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => backward(backend as unknown as WebGPUBackendLike, inputs as Record<string, tf.TensorInfo>, attrs!.epsilon as number),
  });
  tf.registerKernel({
    kernelName: MOVING_MOMENTS_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { movingMean, movingVariance, mean, variance } = inputs as Record<string, tf.TensorInfo>;
      const c = mean.shape[0];
      return runRaw(backend as unknown as WebGPUBackendLike, {
        code: movingShader(c, attrs!.momentum as number),
        inputs: [movingMean, movingVariance, mean, variance],
        outputs: [{ shape: [c] }, { shape: [c] }],
        workgroups: [Math.ceil(c / 64)],
      });
    },
  });
  registerBatchNormGradient();
  installed = true;
  return true;
}
