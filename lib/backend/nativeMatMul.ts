/**
 * Matrix multiplications of the wasm backend run through OpenBLAS. The wasm backend keeps tensors in
 * its linear memory; the native addon (lib/backend/native/blas.c, built at setup against OpenBLAS)
 * multiplies Float32Array views of that memory in place, so nothing is copied. Every other kernel
 * stays wasm's own. Where the addon could not be built the wasm kernels are used unchanged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

interface NativeBlas {
  adam(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number): void;
  sgemm(ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number, beta?: number): void;
  threads(n?: number): number;
}

/** The two methods of tfjs's wasm backend the native kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

let blas: NativeBlas | null | undefined;

/** The compiled addon, or null when it is absent (not built on this machine) or disabled by AVLAB_NATIVE_BLAS=0. */
export function nativeBlas(): NativeBlas | null {
  if (blas !== undefined) return blas;
  blas = null;
  if (process.env.AVLAB_NATIVE_BLAS === '0') return blas;
  // The addon is built beside its source in lib/; the compiled library in dist/ looks there too.
  const file = [path.resolve(__dirname, 'native'), path.resolve(__dirname, '..', '..', 'lib', 'backend', 'native')]
    .map((dir) => path.join(dir, 'build', 'Release', 'avlab_blas.node'))
    .find((f) => fs.existsSync(f));
  if (!file) return blas;
  try {
    blas = require(file) as NativeBlas;
    // One thread by default: the matrices of a training step are small, OpenBLAS's threads
    // spin-wait, and on a loaded machine (or beside a second sweep worker) two threads ran a step
    // 2.6x slower than one. AVLAB_BLAS_THREADS (or OPENBLAS_NUM_THREADS) overrides.
    blas.threads(Number(process.env.AVLAB_BLAS_THREADS ?? process.env.OPENBLAS_NUM_THREADS ?? 1));
  } catch {
    blas = null;
  }
  return blas;
}

/**
 * A float32 view of a tensor in the wasm backend's memory. Taken afresh for every use: allocating
 * may grow the wasm memory and replace its buffer.
 */
export function heapView(backend: unknown, t: tf.TensorInfo): Float32Array {
  return (backend as WasmBackendLike).typedArrayFromHeap(t);
}

/**
 * New float32 outputs of the given shapes, with views of `inputs` and of the outputs (in that order)
 * for a native call. The views are taken after every allocation, which may replace the memory's buffer.
 */
export function outputsAndViews(backend: unknown, inputs: tf.TensorInfo[], shapes: number[][]): { outs: tf.TensorInfo[]; views: Float32Array[] } {
  const outs = shapes.map((s) => (backend as WasmBackendLike).makeOutput(s, 'float32'));
  return { outs, views: [...inputs, ...outs].map((t) => heapView(backend, t)) };
}

/** out[b] = op(a[b]) · op(b[b]) for every batch entry, broadcasting a batch of one. */
function batchedGemm(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`matMul: inner dimensions ${k} and ${kb} of shapes ${a.shape} and ${b.shape} differ`);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = Math.max(batchA, batchB);
  if (batchA !== batch && batchA !== 1) throw new Error(`matMul: batch shapes ${outerA} and ${outerB} do not broadcast`);
  if (batchB !== batch && batchB !== 1) throw new Error(`matMul: batch shapes ${outerA} and ${outerB} do not broadcast`);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const va = heapView(backend, a);
  const vb = heapView(backend, b);
  const vo = heapView(backend, out);
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  for (let i = 0; i < batch; i++) {
    const ia = batchA === 1 ? 0 : i;
    const ib = batchB === 1 ? 0 : i;
    nativeBlas()!.sgemm(
      transposeA, transposeB, m, n, k,
      va.subarray(ia * m * k, (ia + 1) * m * k), lda,
      vb.subarray(ib * k * n, (ib + 1) * k * n), ldb,
      vo.subarray(i * m * n, (i + 1) * m * n), n,
    );
  }
  return out;
}

export type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu';

/** Bias (broadcast over leading axes) and activation applied in place. */
export function biasActivation(values: Float32Array, n: number, bias: Float32Array | null, activation: Activation, alpha: number, prelu: Float32Array | null): void {
  const bl = bias ? bias.length : 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (bias) v += bias[bl === 1 ? 0 : i % n];
    switch (activation) {
      case 'relu': v = v > 0 ? v : 0; break;
      case 'relu6': v = v < 0 ? 0 : v > 6 ? 6 : v; break;
      case 'elu': v = v >= 0 ? v : Math.exp(v) - 1; break;
      case 'sigmoid': v = 1 / (1 + Math.exp(-v)); break;
      case 'leakyrelu': v = v >= 0 ? v : alpha * v; break;
      case 'prelu': v = v >= 0 ? v : prelu![prelu!.length === 1 ? 0 : i % n] * v; break;
      default: break;
    }
    values[i] = v;
  }
}

let installed = false;

/** Whether the wasm backend's matmuls currently run through OpenBLAS. */
export function nativeMatMulInstalled(): boolean {
  return installed;
}

/**
 * Routes the wasm backend's BatchMatMul and _FusedMatMul through OpenBLAS when the addon is
 * available. Returns whether it did. Idempotent.
 */
export function installNativeMatMul(): boolean {
  if (installed) return true;
  if (!nativeBlas()) return false;
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      return batchedGemm(backend as unknown as WasmBackendLike, a, b, transposeA, transposeB);
    },
  });
  tf.registerKernel({
    kernelName: '_FusedMatMul',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendLike;
      const { a, b, bias, preluActivationWeights } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
      const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: Activation; leakyreluAlpha?: number };
      const out = batchedGemm(be, a, b, transposeA, transposeB);
      const n = out.shape[out.shape.length - 1];
      if (bias || (activation && activation !== 'linear')) {
        biasActivation(heapView(be, out), n, bias ? heapView(be, bias) : null, activation ?? 'linear', leakyreluAlpha ?? 0.2, preluActivationWeights ? heapView(be, preluActivationWeights) : null);
      }
      return out;
    },
  });
  installed = true;
  return true;
}
