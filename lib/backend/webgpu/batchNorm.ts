/**
 * Training-mode batch normalisation over the last axis on the WebGPU backend, two dispatches each
 * way where tfjs's moments, normalisation and their gradient take 7 forward and 36 backward:
 *
 *   `AvlabBatchNorm`, `AvlabBatchNormGrad`  the kernels of lib/backend/nativeBatchNorm.ts (same
 *       inputs, outputs and math as lib/backend/native/batchnorm.c);
 *   `AvlabBatchNormStep`  (WebGPU only) the BatchNorm layer's whole training step: also the new
 *       moving statistics m ← m − (1 − momentum)(m − μ), likewise σ², in the same two dispatches
 *       (a separate update was one more dispatch per layer and step);
 *   `AvlabBatchNormReluStep`  the same followed by y = max(0, ·), whose gradient (dy · step(y), with
 *       step(0) = 0 as tfjs's relu gradient) the gradient kernel applies to dy as it reads it: the
 *       BN → ReLU of the ResNet, AVTS and MLP blocks costs no dispatch beyond batch norm's.
 *
 * x is viewed as [M, C]. Both directions first reduce per channel over chunks of rows, in parallel
 * (dispatch 1: a partial per chunk and channel), then every workgroup of the elementwise pass
 * (dispatch 2) combines the few partials of its channels itself, so no dispatch sits between them.
 * Dispatch 1 also copies the per-channel inputs dispatch 2 needs (γ, β, the moving statistics)
 * behind its partials, so that dispatch 2 binds few buffers: WebGPU guarantees only eight storage
 * buffers per shader, and the step kernel has five outputs.
 *
 * Forward, per chunk k of n_k rows: local mean μ_k and M2_k = Σ (x − μ_k)² (two passes, stable),
 * combined as Chan et al.: n = n_a + n_b, δ = μ_b − μ_a, μ = μ_a + δ n_b / n,
 * M2 = M2_a + M2_b + δ² n_a n_b / n; then σ² = M2 / M (biased) and y = x s γ + (β − μ s γ),
 * s = 1/√(σ² + ε).
 *
 * Backward (with dy masked by y > 0 after a fused ReLU): Σ dy and Σ dy (x − μ) per chunk, summed,
 * then dβ = Σ dy, dγ = s Σ dy (x − μ) and dx = γ s (dy − dβ/M − x̂ dγ/M) + dμ/M + 2 dσ² (x − μ)/M,
 * where dμ and dσ² also take (1 − momentum) times the gradients of the new moving statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, registerBatchNormGradient } from '../nativeBatchNorm';
import { disposeInfo, f32Literal, isHostZeros, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

/**
 * The BatchNorm layer's training step (WebGPU only): inputs {x [..., C], gamma, beta, movingMean,
 * movingVariance} ([C] each), attrs {epsilon, momentum}; outputs [y, μ, σ², new moving mean, new
 * moving variance], the last two m − (m − μ)(1 − momentum) and likewise σ², as tfjs's layer moves
 * them. Differentiable in every input (the gradient kernel is `AvlabBatchNormGrad`).
 */
export const BATCH_NORM_STEP_KERNEL = 'AvlabBatchNormStep';
/** `AvlabBatchNormStep` with y = max(0, BN(x)): same inputs, attrs and outputs. */
export const BATCH_NORM_RELU_STEP_KERNEL = 'AvlabBatchNormReluStep';

const THREADS = 256;
/** Upper bound on row chunks of the reduction pass (partials each workgroup of pass 2 combines). */
const MAX_CHUNKS = 128;

let installed = false;

/** Whether the batch-norm kernels run on WebGPU now: installed, and the webgpu backend active. */
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

/** What a forward dispatch computes besides y, μ and σ². */
interface ForwardOptions {
  /** The new moving statistics, with this momentum (null: none, the plain `AvlabBatchNorm`). */
  momentum: number | null;
  relu: boolean;
}

/** The per-channel inputs pass 1 copies behind its partials for pass 2, in this order. */
function channelInputs(o: ForwardOptions): string[] {
  return o.momentum == null ? ['gamma', 'beta'] : ['gamma', 'beta', 'movingMean', 'movingVariance'];
}

