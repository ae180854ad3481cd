/**
 * What the convolution kernels of convFilterGrad.ts and convForward.ts share: the geometry of a
 * convolution they take (`convInfoOf`), tile arithmetic, and the WGSL that reads the im2col matrix
 *
 *   X[r, k] = x[n, oh·s_h + kh − pad_top, ow·s_w + kw − pad_left, ci]   (0 outside the image),
 *   k = (kh, kw, ci),  r = (n, oh, ow),
 *
 * straight from x, so no patch matrix is ever materialised. Both kernels take NHWC and unit
 * dilations only, bake every size into the shader, and hand anything else to tfjs's own kernel.
 */
import * as tf from '@tensorflow/tfjs';

export type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** Largest tile side (values of k or of co per workgroup); 64 × 64 tiles use 256 threads. */
const MAX_TILE = 64;

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
export const roundUp = (a: number, b: number): number => ceilDiv(a, b) * b;

/** A tile side that cuts `size` into equal tiles of at most MAX_TILE (fewer wasted lanes than fixed 64s). */
export function tileSide(size: number): number {
  return roundUp(ceilDiv(size, ceilDiv(size, MAX_TILE)), 4);
}

/**
 * WGSL shared by the convolution kernels: the geometry as constants, the input `x` at binding 1
 * (read as vec4 when C_in % 4 == 0), and `patchQuad(r, k)`, four consecutive columns of the im2col
 * matrix X[r, k] computed on the fly (zero outside the image and past the end of either axis).
 */
export function patchWgsl(c: ConvInfo): string {
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
 * The geometry of a convolution avlab's kernels compute, or null for what tfjs's kernels keep: NCHW,
 * dilations, dtypes other than float32, empty tensors.
 */
export function convInfoOf(x: tf.TensorInfo, filterShape: number[], attrs: Record<string, unknown>): ConvInfo | null {
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
