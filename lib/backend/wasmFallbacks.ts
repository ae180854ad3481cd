/**
 * Kernels the wasm backend lacks, so that models with convolutions train there. tfjs-backend-wasm
 * 4.22 runs convolutions forwards, and has `Conv2DBackpropInput` and the pooling gradients, but no
 * kernel for a convolution's filter gradient (`Conv2DBackpropFilter`, the depthwise pair) nor for
 * `UnsortedSegmentSum` (the gradient of `gather`, i.e. of embeddings). The list came from diffing the
 * two backends' registries (`tf.getKernelsForBackend('cpu')` minus `'wasm'`) and keeping the kernels a
 * training step can reach.
 *
 * Two kinds of fallback:
 * - **cpu copies** (every kernel in `WASM_FALLBACK_KERNELS`): copy the inputs out of wasm memory into
 *   the cpu backend, run the cpu kernel, copy the result back. The numbers are the cpu backend's, bit
 *   for bit.
 * - **`Conv2DBackpropFilter` on wasm's own kernels** (installed over the cpu copy): the cpu kernel
 *   indexes a TensorBuffer per multiply-add and was measured at ~15 MFLOP/s — 55 s of a 75 s training
 *   step of the 64 × 64 audio ResNet (batch 32). The gradient is a matrix product instead:
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x̃[n, s·oh+kh, s·ow+kw, ci] · dy[n,oh,ow,co] (x̃ = x zero-padded),
 *   i.e. im2col(x)ᵀ · dy with im2col(x) of shape [N·OH·OW, k_h·k_w·C_in]: one GEMM on the backend
 *   (through OpenBLAS where the native matmul is installed). Same sums in another order: equal to
 *   the cpu kernel within float rounding (tested).
 *
 * Where the OpenBLAS addon is built, lib/backend/nativeConv installs native kernels for the whole
 * convolution (forward and both gradients) over these when the wasm backend starts; the fallbacks
 * are what runs without the addon. `Einsum` (a forward op wasm also lacks) rides along as a cpu copy.
 * `Complex`/`FFT` are left out on purpose: wasm cannot store complex64 tensors, so copying back would
 * fail anyway (spectrograms are computed with fft.js instead).
 */
import * as tf from '@tensorflow/tfjs';

/** Kernels registered for wasm by `installWasmFallbacks` as copies of the cpu backend's kernel. */
export const WASM_FALLBACK_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
] as const;

/** The slice of a backend's interface the copies need (both backends implement it). */
interface CopyingBackend {
  readSync(dataId: object): tf.TypedArray;
  write(values: tf.TypedArray, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A wasm kernel that runs `kernelName`'s cpu kernel on copies of its inputs. Outputs the cpu kernel
 * wraps as engine tensors (some kernels return `backend.makeOutput(...)`) are disposed after the copy
 * so the engine's tensor count is unchanged by a call.
 */
export function cpuFallback(kernelName: string): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    const cpu = tf.findBackend('cpu') as unknown as CopyingBackend | null;
    if (!cpuKernel || !cpu) throw new Error(`wasm fallback for ${kernelName}: the cpu backend or its kernel is not registered`);
    const wasm = backend as unknown as CopyingBackend;
    const cpuInputs: Record<string, tf.TensorInfo> = {};
    const written: object[] = [];
    for (const [name, info] of Object.entries(inputs as Record<string, tf.TensorInfo | undefined>)) {
      if (!info) continue;
      // readSync on wasm returns a fresh copy of the heap bytes, so the cpu side owns its values.
      const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
      written.push(dataId);
      cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
    }
    try {
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu as unknown as tf.KernelBackend });
      const outs = Array.isArray(result) ? result : [result];
      const back = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        const info: tf.TensorInfo = { dataId: wasm.write(values, o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
        if (o instanceof tf.Tensor) o.dispose();
        else cpu.disposeData(o.dataId, true);
        return info;
      });
      return Array.isArray(result) ? back : back[0];
    } finally {
      for (const id of written) cpu.disposeData(id, true);
    }
  };
}

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * im2col for NHWC input: row (n, oh, ow) holds the k_h·k_w·C_in input values the output pixel
 * (n, oh, ow) sees, in (kh, kw, ci) order; positions in the padding are zero. Plain loops over a
 * Float32Array: a strided copy that wasm's Slice/StridedSlice kernels did 4× slower (they copy the
 * whole input out of wasm memory on every call).
 */
