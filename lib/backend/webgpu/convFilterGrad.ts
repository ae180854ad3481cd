/**
 * The filter gradient of a 2-D convolution (Conv2DBackpropFilter) as a split-K GEMM.
 *
 * tfjs-backend-webgpu 4.22 gives one thread per filter element, each looping over every image and
 * output position (32·32·32 = 32k terms per thread for the ResNet stem over a batch of 32, and only
 * 576 threads): the GPU sits nearly idle; on an H200 it was 1.18 s of a ResNet epoch's 1.42 s of GPU
 * time. The gradient is a matrix product with a small output and a long reduction,
 *
 *   dW[k, co] = Σ_r X[r, k] · dy[r, co]   (X: the im2col matrix of convPatches.ts),
 *
 * so here the reduction axis r is cut into chunks: every workgroup multiplies one chunk for one tile
 * of dW, staging im2col rows of x and rows of dy in workgroup memory, and writes a partial tile; a
 * second small dispatch adds the chunks' partials in a fixed order (deterministic). The ResNet's
 * layers run as 128–1,536 workgroups of 64-row chunks.
 */
import * as tf from '@tensorflow/tfjs';
import { ceilDiv, ConvInfo, convInfoOf, patchWgsl, roundUp, tileSide } from './convPatches';
import { disposeInfo, grid, runRaw, WebGPUBackendLike } from './raw';

/** Rows of the reduction staged in workgroup memory per step. */
const ROWS = 16;
/** Chunks are at least this many rows, so a partial tile is written after a fair amount of work. */
const MIN_CHUNK = 64;
/** About as many workgroups as keep a large GPU busy; beyond it chunks grow instead. */
const TARGET_WORKGROUPS = 2048;

/** How one filter gradient is cut into workgroups. */
export interface FilterGradPlan {
  /** GEMM sizes: K = kh·kw·C_in output rows, CO output columns, R reduction rows (n·oh·ow). */
  K: number;
  CO: number;
  R: number;
  /** Tile of dW per workgroup (multiples of 4) and the tiles along each side. */
  tileM: number;
  tileN: number;
  tilesM: number;
  tilesN: number;
  /** Reduction rows per workgroup (a multiple of ROWS) and the number of chunks. */
  chunk: number;
  splits: number;
}

/**
 * Tiles and chunks for a convolution: tiles as even as the sizes allow, then enough chunks of the
 * reduction for about TARGET_WORKGROUPS workgroups (never chunks under MIN_CHUNK rows).
 */
export function planFilterGrad(c: ConvInfo): FilterGradPlan {
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const CO = c.outChannels;
  const R = c.batchSize * c.outHeight * c.outWidth;
  const tileM = tileSide(K);
  const tileN = tileSide(CO);
  const tilesM = ceilDiv(K, tileM);
  const tilesN = ceilDiv(CO, tileN);
  const chunk = roundUp(Math.max(MIN_CHUNK, ceilDiv(R * tilesM * tilesN, TARGET_WORKGROUPS)), ROWS);
  return { K, CO, R, tileM, tileN, tilesM, tilesN, chunk, splits: ceilDiv(R, chunk) };
}

/**
 * The partial-product shader: workgroup (split, tile) writes Σ over its chunk of rows into
 * `part[split, k, co]` (straight into dW when there is one chunk). Every size is a constant.
 */
