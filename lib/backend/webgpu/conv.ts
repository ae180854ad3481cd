/**
 * 2-D convolutions on tfjs's WebGPU backend: the filter gradient as a split-K GEMM, and the forward
 * pass (Conv2D, FusedConv2D) as a GEMM with tiles fitted to small channel counts.
 *
 * Filter gradient. tfjs-backend-webgpu 4.22 gives one thread per filter element, each looping over
 * every image and output position (32·32·32 = 32k terms per thread for the ResNet stem over a batch
 * of 32, and only 576 threads): the GPU sits nearly idle; on an H200 it was 1.18 s of a ResNet
 * epoch's 1.42 s of GPU time. The gradient is a matrix product with a small output and a long
 * reduction,
 *
 *   dW[k, co] = Σ_r X[r, k] · dy[r, co],   k = (kh, kw, ci),  r = (n, oh, ow),
 *   X[r, k]   = x[n, oh·s_h + kh − pad_top, ow·s_w + kw − pad_left, ci]   (0 outside the image),
 *
 * so here the reduction axis r is cut into chunks: every workgroup multiplies one chunk for one tile
 * of dW, staging im2col rows of x and rows of dy in workgroup memory, and writes a partial tile; a
 * second small dispatch adds the chunks' partials in a fixed order (deterministic). The ResNet's
 * layers run as 128–1,536 workgroups of 64-row chunks.
 *
 * Forward. tfjs's kernel is a tiled GEMM already, but with 32 output channels per tile: the 16- and
 * 8-channel layers of the ResNet and the AVTS encoders leave half its lanes idle or more. The same
 * on-the-fly im2col with tiles cut to the channel count takes those layers; tfjs keeps the rest.
 *
 * Both kernels take NHWC and unit dilations only, bake every size into the shader, and hand
 * anything else to tfjs's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { grid, runRaw, WebGPUBackendLike } from './raw';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** Rows of the reduction staged in workgroup memory per step. */
const ROWS = 16;
/** Chunks are at least this many rows, so a partial tile is written after a fair amount of work. */
const MIN_CHUNK = 64;
/** About as many workgroups as keep a large GPU busy; beyond it chunks grow instead. */
const TARGET_WORKGROUPS = 2048;
/** Largest tile side (values of k or of co per workgroup); 64 × 64 tiles use 256 threads. */
const MAX_TILE = 64;

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

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
const roundUp = (a: number, b: number): number => ceilDiv(a, b) * b;

/** A tile side that cuts `size` into equal tiles of at most MAX_TILE (fewer wasted lanes than fixed 64s). */
function tileSide(size: number): number {
  return roundUp(ceilDiv(size, ceilDiv(size, MAX_TILE)), 4);
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
 * WGSL shared by the convolution kernels: the geometry as constants, the input `x` at binding 1
 * (read as vec4 when C_in % 4 == 0), and `patchQuad(r, k)`, four consecutive columns of the im2col
 * matrix X[r, k] computed on the fly (zero outside the image and past the end of either axis).
 */
function patchWgsl(c: ConvInfo): string {
  // Quads of k share (kh, kw) and are 16-byte aligned when C_in % 4 == 0.
  const xVec = c.inChannels % 4 === 0;
  return /* wgsl */ `
const K = ${c.filterHeight * c.filterWidth * c.inChannels}u;
const R = ${c.batchSize * c.outHeight * c.outWidth}u;
const OHW = ${c.outHeight * c.outWidth}u;
const OW = ${c.outWidth}u;
const H = ${c.inHeight}i;
const W = ${c.inWidth}i;
const CI = ${c.inChannels}u;
const KWCI = ${c.filterWidth * c.inChannels}u;
const SH = ${c.strideHeight}i;
const SW = ${c.strideWidth}i;
const PT = ${c.padInfo.top}i;
const PL = ${c.padInfo.left}i;

@group(0) @binding(1) var<storage, read> x: array<${xVec ? 'vec4<f32>' : 'f32'}>;

// Where row r of the patch matrix reads the input: image n, top-left corner (ih0, iw0).
struct Row { n: u32, ih0: i32, iw0: i32 }

fn rowOf(r: u32) -> Row {
  let n = r / OHW;
  let q = r - n * OHW;
  let oh = q / OW;
  let ow = q - oh * OW;
  return Row(n, i32(oh) * SH - PT, i32(ow) * SW - PL);
}

// Flat offset of x[n, ih, iw, ci] for column k of the patch matrix, or -1 outside the image.
fn offsetOf(row: Row, k: u32) -> i32 {
  let kh = k / KWCI;
  let q = k - kh * KWCI;
  let kw = q / CI;
  let ci = q - kw * CI;
  let ih = row.ih0 + i32(kh);
  let iw = row.iw0 + i32(kw);
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return -1; }
  return ((i32(row.n) * H + ih) * W + iw) * i32(CI) + i32(ci);
}

fn patchQuad(r: u32, k: u32) -> vec4<f32> {
  if (r >= R) { return vec4<f32>(0.0); }
  let row = rowOf(r);
  ${
    xVec
      ? `if (k >= K) { return vec4<f32>(0.0); }
  let o = offsetOf(row, k);
  if (o < 0) { return vec4<f32>(0.0); }
  return x[u32(o) / 4u];`
      : `var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < K) {
      let o = offsetOf(row, k + j);
      if (o >= 0) { v[j] = x[u32(o)]; }
    }
  }
  return v;`
  }
}`;
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