/**
 * Forward pass 1: per chunk and channel, the local mean and M2, into part [CHUNKS, 2, C]; the
 * workgroups of chunk 0 copy the per-channel inputs after them ([k, C] more).
 */
function statsShader(l: Layout, o: ForwardOptions): string {
  const names = channelInputs(o);
  return `${prelude(l, ['red'])}
@group(0) @binding(0) var<storage, read_write> part: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
${names.map((n, i) => `@group(0) @binding(${i + 2}) var<storage, read> ${n}: array<f32>;`).join('\n')}
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
    if (wg.x == 0u) {
${names.map((n, i) => `      part[(2u * CHUNKS + ${i}u) * C + c] = ${n}[c];`).join('\n')}
    }
  }
}`;
}

/**
 * Forward pass 2: combine the partials of the workgroup's channels, write y (after the ReLU if
 * fused), and once per channel μ, σ² and the new moving statistics.
 */
function applyShader(l: Layout, eps: number, o: ForwardOptions): string {
  const moving = o.momentum != null;
  return `${prelude(l, ['sn', 'sm', 'sq'])}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> varOut: array<f32>;
${moving ? '@group(0) @binding(3) var<storage, read_write> movingMeanOut: array<f32>;\n@group(0) @binding(4) var<storage, read_write> movingVarOut: array<f32>;' : ''}
@group(0) @binding(${moving ? 5 : 3}) var<storage, read> x: array<f32>;
@group(0) @binding(${moving ? 6 : 4}) var<storage, read> part: array<f32>;
// Where pass 1 copied γ, β (and the moving statistics).
const P = 2u * CHUNKS * C;

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
  if (wg.x == 0u && lane == 0u) {
    meanOut[c] = mean;
    varOut[c] = variance;
${moving ? `    // The moving averages exactly as tfjs's layer computes them: m − (m − μ)(1 − momentum).
    let k = ${f32Literal(1 - o.momentum!)};
    let mm = part[P + 2u * C + c];
    let mv = part[P + 3u * C + c];
    movingMeanOut[c] = mm - (mm - mean) * k;
    movingVarOut[c] = mv - (mv - variance) * k;` : ''}
  }
  let scale = part[P + c] / sqrt(variance + ${f32Literal(eps)});
  let shift = part[P + C + c] - mean * scale;
  let r1 = min(M, (wg.x + 1u) * BLOCK_ROWS);
  for (var r = wg.x * BLOCK_ROWS + lane; r < r1; r += RL) {
    y[r * C + c] = ${o.relu ? 'max(x[r * C + c] * scale + shift, 0.0)' : 'x[r * C + c] * scale + shift'};
  }
}`;
}

/**
 * Where the backward passes get dμ and dσ²: nowhere (the tape's zeros, left out), the inputs
 * dMean and dVariance themselves, or one [2, C] buffer `packShader` made (where more inputs must be
 * folded in, or binding two more buffers would pass WebGPU's eight).
 */
type StatGrads = 'none' | 'direct' | 'packed';

/** WGSL: dy at index i, times step(y) after a fused ReLU (tfjs's relu gradient: step(0) = 0). */
function dyAt(relu: boolean): string {
  return relu ? 'dy[i] * select(0.0, 1.0, y[i] > 0.0)' : 'dy[i]';
}

/**
 * Backward pass 1: per chunk and channel Σ dy and Σ dy (x − μ) into aux [2 CHUNKS + 5, C]; the
 * workgroups of chunk 0 also copy μ, s, γ, dμ, dσ² after them, so that pass 2 binds few buffers
 * (WebGPU guarantees only eight storage buffers per shader).
 */
