/**
 * 2-D convolutions of the wasm backend through OpenBLAS: im2col (native) then one GEMM per batch for
 * the forward pass and both gradients. tfjs's wasm backend cannot train convolutions at all (it has
 * no Conv2DBackpropFilter), and routing them to the plain JavaScript backend is slow; this is the
 * path the ResNet of the matching experiments trains on. NHWC, groups of one, any stride, padding
 * and dilation. Installed with the native matmul, when the addon is built.
 */
import * as tf from '@tensorflow/tfjs';
import { Activation, biasActivation, nativeBlas, WasmBackendLike } from './nativeMatMul';

interface ConvBlas {
  sgemm(ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number, beta?: number): void;
  im2col(x: Float32Array, cols: Float32Array, n: number, ...geometry: number[]): void;
  col2im(cols: Float32Array, dx: Float32Array, n: number, ...geometry: number[]): void;
}

let scratch = new Float32Array(0);
/** A reusable scratch buffer for patch matrices (kernels run one at a time). */
function scratchOf(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(Math.max(size, Math.ceil(scratch.length * 1.5)));
  return scratch.subarray(0, size);
}

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function info(xShape: number[], filterShape: number[], attrs: Record<string, unknown>): ConvInfo {
  const format = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (format !== 'channelsLast') throw new Error('avlab native conv2d supports NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    (attrs.dilations as [number, number] | number) ?? 1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    format,
  );
}

/** The 13 geometry numbers im2col/col2im take. */
function geometry(c: ConvInfo): number[] {
  return [c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left, c.outHeight, c.outWidth];
}

/**
 * Images per block: the patch matrix of a whole batch (19 MB for a 3×3 convolution of 16 channels
 * over 32 images of 32×32) streams from memory between im2col and the GEMM; blocks of about 1 MB of
 * patches stay in cache, which made each direction 1.3–2x faster on the ResNet's layers.
 */
function imagesPerBlock(c: ConvInfo): number {
  const rows = Math.max(1024, Math.floor(262144 / (c.filterHeight * c.filterWidth * c.inChannels)));
  return Math.max(1, Math.min(c.batchSize, Math.floor(rows / (c.outHeight * c.outWidth))));
}

/** One block of images: where its inputs and outputs start, and its patch buffer. */
interface ConvBlock {
  /** Images in the block, and their patch rows (images × output positions). */
  count: number;
  rows: number;
  /** Offsets of the block's first image in the input and in the output. */
  inAt: number;
  outAt: number;
  first: boolean;
  /** The block's patch matrix, rows × K (shared scratch). */
  cols: Float32Array;
}

/** Calls `body` for consecutive blocks of images; K is the patch length kh · kw · C_in. */
function forEachBlock(c: ConvInfo, body: (b: ConvBlock, K: number, geometry: number[]) => void): void {
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const positions = c.outHeight * c.outWidth;
  const per = imagesPerBlock(c);
  const cols = scratchOf(per * positions * K);
  const g = geometry(c);
  for (let n0 = 0; n0 < c.batchSize; n0 += per) {
    const count = Math.min(per, c.batchSize - n0);
    const rows = count * positions;
    body({ count, rows, inAt: n0 * c.inHeight * c.inWidth * c.inChannels, outAt: n0 * positions * c.outChannels, first: n0 === 0, cols: cols.subarray(0, rows * K) }, K, g);
  }
}

function forward(be: WasmBackendLike, x: tf.TensorInfo, filter: tf.TensorInfo, c: ConvInfo): { out: tf.TensorInfo; view: Float32Array } {
  const blas = nativeBlas() as unknown as ConvBlas;
  const out = be.makeOutput([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32');
  const [vx, vf, view] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(filter), be.typedArrayFromHeap(out)];
  forEachBlock(c, (b, K, g) => {
    blas.im2col(vx.subarray(b.inAt), b.cols, b.count, ...g);
    blas.sgemm(false, false, b.rows, c.outChannels, K, b.cols, K, vf, c.outChannels, view.subarray(b.outAt), c.outChannels);
  });
  return { out, view };
}

const KERNELS: Record<string, tf.KernelFunc> = {
  Conv2D: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    return forward(backend as unknown as WasmBackendLike, x, filter, info(x.shape, filter.shape, attrs!)).out;
  },
  FusedConv2D: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackendLike;
    const { x, filter, bias, preluActivationWeights } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
    const c = info(x.shape, filter.shape, attrs!);
    const { out } = forward(be, x, filter, c);
    const activation = (attrs!.activation as Activation) ?? 'linear';
    if (bias || activation !== 'linear') {
      biasActivation(
        be.typedArrayFromHeap(out),
        c.outChannels,
        bias ? be.typedArrayFromHeap(bias) : null,
        activation,
        (attrs!.leakyreluAlpha as number) ?? 0.2,
        preluActivationWeights ? be.typedArrayFromHeap(preluActivationWeights) : null,
      );
    }
    return out;
  },
  Conv2DBackpropFilter: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackendLike;
    const blas = nativeBlas() as unknown as ConvBlas;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterShape = attrs!.filterShape as number[];
    const c = info(x.shape, filterShape, attrs!);
    const out = be.makeOutput(filterShape, 'float32');
    const [vx, vdy, vout] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(dy), be.typedArrayFromHeap(out)];
    // dF = colsᵀ · dy, summed over every output position of every image, block by block.
    forEachBlock(c, (b, K, g) => {
      blas.im2col(vx.subarray(b.inAt), b.cols, b.count, ...g);
      blas.sgemm(true, false, K, c.outChannels, b.rows, b.cols, K, vdy.subarray(b.outAt), c.outChannels, vout, c.outChannels, b.first ? 0 : 1);
    });
    return out;
  },
  Conv2DBackpropInput: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackendLike;
    const blas = nativeBlas() as unknown as ConvBlas;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const inputShape = attrs!.inputShape as number[];
    const c = info(inputShape, filter.shape, attrs!);
    const out = be.makeOutput(inputShape, 'float32');
    const [vdy, vf, vout] = [be.typedArrayFromHeap(dy), be.typedArrayFromHeap(filter), be.typedArrayFromHeap(out)];
    // dcols = dy · Fᵀ, then every patch gradient is added back where the patch came from.
    forEachBlock(c, (b, K, g) => {
      blas.sgemm(false, true, b.rows, K, c.outChannels, vdy.subarray(b.outAt), c.outChannels, vf, c.outChannels, b.cols, K);
      blas.col2im(b.cols, vout.subarray(b.inAt), b.count, ...g);
    });
    return out;
  },
};

let installed = false;

/** Routes the wasm backend's 2-D convolutions through im2col + OpenBLAS when the addon is built. Idempotent. */
export function installNativeConv(): boolean {
  if (installed) return true;
  const blas = nativeBlas() as unknown as Partial<ConvBlas> | null;
  if (!blas?.im2col) return false;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  installed = true;
  return true;
}