function im2col(x: Float32Array, shape: number[], info: tf.backend_util.Conv2DInfo): Float32Array {
  const [n, h, w, cin] = shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * cin;
  const cols = new Float32Array(n * oh * ow * k);
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, row += k) {
        let col = row;
        for (let p = 0; p < kh; p++) {
          const ih = i * sh + p - top;
          for (let q = 0; q < kw; q++, col += cin) {
            const iw = j * sw + q - left;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue; // zero padding: cols is zero-filled
            const src = ((b * h + ih) * w + iw) * cin;
            for (let c = 0; c < cin; c++) cols[col + c] = x[src + c];
          }
        }
      }
    }
  }
  return cols;
}

/**
 * The filter gradient of a 2-D convolution: dW = im2col(x)ᵀ · dy, reshaped to `filterShape`. `x` is
 * `[N, H, W, C_in]` (or NCHW), `dy` `[N, OH, OW, C_out]`; the product runs on the current backend.
 * Exported for tests; the wasm kernel below wraps it.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: BackpropFilterAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    let xs = x;
    let dys = dy;
    if (attrs.dataFormat === 'NCHW') {
      xs = tf.transpose(x, [0, 2, 3, 1]);
      dys = tf.transpose(dy, [0, 2, 3, 1]);
    }
    const info = tf.backend_util.computeConv2DInfo(xs.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const [kh, kw, cin, cout] = attrs.filterShape;
    const rows = xs.shape[0] * info.outHeight * info.outWidth;
    if (dys.shape[1] !== info.outHeight || dys.shape[2] !== info.outWidth || dys.shape[3] !== cout || xs.shape[3] !== cin) {
      throw new Error(`Conv2DBackpropFilter: x ${xs.shape}, dy ${dys.shape} and filter ${attrs.filterShape} do not fit together`);
    }
    const cols = tf.tensor2d(im2col(xs.dataSync() as Float32Array, xs.shape as number[], info), [rows, kh * kw * cin]);
    return tf.matMul(cols, dys.reshape([rows, cout]), true, false).reshape([kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/** Conv2DBackpropFilter for wasm on wasm's own kernels (see the module comment). */
const conv2dBackpropFilterWasm: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as CopyingBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as BackpropFilterAttrs;
  // Ops called inside a kernel are not recorded on the gradient tape (the engine's kernel depth is
  // above zero), so this is safe during backprop. The inputs are copied into fresh tensors rather than
  // wrapped, because disposing a wrapper would release the caller's buffers.
  const values = tf.tidy(() => {
    const xt = tf.tensor4d(wasm.readSync(x.dataId) as Float32Array, x.shape as [number, number, number, number], 'float32');
    const dyt = tf.tensor4d(wasm.readSync(dy.dataId) as Float32Array, dy.shape as [number, number, number, number], 'float32');
    return conv2dFilterGradient(xt, dyt, a).dataSync();
  });
  return { dataId: wasm.write(values, a.filterShape, 'float32'), shape: a.filterShape, dtype: 'float32' };
};

/**
 * Registers the fallbacks for the wasm backend, skipping any kernel wasm already has (a later tfjs may
 * add them): cpu copies for `WASM_FALLBACK_KERNELS`, and the GEMM filter gradient for
 * `Conv2DBackpropFilter` unless `{ conv2dFilter: 'cpu' }` asks for the cpu copy (tests compare the two).
 * Returns the kernel names registered by this call. Harmless when wasm is not loaded: registration
 * only records the kernel.
 */
export function installWasmFallbacks(options: { conv2dFilter?: 'gemm' | 'cpu' } = {}): string[] {
  const added: string[] = [];
  for (const name of WASM_FALLBACK_KERNELS) {
    const existing = tf.getKernel(name, 'wasm');
    const ours = existing && owned.has(existing.kernelFunc);
    if ((existing && !ours) || !tf.getKernel(name, 'cpu')) continue;
    const kernelFunc = name === 'Conv2DBackpropFilter' && options.conv2dFilter !== 'cpu' ? conv2dBackpropFilterWasm : cpuFallbackFor(name);
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    added.push(name);
  }
  return added;
}

// One cpu-copy function per kernel, made once, so reinstalling recognises its own registrations.
const copies = new Map<string, tf.KernelFunc>();
function cpuFallbackFor(name: string): tf.KernelFunc {
  let f = copies.get(name);
  if (!f) {
    f = cpuFallback(name);
    copies.set(name, f);
    owned.add(f);
  }
  return f;
}
const owned = new Set<tf.KernelFunc>([conv2dBackpropFilterWasm]);

// Registered on import (lib/backend imports this module), before tfjs-backend-wasm is loaded: the
// fallbacks only take effect when wasm is the active backend, and should a later wasm release
// register a native kernel of the same name, its registration replaces the fallback.
installWasmFallbacks();
