/**
 * 3-D convolution as one 2-D convolution over a temporal im2col, so that video networks train on the
 * convolution kernels avlab makes fast (im2col + GEMM on OpenBLAS, lib/backend/nativeConv; avlab's
 * WebGPU conv kernels) and in few kernel launches.
 *
 * Why not `tf.conv3d`: tfjs-backend-wasm 4.22 has `Conv3D` and both of its gradients, but as direct
 * loops in its own C++ (no GEMM): measured here at ~1.1–1.5 GFLOP/s for a training step of a small
 * video block, against ~14–45 GFLOP/s on the 2-D kernels (`conv3dKernelPath` says which path tfjs's
 * own `tf.conv3d` takes; the bench prints it). Its input gradient on wasm also disagrees with the
 * cpu backend's (relative error 0.6–1.4 measured here, with or without avlab's kernels installed).
 *
 * Method. For a kernel W of shape [k_d, k_h, k_w, C_in, C_out], temporal stride s_d and input x of
 * shape [N, D, H, W, C_in] (zero-padded in time as TensorFlow pads: 'same' puts ⌊p/2⌋ frames in
 * front, giving x̃),
 *
 *   y[n, t] = Σ_{τ=0}^{k_d−1} conv2d(x̃[n, s_d·t + τ], W[τ]) = conv2d(X[n, t], W')
 *   X[n, t, h, w, τ·C_in + c] = x̃[n, s_d·t + τ, h, w, c]        (the k_d taps stacked on the channels)
 *   W'[i, j, τ·C_in + c, o]   = W[τ, i, j, c, o]               (one transpose of the kernel)
 *
 * with conv2d's spatial strides and padding: one conv2d over a batch of N·D_out stacked images
 * [H, W, k_d·C_in]. X is one gather of rows of x (frame s_d·t + τ − front of clip n, or an appended
 * zero row where that frame is padding); its gradient is a custom one (`gatherTaps`). With k_d = 1
 * and s_d = 1 it is a reshape and a 2-D convolution of every frame (the "2-D" blocks of a
 * mixed-convolution network). Equal to `tf.conv3d` within float rounding (tested, values and
 * gradients, both tap gathers).
 *
 * The gather has two granularities (`Conv3dTapGather`), chosen per backend:
 * - `pixel` (WebGPU): rows of C_in values land in X's layout directly — one kernel;
 * - `frame` (wasm, cpu, tensorflow): rows of whole frames (H·W·C_in contiguous values), then one
 *   transpose puts τ next to c. On wasm the gather is a copy loop in JavaScript per row, and rows of
 *   3 values made it 2.3x slower than whole frames plus the transpose.
 *
 * Measured (AVTS workload at the bench's shapes, training step, interleaved A/B in one process on
 * 2 CPU cores; previous formulation: a sum of k_d conv2d on sliced frames, one slice per output frame
 * and a concat at s_d = 2, with kernel slices, adds, and pads as the slices' gradients):
 *
 *                                      sum of conv2d   pixel    frame
 *   wasm, step ms                           76.4         57.5     24.5
 *   WebGPU (Dawn Null), host ms/step         9.05         6.11     6.07
 *   WebGPU dispatches per step              210          117      120
 *
 * On wasm a third of the old step was the three time-tap slices of the first block (~10 ms each: the
 * wasm Slice copies runs of C_in = 3 values). On WebGPU, where a step costs the host per dispatch, the
 * step's kernels went from 27 Slice, 25 PadV2, 25 Add, 3 Concat, 3 SplitV and k_d convolutions per
 * 3-D block each way to 3 GatherV2, 3 PadV2 (a zero row), 4 Transpose (the kernels), 1 BatchMatMul
 * and one convolution per block each way. `pixel` and `frame` cost the same host time there within
 * this machine's noise; `pixel` is kept for its 3 fewer dispatches. tfjs's own gather gradient
 * (UnsortedSegmentSum) is avoided: on wasm it is a copy of the cpu backend's kernel that makes one
 * masked pass over the whole tensor per segment (7.4 s for the frame gather of the stride-2 block).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';

/** Padding of `conv3dFrames`, as tfjs/TensorFlow define it. */
export type Conv3dPadding = 'same' | 'valid';

/** Output frames and the zero frames padded in front / behind, TensorFlow's rule. */
function temporalPadding(d: number, kd: number, sd: number, padding: Conv3dPadding): { dOut: number; front: number; back: number } {
  if (padding === 'valid') return { dOut: Math.floor((d - kd) / sd) + 1, front: 0, back: 0 };
  const dOut = Math.ceil(d / sd);
  const total = Math.max((dOut - 1) * sd + kd - d, 0);
  const front = Math.floor(total / 2);
  return { dOut, front, back: total - front };
}

