/**
 * 3-D convolution as a sum of 2-D convolutions over the temporal taps, so that video networks train
 * on the convolution kernels avlab makes fast (im2col + GEMM on OpenBLAS, lib/backend/nativeConv).
 *
 * Why: tfjs-backend-wasm 4.22 has `Conv3D` and both of its gradients, but as direct loops in its
 * own C++ (no GEMM): measured here at ~1.1–1.5 GFLOP/s for a training step of a small video block,
 * against ~14–45 GFLOP/s for the same layer written as below (`conv3dKernelPath` says which path
 * tfjs's own `tf.conv3d` takes; the bench prints it).
 *
 * For a kernel W of shape [k_d, k_h, k_w, C_in, C_out], temporal stride s_d and input x of shape
 * [N, D, H, W, C_in] (zero-padded in time as TensorFlow pads: 'same' puts ⌊p/2⌋ frames in front),
 *
 *   y[n, t] = Σ_{τ=0}^{k_d−1} conv2d(x̃[n, s_d·t + τ], W[τ])        (spatial strides and padding as conv2d)
 *
 * i.e. for each tap τ the frames s_d·t + τ of every clip are stacked into one batch [N·D_out, H, W, C_in]
 * and convolved with W[τ]; the k_d results are added. With k_d = 1 it is a 2-D convolution applied
 * to every frame (the "2-D" blocks of a mixed-convolution network). Gradients flow through slices,
 * reshapes and conv2d only. Equal to `tf.conv3d` within float rounding (tested).
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

/**
 * `tf.conv3d(x, kernel, strides, padding)` computed as the sum of 2-D convolutions over the kernel's
 * temporal taps (see the module comment). `x` [N, D, H, W, C_in], `kernel` [k_d, k_h, k_w, C_in, C_out].
 */
export function conv3dFrames(x: tf.Tensor5D, kernel: tf.Tensor5D, strides: [number, number, number] = [1, 1, 1], padding: Conv3dPadding = 'same'): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, w, c] = x.shape;
    const [kd, kh, kw, ci, co] = kernel.shape;
    if (ci !== c) throw new Error(`conv3dFrames: input has ${c} channels, kernel expects ${ci}`);
    const [sd, sh, sw] = strides;
    const { dOut, front, back } = temporalPadding(d, kd, sd, padding);
    if (dOut < 1) throw new Error(`conv3dFrames: ${d} frames are too few for a temporal kernel of ${kd}`);
    const xp = front + back > 0 ? tf.pad(x, [[0, 0], [front, back], [0, 0], [0, 0], [0, 0]]) : x;
    let acc: tf.Tensor4D | null = null;
    for (let tau = 0; tau < kd; tau++) {
      // Frames s_d·t + τ for t = 0 … D_out − 1: one contiguous slice when s_d = 1, else one per frame.
      const frames: tf.Tensor5D =
        sd === 1
          ? tf.slice(xp, [0, tau, 0, 0, 0], [n, dOut, h, w, c])
          : tf.concat(Array.from({ length: dOut }, (_, t) => tf.slice(xp, [0, sd * t + tau, 0, 0, 0], [n, 1, h, w, c])), 1);
      const batch = tf.reshape(frames, [n * dOut, h, w, c]) as tf.Tensor4D;
      const tap = tf.reshape(tf.slice(kernel, [tau, 0, 0, 0, 0], [1, kh, kw, ci, co]), [kh, kw, ci, co]) as tf.Tensor4D;
      const y = tf.conv2d(batch, tap, [sh, sw], padding);
      acc = acc ? (tf.add(acc, y) as tf.Tensor4D) : y;
    }
    const [, ho, wo] = acc!.shape;
    return tf.reshape(acc!, [n, dOut, ho, wo, co]) as tf.Tensor5D;
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