/** How a forward convolution is cut into workgroups: tiles of output rows (n·oh·ow) × channels. */
export interface ForwardPlan {
  tileM: number;
  tileN: number;
  tilesM: number;
  tilesN: number;
}

/** Workgroups below which row tiles shrink, so that small layers still spread over a large GPU. */
const MIN_FORWARD_WORKGROUPS = 264;

/**
 * Tiles of the output: channels cut as evenly as the filter gradient's tiles (tfjs's kernel uses 32
 * channels per tile, half idle for the 16-channel layers), rows 64 at a time, 32 or 16 when that
 * leaves fewer than MIN_FORWARD_WORKGROUPS workgroups.
 */
export function planForward(c: ConvInfo): ForwardPlan {
  const R = c.batchSize * c.outHeight * c.outWidth;
  const tileN = tileSide(c.outChannels);
  const tilesN = ceilDiv(c.outChannels, tileN);
  let tileM = 64;
  while (tileM > 16 && ceilDiv(R, tileM) * tilesN < MIN_FORWARD_WORKGROUPS) tileM /= 2;
  return { tileM, tileN, tilesM: ceilDiv(R, tileM), tilesN };
}

/** What FusedConv2D applies after the product. */
export interface Epilogue {
  bias: boolean;
  activation: 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid';
  leakyreluAlpha: number;
}

const ACTIVATIONS: Record<Epilogue['activation'], (alpha: number) => string> = {
  linear: () => 'return a;',
  relu: () => 'return select(a, 0.0, a < 0.0);',
  relu6: () => 'return clamp(a, 0.0, 6.0);',
  leakyrelu: (alpha) => `if (a < 0.0) { return ${f32Literal(alpha)} * a; } return a;`,
  elu: () => 'if (a >= 0.0) { return a; } return exp(a) - 1.0;',
  sigmoid: () => 'return 1.0 / (1.0 + exp(-1.0 * a));',
};

/** A float constant for WGSL, exact to the bit. */
function f32Literal(v: number): string {
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
  return `bitcast<f32>(${bits}u)`;
}

/** Rows of the im2col matrix's columns (k) staged per step of the forward product. */
const INNER = 16;

/**
 * The forward convolution as a GEMM, y[r, co] = act(Σ_k X[r, k] · W[k, co] + bias[co]): every
 * workgroup owns one tile of y and walks k, staging X (gathered from x) and W in workgroup memory.
 */
export function forwardShader(c: ConvInfo, p: ForwardPlan, e: Epilogue): string {
  const [TM4, TN4, KQ] = [p.tileM / 4, p.tileN / 4, INNER / 4];
  const threads = TM4 * TN4;
  const CO = c.outChannels;
  const wVec = CO % 4 === 0;
  return /* wgsl */ `${patchWgsl(c)}
const CO = ${CO}u;
const TM = ${p.tileM}u;
const TN = ${p.tileN}u;
const TM4 = ${TM4}u;
const TN4 = ${TN4}u;
const INNER = ${INNER}u;
const KQ = ${KQ}u;
const TILES_N = ${p.tilesN}u;
const TOTAL = ${p.tilesM * p.tilesN}u;
const THREADS = ${threads}u;

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<${wVec ? 'vec4<f32>' : 'f32'}>;
${e.bias ? '@group(0) @binding(3) var<storage, read> bias: array<f32>;' : ''}
// xs[kk * TM4 + q] holds X[m0 + 4q .. 4q + 3, k0 + kk]; ws[kk * TN4 + q] holds W[k0 + kk, n0 + 4q .. 4q + 3].
var<workgroup> xs: array<vec4<f32>, ${INNER * TM4}>;
var<workgroup> ws: array<vec4<f32>, ${INNER * TN4}>;

// W[k, c .. c+3] (zero past the end of either axis).
fn wQuad(k: u32, c: u32) -> vec4<f32> {
  if (k >= K) { return vec4<f32>(0.0); }
  ${
    wVec
      ? `if (c >= CO) { return vec4<f32>(0.0); }
  return w[(k * CO + c) / 4u];`
      : `var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (c + j < CO) { v[j] = w[k * CO + c + j]; }
  }
  return v;`
  }
}

fn act(a: f32) -> f32 { ${ACTIVATIONS[e.activation](e.leakyreluAlpha)} }

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= TOTAL) { return; }
  let mt = g / TILES_N;
  let m0 = mt * TM;
  let n0 = (g - mt * TILES_N) * TN;
  let tx = t % TN4;
  let ty = t / TN4;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += INNER) {
    for (var i = t; i < TM * KQ; i += THREADS) {
      let m = i / KQ;
      let q = i - m * KQ;
      let v = patchQuad(m0 + m, k0 + q * 4u);
      let at = q * 4u * TM4 + m / 4u;
      let lane = m % 4u;
      xs[at][lane] = v.x;
      xs[at + TM4][lane] = v.y;
      xs[at + 2u * TM4][lane] = v.z;
      xs[at + 3u * TM4][lane] = v.w;
    }
    for (var i = t; i < INNER * TN4; i += THREADS) {
      let kk = i / TN4;
      ws[i] = wQuad(k0 + kk, n0 + (i - kk * TN4) * 4u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < INNER; kk++) {
      let a = xs[kk * TM4 + ty];
      let b = ws[kk * TN4 + tx];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = m0 + ty * 4u + i;
    if (r >= R) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx * 4u + j;
      if (n < CO) { y[r * CO + n] = act(acc[i][j]${e.bias ? ' + bias[n]' : ''}); }
    }
  }
}`;
}