/** Entries of each cache below; past it the oldest entry goes. */
const CACHE_LIMIT = 64;

/** Gather indices per geometry (plain arrays, shared by every backend). */
const plans = new Map<string, { fwd: { rows: Int32Array; zero: boolean }; bwd: { rows: Int32Array; k: number; zero: boolean } }>();

/**
 * Constant tensors (gather indices, a row of ones) per backend instance, so that a training step
 * uploads none: kept out of every tidy scope, so the first call at a new shape leaves up to three
 * tensors more in `tf.memory()`; later calls at that shape none.
 */
const constants = new Map<string, { backend: tf.KernelBackend; tensor: tf.Tensor }>();

function release(t: tf.Tensor): void {
  try {
    if (!t.isDisposed) t.dispose();
  } catch {
    // Its backend was removed: nothing left to free.
  }
}

function constant(key: string, make: () => tf.Tensor): tf.Tensor {
  const backend = tf.backend();
  const full = `${tf.getBackend()}|${key}`;
  const hit = constants.get(full);
  if (hit && hit.backend === backend && !hit.tensor.isDisposed) return hit.tensor;
  if (hit) {
    release(hit.tensor);
    constants.delete(full);
  }
  if (constants.size >= CACHE_LIMIT) {
    const [oldest, entry] = constants.entries().next().value as [string, { tensor: tf.Tensor }];
    release(entry.tensor);
    constants.delete(oldest);
  }
  const tensor = tf.keep(make());
  constants.set(full, { backend, tensor });
  return tensor;
}

/** Geometry of the temporal im2col: clips, frames, rows per frame, taps, stride, output frames, front padding. */
interface TapGeometry {
  n: number;
  d: number;
  r: number;
  kd: number;
  sd: number;
  dOut: number;
  front: number;
}

/**
 * Row indices of the forward gather: for output row ((n·D_out + t)·R + r)·k_d + τ the row
 * (n·D + s_d·t + τ − front)·R + r of x, or N·D·R (a zero row appended to x) where that frame is
 * padding; `zero` says whether any is.
 */
function forwardRows(g: TapGeometry): { rows: Int32Array; zero: boolean } {
  const { n, d, r: rp, kd, sd, dOut, front } = g;
  const rows = new Int32Array(n * dOut * rp * kd);
  const zeroRow = n * d * rp;
  let zero = false;
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < dOut; t++) {
      for (let r = 0; r < rp; r++) {
        for (let tau = 0; tau < kd; tau++) {
          const f = sd * t + tau - front;
          const inside = f >= 0 && f < d;
          zero ||= !inside;
          rows[i++] = inside ? (b * d + f) * rp + r : zeroRow;
        }
      }
    }
  }
  return { rows, zero };
}

/**
 * Row indices of the backward gather, K-major: entry k·(N·D·R) + i is the k-th output row that read
 * input row i (the transpose of `forwardRows`), or N·D_out·R·k_d (a zero row appended to the
 * gradient) where row i was read fewer than K times; K (≤ ⌈k_d / s_d⌉) is the most times any frame
 * was read.
 */
function backwardRows(g: TapGeometry): { rows: Int32Array; k: number; zero: boolean } {
  const { n, d, r: rp, kd, sd, dOut, front } = g;
  // Taps (t, τ) that read frame f: s_d·t + τ − front = f.
  const readers: [number, number][][] = Array.from({ length: d }, () => []);
  for (let t = 0; t < dOut; t++) {
    for (let tau = 0; tau < kd; tau++) {
      const f = sd * t + tau - front;
      if (f >= 0 && f < d) readers[f].push([t, tau]);
    }
  }
  const k = Math.max(1, ...readers.map((list) => list.length));
  const zero = readers.some((list) => list.length < k);
  const inRows = n * d * rp;
  const zeroRow = n * dOut * rp * kd;
  const rows = new Int32Array(k * inRows);
  for (let b = 0; b < n; b++) {
    for (let f = 0; f < d; f++) {
      for (let r = 0; r < rp; r++) {
        const i = (b * d + f) * rp + r;
        for (let j = 0; j < k; j++) {
          const tap = readers[f][j];
          rows[j * inRows + i] = tap ? ((b * dOut + tap[0]) * rp + r) * kd + tap[1] : zeroRow;
        }
      }
    }
  }
  return { rows, k, zero };
}