function gradSumsShader(l: Layout, eps: number, stats: StatGrads, relu: boolean): string {
  const bindings = ['x', 'gamma', 'meanIn', 'varIn', 'dy', ...(relu ? ['y'] : []), ...(stats === 'direct' ? ['dMean', 'dVar'] : stats === 'packed' ? ['statGrads'] : [])];
  const [dMean, dVar] = { none: ['0.0', '0.0'], direct: ['dMean[c]', 'dVar[c]'], packed: ['statGrads[c]', 'statGrads[C + c]'] }[stats];
  return `${prelude(l, ['red'])}
@group(0) @binding(0) var<storage, read_write> aux: array<f32>;
${bindings.map((n, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${n}: array<f32>;`).join('\n')}
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
      let i = r * C + c;
      let g = ${dyAt(relu)};
      sd += g;
      sdx += g * (x[i] - mean);
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
    aux[base + 3u * C + c] = ${dMean};
    aux[base + 4u * C + c] = ${dVar};
  }
}`;
}

/** Backward pass 2: total the partials of the workgroup's channels, write dx (and dγ, dβ once). */
function gradApplyShader(l: Layout, relu: boolean): string {
  return `${prelude(l, ['red', 'red2'])}
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(2) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;
${relu ? '@group(0) @binding(6) var<storage, read> y: array<f32>;' : ''}
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
    let i = r * C + c;
    dx[i] = k1 * ${dyAt(relu)} + k2 * (x[i] - mean) + k3;
  }
}`;
}

/**
 * [dμ + (1 − momentum) dm, dσ² + (1 − momentum) dv] as one [2C] buffer (dm, dv: the gradients of
 * the new moving statistics, when given): one dispatch, only where some statistic's gradient is not
 * the tape's zeros, i.e. never in training.
 */
function packShader(c: number, momentum: number | null): string {
  const moving = momentum != null;
  return `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> dMean: array<f32>;