/**
 * The geometry of a convolution this module computes, or null for what tfjs's kernels keep: NCHW,
 * dilations, dtypes other than float32, empty tensors.
 */
function convInfoOf(x: tf.TensorInfo, filterShape: number[], attrs: Record<string, unknown>): ConvInfo | null {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  const dilations = (attrs.dilations as number | [number, number] | undefined) ?? 1;
  if (dataFormat !== 'NHWC' || [dilations].flat().some((d) => d !== 1)) return null;
  if (x.dtype !== 'float32' || x.shape.length !== 4 || filterShape.length !== 4 || filterShape[2] !== x.shape[3]) return null;
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  const sizes = [c.batchSize, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  return sizes.some((s) => s < 1) ? null : c;
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
  (backend as unknown as tf.KernelBackend).disposeData(part.dataId);
  return out;
}

/**
 * `conv2d(x, W)` (+ bias, activation for FusedConv2D) in one raw dispatch, or null for cases
 * tfjs's own kernel should take: those above, PReLU, a bias that is not one value per channel, and
 * output channels in multiples of 32, which tfjs's tiles fit (measured no faster here).
 */
export function conv2dForward(backend: WebGPUBackendLike, inputs: Record<string, tf.TensorInfo | undefined>, attrs: Record<string, unknown>): tf.TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (!x || !filter || preluActivationWeights || filter.dtype !== 'float32') return null;
  const c = convInfoOf(x, filter.shape, attrs);
  // tfjs's kernel computes 32 channels per tile: fine when they divide C_out, idle lanes otherwise.
  if (!c || c.outChannels % 32 === 0) return null;
  const activation = ((attrs.activation as string | undefined) ?? 'linear') as Epilogue['activation'];
  if (!(activation in ACTIVATIONS)) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== c.outChannels || bias.shape[bias.shape.length - 1] !== c.outChannels)) return null;
  const p = planForward(c);
  const e: Epilogue = { bias: !!bias, activation, leakyreluAlpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 };
  const code = forwardShader(c, p, e);
  return runRaw(backend, { code, inputs: bias ? [x, filter, bias] : [x, filter], outputs: [{ shape: c.outShape }], workgroups: grid(p.tilesM * p.tilesN) })[0];
}

/** Replaces a webgpu kernel by `ours`, falling back to tfjs's kernel wherever `ours` returns null. */
function override(kernelName: string, ours: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null): boolean {
  const original = tf.getKernel(kernelName, 'webgpu');
  if (!original) return false;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ ...original, kernelFunc: (args) => ours(args) ?? original.kernelFunc(args) });
  return true;
}

let installed = false;

/**
 * Registers avlab's convolution kernels for the webgpu backend: the split-K filter gradient
 * (Conv2DBackpropFilter) and the forward GEMM (Conv2D, FusedConv2D), keeping tfjs's kernels for the
 * cases they decline. Conv2DBackpropInput stays tfjs's. Idempotent; false where tfjs has no webgpu
 * kernels to replace (the backend package is not loaded).
 */
export function installWebgpuConv(): boolean {
  if (installed) return true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'webgpu')) return false;
  const attrsOf = (args: Parameters<tf.KernelFunc>[0]) => (args.attrs ?? {}) as Record<string, unknown>;
  const backendOf = (args: Parameters<tf.KernelFunc>[0]) => args.backend as unknown as WebGPUBackendLike;
  override('Conv2DBackpropFilter', (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return conv2dFilterGradient(backendOf(args), x, dy, attrsOf(args));
  });
  for (const name of ['Conv2D', 'FusedConv2D']) {
    override(name, (args) => conv2dForward(backendOf(args), args.inputs as Record<string, tf.TensorInfo | undefined>, attrsOf(args)));
  }
  installed = true;
  return true;
}