/**
 * The temporal im2col on rows: x2 [N·D·R, L] (R rows of L values per frame) → [N·D_out·R·k_d, L] with
 * row ((n·D_out + t)·R + r)·k_d + τ = row r of frame s_d·t + τ − front of clip n (zeros where that
 * frame is padding). One gather forward; its gradient (a custom one: tfjs's is UnsortedSegmentSum,
 * which the wasm backend only has as a copy of the cpu backend's kernel that makes one pass over the
 * whole tensor per segment) is one gather of the at most K = ⌈k_d / s_d⌉ rows that read each input
 * row (a zero row where fewer did), summed by a [1, K] · [K, N·D·R·L] matrix product.
 */
function gatherTaps(x2: tf.Tensor2D, g: TapGeometry): tf.Tensor2D {
  const { n, d, r, kd, dOut } = g;
  const len = x2.shape[1];
  const key = `${n},${d},${r},${kd},${g.sd},${dOut},${g.front}`;
  const inRows = n * d * r;
  let plan = plans.get(key);
  if (!plan) {
    if (plans.size >= CACHE_LIMIT) plans.delete(plans.keys().next().value as string);
    plan = { fwd: forwardRows(g), bwd: backwardRows(g) };
    plans.set(key, plan);
  }
  const { fwd, bwd } = plan;
  const f = tf.customGrad((xi: tf.Tensor | tf.GradSaveFunc) => {
    const rowsF = constant(`taps-fwd|${key}`, () => tf.tensor1d(fwd.rows, 'int32'));
    const src = xi as tf.Tensor2D;
    const value = tf.gather(fwd.zero ? tf.pad(src, [[0, 1], [0, 0]]) : src, rowsF, 0);
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const rowsB = constant(`taps-bwd|${key}`, () => tf.tensor1d(bwd.rows, 'int32'));
      const picked = tf.gather(bwd.zero ? tf.pad(dy, [[0, 1], [0, 0]]) : dy, rowsB, 0);
      if (bwd.k === 1) return picked;
      const ones = constant(`ones|${bwd.k}`, () => tf.ones([1, bwd.k]));
      return tf.reshape(tf.matMul(ones, tf.reshape(picked, [bwd.k, inRows * len])), [inRows, len]);
    };
    return { value, gradFunc };
  });
  return f(x2) as tf.Tensor2D;
}

/**
 * How `conv3dFrames` gathers the taps: `pixel` gathers rows of C_in values straight into the stacked
 * layout (one gather, no transpose: fewest kernels, for WebGPU where each kernel costs the host
 * tens of µs); `frame` gathers whole frames (contiguous copies of H·W·C_in values) and moves the taps
 * next to the channels with one transpose (faster where the gather is a copy loop on the CPU: wasm).
 */
export type Conv3dTapGather = 'pixel' | 'frame';

/** The tap gather `conv3dFrames` uses on the current backend by default (see `Conv3dTapGather`). */
export function defaultTapGather(): Conv3dTapGather {
  return tf.getBackend() === 'webgpu' ? 'pixel' : 'frame';
}

/**
 * `tf.conv3d(x, kernel, strides, padding)` computed as one 2-D convolution over the temporal im2col
 * of `x` (see the module comment). `x` [N, D, H, W, C_in], `kernel` [k_d, k_h, k_w, C_in, C_out];
 * `gather` picks how the taps are gathered (same numbers either way; default: by backend).
 */
