/**
 * The forward pass of a 2-D convolution (Conv2D, FusedConv2D) as a GEMM with tiles fitted to small
 * channel counts. tfjs's kernel is a tiled GEMM already, but with 32 output channels per tile: the
 * 16- and 8-channel layers of the ResNet and the AVTS encoders leave half its lanes idle or more.
 * The on-the-fly im2col of convPatches.ts with tiles cut to the channel count takes those layers;
 * tfjs keeps the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { ceilDiv, ConvInfo, convInfoOf, patchWgsl, tileSide } from './convPatches';
import { f32Literal, grid, runRaw, WebGPUBackendLike } from './raw';

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
 * `conv2d(x, W)` (+ bias, activation for FusedConv2D) in one raw dispatch, or null for cases
 * tfjs's own kernel should take: those `convInfoOf` declines, PReLU, a bias that is not one value per channel, and
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
