/**
 * Zero-copy Slice, SplitV and Unpack for the wasm backend. tfjs's wasm slice reads the whole input
 * back into a fresh JavaScript array before copying the slice out of it, and its split and unstack
 * call that slice once per piece; LSTMs unstack every time step and split every gate of large
 * tensors, so those copies dominated their training step. These kernels copy directly between views
 * of the wasm memory. Strings keep the original kernels.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let installed = false;

/** Copies x[begin : begin + size] into a new tensor of shape `outShape` (same element count). */
function sliceInto(be: WasmBackendLike, x: tf.TensorInfo, begin: number[], size: number[], outShape: number[] = size): tf.TensorInfo {
  const out = be.makeOutput(outShape, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  // Views are taken after makeOutput: allocating may grow the wasm memory and replace its buffer.
  const src = be.typedArrayFromHeap(x);
  const dst = be.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(offset, offset + total));
    return out;
  }
  // Copy contiguous runs along the last axis, walking the outer indices like an odometer.
  const rank = x.shape.length;
  const run = size[rank - 1];
  const index = new Array(rank - 1).fill(0);
  for (let o = 0; o < total; o += run) {
    let offset = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) offset += (begin[d] + index[d]) * strides[d];
    dst.set(src.subarray(offset, offset + run), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

const KERNELS: Record<string, (original: tf.KernelFunc) => tf.KernelFunc> = {
  Slice: (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x, args.attrs!.begin as number[], args.attrs!.size as number[]);
    return sliceInto(args.backend as unknown as WasmBackendLike, x, begin, size);
  },
  SplitV: (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs!.numOrSizeSplits as number[] | number, axis);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const piece = sliceInto(args.backend as unknown as WasmBackendLike, x, begin.slice(), size);
      begin[axis] += s;
      return piece;
    });
  },
  Unpack: (original) => (args) => {
    const x = args.inputs.value as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0];
    const outShape = x.shape.filter((_, d) => d !== axis);
    const size = x.shape.slice();
    size[axis] = 1;
    return Array.from({ length: x.shape[axis] }, (_, i) => {
      const begin = new Array(x.shape.length).fill(0);
      begin[axis] = i;
      return sliceInto(args.backend as unknown as WasmBackendLike, x, begin, size, outShape);
    });
  },
};

/** Replaces the wasm backend's Slice, SplitV and Unpack kernels (idempotent). */
export function installWasmSlice(): void {
  if (installed) return;
  for (const [name, make] of Object.entries(KERNELS)) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc) });
  }
  installed = true;
}
