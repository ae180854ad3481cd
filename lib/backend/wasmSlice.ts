/**
 * Zero-copy Slice, SplitV, Unpack, Tile and GatherV2 for the wasm backend. tfjs's wasm slice reads
 * the whole input back into a fresh JavaScript array before copying the slice out of it, and its split
 * and unstack call that slice once per piece; LSTMs unstack every time step and split every gate of
 * large tensors, so those copies dominated their training step. Its Tile and GatherV2 walk the output
 * element by element with index arithmetic: batch norm's gradient tiles per-channel statistics to
 * the size of the activations (42 % of a ResNet epoch) and every batch is gathered from the training
 * set (18 % of an LSTM epoch). These kernels copy contiguous runs directly between views of the wasm
 * memory. Strings keep the original kernels.
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

/** Writes `len` values at dst[at…] again and again until `total` values are there (doubling copies). */
function repeatRun(dst: Float32Array | Int32Array | Uint8Array, at: number, len: number, total: number): void {
  for (let done = len; done < total; ) {
    const n = Math.min(done, total - done);
    dst.copyWithin(at + done, at, at + n);
    done += n;
  }
}

/** dst = tile(src, reps) for a source of shape `shape`; dst holds the tiled tensor in row-major order. */
export function tileInto(src: Float32Array | Int32Array | Uint8Array, shape: number[], reps: number[], dst: Float32Array | Int32Array | Uint8Array): void {
  const rank = shape.length;
  if (rank === 0 || dst.length === 0) {
    if (dst.length) dst[0] = src[0];
    return;
  }
  const srcStrides = [...tf.util.computeStrides(shape), 1];
  const dstStrides = [...tf.util.computeStrides(shape.map((s, d) => s * reps[d])), 1];
  const fill = (d: number, from: number, to: number): void => {
    if (d === rank - 1) {
      const len = shape[d];
      if (len === 1) dst.fill(src[from], to, to + reps[d]);
      else {
        dst.set(src.subarray(from, from + len), to);
        repeatRun(dst, to, len, len * reps[d]);
      }
      return;
    }
    for (let j = 0; j < shape[d]; j++) fill(d + 1, from + j * srcStrides[d], to + j * dstStrides[d]);
    repeatRun(dst, to, shape[d] * dstStrides[d], shape[d] * dstStrides[d] * reps[d]);
  };
  fill(0, 0, 0);
}

/**
 * dst = gather(src, indices, axis) for a source of shape `shape` (batchDims 0): every index copies one
 * contiguous block of the product of the dimensions after `axis`.
 */
export function gatherInto(src: Float32Array | Int32Array | Uint8Array, shape: number[], indices: Int32Array | Float32Array | Uint8Array, axis: number, dst: Float32Array | Int32Array | Uint8Array): void {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis];
  for (let i = 0; i < indices.length; i++) {
    if (!(indices[i] >= 0 && indices[i] < dim)) throw new Error(`gather: index ${indices[i]} at position ${i} is outside [0, ${dim - 1}] (axis ${axis} of shape [${shape}])`);
  }
  let to = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < indices.length; i++) {
      const from = (o * dim + indices[i]) * inner;
      dst.set(src.subarray(from, from + inner), to);
      to += inner;
    }
  }
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
  Tile: (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const reps = args.attrs!.reps as number[];
    const be = args.backend as unknown as WasmBackendLike;
    const out = be.makeOutput(x.shape.map((s, d) => s * reps[d]), x.dtype);
    tileInto(be.typedArrayFromHeap(x), x.shape, reps, be.typedArrayFromHeap(out));
    return out;
  },
  GatherV2: (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const indices = args.inputs.indices as tf.TensorInfo;
    if (x.dtype === 'string' || ((args.attrs!.batchDims as number) ?? 0) !== 0) return original(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0];
    const be = args.backend as unknown as WasmBackendLike;
    const out = be.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
    gatherInto(be.typedArrayFromHeap(x), x.shape, be.typedArrayFromHeap(indices), axis, be.typedArrayFromHeap(out));
    return out;
  },
};

/** Replaces the wasm backend's Slice, SplitV, Unpack, Tile and GatherV2 kernels (idempotent). */
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