export function filterGradShader(c: ConvInfo, p: FilterGradPlan): string {
  const [TM4, TN4] = [p.tileM / 4, p.tileN / 4];
  const threads = TM4 * TN4;
  const dyVec = p.CO % 4 === 0;
  return /* wgsl */ `${patchWgsl(c)}
const CO = ${p.CO}u;
const TM = ${p.tileM}u;
const TN = ${p.tileN}u;
const TM4 = ${TM4}u;
const TN4 = ${TN4}u;
const ROWS = ${ROWS}u;
const CHUNK = ${p.chunk}u;
const TILES_N = ${p.tilesN}u;
const TILES = ${p.tilesM * p.tilesN}u;
const TOTAL = ${p.tilesM * p.tilesN * p.splits}u;
const THREADS = ${threads}u;

@group(0) @binding(0) var<storage, read_write> part: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<${dyVec ? 'vec4<f32>' : 'f32'}>;
var<workgroup> xs: array<vec4<f32>, ${ROWS * TM4}>;
var<workgroup> ds: array<vec4<f32>, ${ROWS * TN4}>;

// dy[r, c .. c+3] (zero past the end of either axis).
fn dyQuad(r: u32, c: u32) -> vec4<f32> {
  if (r >= R) { return vec4<f32>(0.0); }
  ${
    dyVec
      ? `if (c >= CO) { return vec4<f32>(0.0); }
  return dy[(r * CO + c) / 4u];`
      : `var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (c + j < CO) { v[j] = dy[r * CO + c + j]; }
  }
  return v;`
  }
}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= TOTAL) { return; }
  let split = g / TILES;
  let tile = g - split * TILES;
  let mt = tile / TILES_N;
  let m0 = mt * TM;
  let n0 = (tile - mt * TILES_N) * TN;
  let r0 = split * CHUNK;
  let r1 = min(r0 + CHUNK, R);
  let tx = t % TN4;
  let ty = t / TN4;
  var acc: array<vec4<f32>, 4>;
  for (var rb = r0; rb < r1; rb += ROWS) {
    for (var i = t; i < ROWS * TM4; i += THREADS) {
      let rr = i / TM4;
      xs[i] = patchQuad(rb + rr, m0 + (i - rr * TM4) * 4u);
    }
    for (var i = t; i < ROWS * TN4; i += THREADS) {
      let rr = i / TN4;
      ds[i] = dyQuad(rb + rr, n0 + (i - rr * TN4) * 4u);
    }
    workgroupBarrier();
    for (var rr = 0u; rr < ROWS; rr++) {
      let a = xs[rr * TM4 + ty];
      let b = ds[rr * TN4 + tx];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let base = split * K * CO;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + ty * 4u + i;
    if (m >= K) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx * 4u + j;
      if (n < CO) { part[base + m * CO + n] = acc[i][j]; }
    }
  }
}`;
}

const REDUCE_WORKGROUP = 64;

/** Sums `splits` partial filters of `size` values each, in order. */
export function reduceShader(size: number, splits: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = id.x + id.y * nwg.x * ${REDUCE_WORKGROUP}u;
  if (i >= ${size}u) { return; }
  var s = 0.0;
  for (var k = 0u; k < ${splits}u; k++) { s += part[k * ${size}u + i]; }
  out[i] = s;
}`;
}

/**
 * dW of `conv2d(x, W)` given dy, recorded as one or two raw dispatches. Returns null for cases
 * tfjs's own kernel should take.
 */
export function conv2dFilterGradient(backend: WebGPUBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, attrs: Record<string, unknown>): tf.TensorInfo | null {
  const c = convInfoOf(x, attrs.filterShape as number[], attrs);
  if (!c || dy.dtype !== 'float32' || dy.shape.join() !== c.outShape.join()) return null;
  const p = planFilterGrad(c);
  const filterShape = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const size = p.K * p.CO;
  const workgroups = grid(p.tilesM * p.tilesN * p.splits);
  if (p.splits === 1) {
    return runRaw(backend, { code: filterGradShader(c, p), inputs: [x, dy], outputs: [{ shape: filterShape }], workgroups })[0];
  }
  const [part] = runRaw(backend, { code: filterGradShader(c, p), inputs: [x, dy], outputs: [{ shape: [p.splits, size] }], workgroups });
  const [out] = runRaw(backend, { code: reduceShader(size, p.splits), inputs: [part], outputs: [{ shape: filterShape }], workgroups: grid(ceilDiv(size, REDUCE_WORKGROUP)) });
  // Released once the recorded commands are submitted (runRaw holds it until then).
  disposeInfo(backend, part);
  return out;
}