export function conv3dFrames(x: tf.Tensor5D, kernel: tf.Tensor5D, strides: [number, number, number] = [1, 1, 1], padding: Conv3dPadding = 'same', gather: Conv3dTapGather = defaultTapGather()): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, w, c] = x.shape;
    const [kd, kh, kw, ci, co] = kernel.shape;
    if (ci !== c) throw new Error(`conv3dFrames: input has ${c} channels, kernel expects ${ci}`);
    const [sd, sh, sw] = strides;
    const { dOut, front } = temporalPadding(d, kd, sd, padding);
    if (dOut < 1) throw new Error(`conv3dFrames: ${d} frames are too few for a temporal kernel of ${kd}`);
    let cols: tf.Tensor4D;
    if (kd === 1 && sd === 1) {
      // A 2-D convolution of every frame: reshapes only.
      cols = tf.reshape(x, [n * d, h, w, c]);
    } else if (gather === 'pixel') {
      // Rows of C_in values: the gathered rows are [N·D_out, H, W, k_d·C_in] as they stand.
      cols = tf.reshape(gatherTaps(tf.reshape(x, [n * d * h * w, c]), { n, d, r: h * w, kd, sd, dOut, front }), [n * dOut, h, w, kd * c]);
    } else {
      // Rows of whole frames [N·D_out·k_d, H·W·C_in]; the taps move next to the channels.
      const frames = gatherTaps(tf.reshape(x, [n * d, h * w * c]), { n, d, r: 1, kd, sd, dOut, front });
      const stacked = kd === 1 ? frames : tf.transpose(tf.reshape(frames, [n * dOut, kd, h * w, c]), [0, 2, 1, 3]);
      cols = tf.reshape(stacked, [n * dOut, h, w, kd * c]);
    }
    // Input channel τ·C_in + c of the stacked frames meets W[τ, i, j, c]: [k_d, k_h, k_w, …] → [k_h, k_w, k_d, …].
    const k2: tf.Tensor4D = kd === 1 ? tf.reshape(kernel, [kh, kw, ci, co]) : tf.reshape(tf.transpose(kernel, [1, 2, 0, 3, 4]), [kh, kw, kd * ci, co]);
    const y = tf.conv2d(cols, k2, [sh, sw], padding);
    return tf.reshape(y, [n, dOut, y.shape[1], y.shape[2], co]);
  });
}

/** Options of `Conv3dFrames`. */
export interface Conv3dFramesArgs {
  filters: number;
  /** [k_d, k_h, k_w]; k_d = 1 makes it a per-frame 2-D convolution. */
  kernelSize: [number, number, number];
  strides?: [number, number, number];
  padding?: Conv3dPadding;
  useBias?: boolean;
  /** Seeds the weights: U(−1/√fan_in, 1/√fan_in) for kernel and bias, PyTorch's default for nn.Conv3d. */
  seed: number;
  name?: string;
}

/**
 * A Conv3D layer (channels last, [N, D, H, W, C]) computed by `conv3dFrames`: same weights and
 * output as tfjs's `tf.layers.conv3d`, trained through the 2-D convolution kernels.
 */
export class Conv3dFrames extends tf.layers.Layer {
  static readonly className = 'Conv3dFrames';
  readonly filters: number;
  readonly kernelSize: [number, number, number];
  readonly strides: [number, number, number];
  readonly padding: Conv3dPadding;
  readonly useBias: boolean;
  private readonly seed: number;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: Conv3dFramesArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? [1, 1, 1];
    this.padding = args.padding ?? 'same';
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = shape[4] as number;
    const [kd, kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt(kd * kh * kw * cin);
    const rng = new Rng(this.seed);
    const init = () => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: rng.int(2 ** 31) });
    this.kernel = this.addWeight('kernel', [kd, kh, kw, cin, this.filters], 'float32', init());
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', init());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = [0, 1, 2].map((i) => {
      const size = s[i + 1];
      if (size === null) return null;
      const k = this.kernelSize[i];
      const st = this.strides[i];
      return this.padding === 'same' ? Math.ceil(size / st) : Math.floor((size - k) / st) + 1;
    });
    return [s[0], out[0], out[1], out[2], this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
      const y = conv3dFrames(x, this.kernel!.read() as tf.Tensor5D, this.strides, this.padding);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, useBias: this.useBias, seed: this.seed };
  }
}
tf.serialization.registerClass(Conv3dFrames);

/**
 * Which code runs tfjs's own `tf.conv3d` (and its gradients) on the current backend: `native`
 * where a backend has a library kernel (tensorflow, webgpu shaders), `generic` where it is a direct
 * loop without GEMM (the wasm backend's C++ kernel, the cpu backend's JavaScript loop). avlab's
 * video encoders use `conv3dFrames` instead, which runs on the 2-D convolution kernels.
 */
export function conv3dKernelPath(): { backend: string; path: 'native' | 'generic' | 'missing'; note: string } {
  const backend = tf.getBackend();
  const have = ['Conv3D', 'Conv3DBackpropFilterV2', 'Conv3DBackpropInputV2'].every((k) => tf.getKernel(k, backend) !== undefined);
  if (!have) return { backend, path: 'missing', note: `tf.conv3d cannot train on ${backend}: a kernel or gradient is missing` };
  if (backend === 'wasm' || backend === 'cpu') {
    return { backend, path: 'generic', note: `tf.conv3d on ${backend} runs tfjs's generic direct-loop kernels (no GEMM, no OpenBLAS); avlab's video encoders use conv3dFrames (2-D convolution kernels) instead` };
  }
  return { backend, path: 'native', note: `tf.conv3d on ${backend} runs the backend's own kernels` };
}
