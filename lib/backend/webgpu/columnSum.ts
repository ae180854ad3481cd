/**
 * Sums over the leading axes (column sums: every bias gradient, Σ over the batch rows of dy) on
 * tfjs's WebGPU backend. tfjs's Sum transposes the reduced axes to the end (one dispatch) and then
 * sums rows (another); training steps are bound by the host's cost per dispatch, so here the column
 * sums are read in place, in one dispatch. Other reductions, non-float tensors and empty columns
 * keep tfjs's kernel (as lib/backend/wasmColumnSum.ts on wasm).
 *
 * x is viewed as [R, C]. A workgroup of 256 threads owns CT consecutive columns by RL row lanes
 * (thread = lane · CT + column, so a workgroup reads whole runs of memory); each lane sums every
 * RL-th row of its rows in four f32 accumulators (four loads in flight), then the lanes of a column
 * are summed as a tree in workgroup memory. Column tiles alone give a tall, thin x (65536 × 10) one
 * workgroup, whose lanes would each walk thousands of rows on one compute unit; when a lane would
 * read more than SINGLE_PASS_LOADS rows, the rows are split into chunks, the first dispatch writes a
 * partial sum per chunk and column, and a second (the same shader) sums those partials. That is the
 * two dispatches of tfjs, without its transposed copy and parallel over rows where tfjs's row sums
 * use one workgroup per column.
 */
import * as tf from '@tensorflow/tfjs';
import { columnSumCase } from '../columnSumCase';
import { disposeInfo, grid, overrideKernel, runRaw, WebGPUBackendLike } from './raw';

const THREADS = 256;
/** Columns per workgroup when there are more than that: 64 floats, two full 128-byte reads a row. */
const MAX_CT = 64;
/** Rows one lane may sum in a single pass; beyond, the rows are split (a second dispatch). */
const SINGLE_PASS_LOADS = 128;
/** Rows a lane sums per chunk when split: short enough that the chunks fill a large GPU. */
const CHUNK_LOADS = 32;
/** At most this many partials per column, so that the second pass stays one short pass. */
const MAX_CHUNKS = 256;

/** How an [R, C] column sum splits over workgroups: tiles of CT columns × chunks of chunkRows rows. */
export interface ColumnSumLayout {
  rows: number;
  cols: number;
  ct: number;
  rl: number;
  tiles: number;
  chunkRows: number;
  chunks: number;
}

/** The layout of one pass over [rows, cols] (rows, cols > 0), split into row chunks when tall. */
export function columnSumLayout(rows: number, cols: number): ColumnSumLayout {
  // Few columns: one tile of exactly C columns, so a workgroup reads RL whole rows at a time.
  const ct = Math.min(cols, MAX_CT);
  const rl = Math.floor(THREADS / ct);
  const tiles = Math.ceil(cols / ct);
  let chunks = 1;
  if (Math.ceil(rows / rl) > SINGLE_PASS_LOADS) chunks = Math.min(MAX_CHUNKS, Math.ceil(rows / (rl * CHUNK_LOADS)));
  const chunkRows = Math.ceil(rows / chunks);
  return { rows, cols, ct, rl, tiles, chunkRows, chunks: Math.ceil(rows / chunkRows) };
}

/** WGSL: y[chunk, c] = Σ x[r, c] over the rows r of the chunk, for every column c. */
export function columnSumShader(l: ColumnSumLayout): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
const R = ${l.rows}u;
const C = ${l.cols}u;
const CT = ${l.ct}u;
const RL = ${l.rl}u;
const TILES = ${l.tiles}u;
const CHUNK_ROWS = ${l.chunkRows}u;
const GROUPS = ${l.tiles * l.chunks}u;
var<workgroup> red: array<f32, ${l.ct * l.rl}>;
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // Workgroup-uniform: the whole workgroup leaves together (grid() may round the count up).
  let g = wg.x + wg.y * nw.x;
  if (g >= GROUPS) { return; }
  let chunk = g / TILES;
  let c = (g % TILES) * CT + lid % CT;
  let lane = lid / CT;
  let r1 = min(R, (chunk + 1u) * CHUNK_ROWS);
  var a0 = 0.0;
  var a1 = 0.0;
  var a2 = 0.0;
  var a3 = 0.0;
  if (lane < RL && c < C) {
    const STRIDE = RL * C;
    var r = chunk * CHUNK_ROWS + lane;
    var i = r * C + c;
    for (; r + 3u * RL < r1; r += 4u * RL) {
      a0 += x[i];
      a1 += x[i + STRIDE];
      a2 += x[i + 2u * STRIDE];
      a3 += x[i + 3u * STRIDE];
      i += 4u * STRIDE;
    }
    for (; r < r1; r += RL) {
      a0 += x[i];
      i += STRIDE;
    }
  }
  if (lane < RL) { red[lid] = (a0 + a1) + (a2 + a3); }
  workgroupBarrier();
  // Lanes [0, n - h) add lanes [h, n): any RL, not only powers of two.
  for (var n = RL; n > 1u; n = (n + 1u) / 2u) {
    let h = (n + 1u) / 2u;
    if (lane < n - h) { red[lid] += red[lid + h * CT]; }
    workgroupBarrier();
  }
  if (lane == 0u && c < C) { y[chunk * C + c] = red[lid]; }
}`;
}

/**
 * Column sums of x viewed as [rows, cols], as a tensor of `outShape` (rows · cols = x's size):
 * one dispatch, two when the rows are split (see the module comment).
 */
export function columnSum(backend: WebGPUBackendLike, x: tf.TensorInfo, rows: number, cols: number, outShape: number[]): tf.TensorInfo {
  const l = columnSumLayout(rows, cols);
  const pass = (layout: ColumnSumLayout, input: tf.TensorInfo, shape: number[]) =>
    runRaw(backend, { code: columnSumShader(layout), inputs: [input], outputs: [{ shape }], workgroups: grid(layout.tiles * layout.chunks), label: 'AvlabColumnSum' })[0];
  if (l.chunks === 1) return pass(l, x, outShape);
  const partials = pass(l, x, [l.chunks, cols]);
  const out = pass(columnSumLayout(l.chunks, cols), partials, outShape);
  disposeInfo(backend, partials);
  return out;
}

let installed = false;

/** tfjs's makeTensorInfo takes initial values too (kept on the CPU until a kernel needs them). */
type WithValues = { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };

/**
 * Replaces tfjs's webgpu Sum by one that takes float32 sums over leading axes (axes 0..k-1 of a
 * tensor of rank > k, keepDims honoured) as column sums, and leaves every other case to tfjs.
 * Idempotent; false where tfjs has no webgpu Sum to wrap.
 */
export function installWebgpuColumnSum(): boolean {
  if (installed) return true;
  const reshape = tf.getKernel('Reshape', 'webgpu');
  if (!reshape) return false;
  installed = overrideKernel('Sum', (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const sum = columnSumCase(x, args.attrs as unknown as { axis: number | number[]; keepDims: boolean });
    if (!sum || sum.cols === 0) return null;
    const { rows, cols, outShape } = sum;
    const backend = args.backend as unknown as WebGPUBackendLike;
    // No rows: zeros, as values on the CPU (tfjs 4.22's Sum throws allocating the empty input's buffer).
    if (rows === 0) return (backend as unknown as WithValues).makeTensorInfo(outShape, 'float32', new Float32Array(cols));
    // One row: the sum is x itself, a reshape shares its buffer (no dispatch).
    if (rows === 1) return reshape.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape: outShape } }) as tf.TensorInfo;
    return columnSum(backend, x, rows, cols, outShape);
  });
  return installed;
}