@group(0) @binding(2) var<storage, read> dVar: array<f32>;
${moving ? '@group(0) @binding(3) var<storage, read> dMovingMean: array<f32>;\n@group(0) @binding(4) var<storage, read> dMovingVar: array<f32>;' : ''}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= ${c}u) { return; }
  out[i] = dMean[i]${moving ? ` + dMovingMean[i] * ${f32Literal(1 - momentum!)}` : ''};
  out[${c}u + i] = dVar[i]${moving ? ` + dMovingVar[i] * ${f32Literal(1 - momentum!)}` : ''};
}`;
}

/**
 * [y, μ, σ²] of x [..., C], and with a momentum the new moving statistics after them: two
 * dispatches.
 */
function forward(backend: WebGPUBackendLike, t: Record<string, tf.TensorInfo>, eps: number, o: ForwardOptions): tf.TensorInfo[] {
  const l = layoutFor(t.x);
  const names = channelInputs(o);
  const [part] = runRaw(backend, {
    code: statsShader(l, o),
    inputs: [t.x, ...names.map((n) => t[n])],
    outputs: [{ shape: [(l.chunks * 2 + names.length) * l.c] }],
    workgroups: [l.chunks, l.groups],
  });
  const stats = o.momentum == null ? 2 : 4;
  const outs = runRaw(backend, {
    code: applyShader(l, eps, o),
    inputs: [t.x, part],
    outputs: [{ shape: t.x.shape }, ...Array.from({ length: stats }, () => ({ shape: [l.c] }))],
    workgroups: [l.blocks, l.groups],
  });
  disposeInfo(backend, part);
  return outs;
}

/**
 * [dx, dGamma, dBeta]: two dispatches (three where a statistic's gradient must be read and folded,
 * see `packShader`). With input y (a fused ReLU's output), dy is masked by y > 0 first.
 */
function backward(backend: WebGPUBackendLike, t: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap): tf.TensorInfo[] {
  const l = layoutFor(t.x);
  const relu = t.y != null;
  // In training no loss reads μ, σ² or the new moving statistics (only the moving averages do): their
  // gradients are the tape's zeros, left out (never uploaded).
  const given = (d: tf.TensorInfo | undefined) => d != null && !isHostZeros(backend, d);
  const movingGrads = given(t.dMovingMean) || given(t.dMovingVariance);
  const statGrads = given(t.dMean) || given(t.dVariance);
  // With y bound, dμ and dσ² as two more buffers would make nine in pass 1.
  const stats: StatGrads = movingGrads || (statGrads && relu) ? 'packed' : statGrads ? 'direct' : 'none';
  let packed: tf.TensorInfo | null = null;
  if (stats === 'packed') {
    const momentum = movingGrads ? (attrs.momentum as number) : null;
    [packed] = runRaw(backend, {
      code: packShader(l.c, momentum),
      inputs: movingGrads ? [t.dMean, t.dVariance, t.dMovingMean, t.dMovingVariance] : [t.dMean, t.dVariance],
      outputs: [{ shape: [2 * l.c] }],
      workgroups: [Math.ceil(l.c / 64)],
    });
  }
  const statInputs = { none: [], direct: [t.dMean, t.dVariance], packed: [packed!] }[stats];
  const eps = attrs.epsilon as number;
  const [aux] = runRaw(backend, {
    code: gradSumsShader(l, eps, stats, relu),
    inputs: [t.x, t.gamma, t.mean, t.variance, t.dy, ...(relu ? [t.y] : []), ...statInputs],
    outputs: [{ shape: [(2 * l.chunks + 5) * l.c] }],
    workgroups: [l.chunks, l.groups],
  });
  if (packed) disposeInfo(backend, packed);
  const outs = runRaw(backend, {
    code: gradApplyShader(l, relu),
    inputs: [t.x, t.dy, aux, ...(relu ? [t.y] : [])],
    outputs: [{ shape: t.x.shape }, { shape: [l.c] }, { shape: [l.c] }],
    workgroups: [l.blocks, l.groups],
  });
  disposeInfo(backend, aux);
  return outs;
}

/**
 * The gradient of a step kernel through `AvlabBatchNormGrad`. The ReLU variant saves its output y
 * for the mask (exact, ties included, where recomputing BN(x) > 0 in another shader might round
 * differently; the layer after it keeps y anyway); the plain one saves no full-size output.
 */
function registerStepGradient(kernelName: string, relu: boolean): void {
  if (tf.getGradient(kernelName)) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [relu, true, true, false, false],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dMean, dVariance, dMovingMean, dMovingVariance] = dys as tf.Tensor[];
      // Saved: the inputs x, γ, then the outputs y (ReLU variant only), μ, σ².
      const [x, gamma, y, mean, variance] = relu ? saved : [saved[0], saved[1], null, saved[2], saved[3]];
      const inputs: tf.NamedTensorMap = { x, gamma, mean, variance, dy, dMean, dVariance, dMovingMean, dMovingVariance, ...(y ? { y } : {}) };
      const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      // ∂m'/∂m = 1 − (1 − momentum), in the float32 the kernel multiplied by.
      const keep = 1 - Math.fround(1 - (attrs as { momentum: number }).momentum);
      return {
        x: () => dx,
        gamma: () => dGamma,
        beta: () => dBeta,
        movingMean: () => tf.mul(dMovingMean, keep),
        movingVariance: () => tf.mul(dMovingVariance, keep),
      };
    },
  });
}

/**
 * Registers the batch-norm kernels (`AvlabBatchNorm`, both step kernels, `AvlabBatchNormGrad`) for
 * the webgpu backend, and their gradients (the plain kernel's where the native install has not).
 * Idempotent; false without WebGPU.
 */
export function installWebgpuBatchNorm(): boolean {
  if (installed) return true;
  if (!webgpuBackend()) return false;
  // [kernel, whether it is a step kernel (moving statistics), whether a ReLU follows].
  const kernels: [string, boolean, boolean][] = [
    [BATCH_NORM_KERNEL, false, false],
    [BATCH_NORM_STEP_KERNEL, true, false],
    [BATCH_NORM_RELU_STEP_KERNEL, true, true],
  ];
  for (const [kernelName, step, relu] of kernels) {
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const o: ForwardOptions = { momentum: step ? (attrs!.momentum as number) : null, relu };
        return forward(backend as unknown as WebGPUBackendLike, inputs as Record<string, tf.TensorInfo>, attrs!.epsilon as number, o);
      },
    });
  }
  tf.registerKernel({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => backward(backend as unknown as WebGPUBackendLike, inputs as Record<string, tf.TensorInfo>, attrs!),
  });
  registerBatchNormGradient();
  registerStepGradient(BATCH_NORM_STEP_KERNEL, false);
  registerStepGradient(BATCH_NORM_RELU_STEP_KERNEL, true);
  installed = true;
  return true;
}
