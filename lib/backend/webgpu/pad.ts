/**
 * Constant padding of tensors of rank 5 and more on tfjs's WebGPU backend.
 *
 * tfjs-backend-webgpu 4.22's PadV2 writes its shader for rank ≤ 4 only: at rank 5 the shader indexes
 * a `vec5` coordinate type, fails to compile, and the dispatch is dropped with a validation warning,
 * so the result is whatever the output buffer held. Any rank-5 pad (a clip padded in time, the
 * gradient of a slice of one) came out as garbage: the video encoders, whose 3-D convolutions were
 * sums over sliced frames at the time, trained on it.
 *
 * Padding commutes with merging an unpadded dimension into the one before it (a pad of p rows of a
 * dimension followed by unpadded ones of total size s is a pad of p·s), so most rank-5 pads become
 * pads of rank ≤ 4 for tfjs's own kernel (a pad in time of a clip becomes rank 2 or 1). A pad of more
 * than four separate dimensions runs a small raw kernel instead.
 */
import * as tf from '@tensorflow/tfjs';
import { grid, overrideKernel, runRaw, WebGPUBackendLike } from './raw';

type Paddings = [number, number][];

/**
 * The same pad at the lowest rank: every unpadded dimension is folded into the dimension before it.
 * Returns the merged input shape and paddings.
 */
export function mergePaddings(shape: number[], paddings: Paddings): { shape: number[]; paddings: Paddings } {
  const outShape: number[] = [];
  const outPads: Paddings = [];
  shape.forEach((size, i) => {
    const [before, after] = paddings[i];
    const last = outShape.length - 1;
    if (last >= 0 && before === 0 && after === 0) {
      outShape[last] *= size;
      outPads[last] = [outPads[last][0] * size, outPads[last][1] * size];
    } else {
      outShape.push(size);
      outPads.push([before, after]);
    }
  });
  return { shape: outShape, paddings: outPads };
}

const WORKGROUP = 64;

/** The bit pattern of the fill value as the tensor's buffer stores it (4 bytes per element). */
function fillBits(value: number, dtype: tf.DataType): number {
  const buf = new ArrayBuffer(4);
  if (dtype === 'float32') new Float32Array(buf)[0] = value;
  else new Int32Array(buf)[0] = dtype === 'bool' ? Number(value !== 0) : value;
  return new Uint32Array(buf)[0];
}

/** A pad of any rank as one thread per output element, copying 32-bit words (float32, int32, bool). */
export function padShader(shape: number[], paddings: Paddings, bits: number): string {
  const out = shape.map((s, i) => s + paddings[i][0] + paddings[i][1]);
  const total = out.reduce((a, b) => a * b, 1);
  // Innermost first: split the output index into coordinates, build the input index.
  const steps = out
    .map((_, i) => out.length - 1 - i)
    .map(
      (d) => `  {
    let c = rest % ${out[d]}u;
    rest = rest / ${out[d]}u;
    if (c < ${paddings[d][0]}u || c >= ${paddings[d][0] + shape[d]}u) { y[i] = ${bits}u; return; }
    src += (c - ${paddings[d][0]}u) * ${shape.slice(d + 1).reduce((a, b) => a * b, 1)}u;
  }`,
    )
    .join('\n');
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = id.x + id.y * nwg.x * ${WORKGROUP}u;
  if (i >= ${total}u) { return; }
  var rest = i;
  var src = 0u;
${steps}
  y[i] = x[src];
}`;
}

let installed = false;

/**
 * Registers a webgpu PadV2 that hands tfjs's kernel an equivalent pad of rank ≤ 4 when the input's
 * rank is 5 or more (or runs the raw kernel when it cannot), and every lower rank to tfjs unchanged.
 * Idempotent; false where tfjs has no webgpu PadV2 to wrap.
 */
export function installWebgpuPad(): boolean {
  if (installed) return true;
  const reshape = tf.getKernel('Reshape', 'webgpu');
  if (!reshape) return false;
  installed = overrideKernel('PadV2', (args, original) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { paddings, constantValue } = args.attrs as unknown as { paddings: Paddings; constantValue: number };
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (x.shape.length <= 4 || size === 0 || x.dtype === 'complex64' || x.dtype === 'string') return null;
    const backend = args.backend as unknown as WebGPUBackendLike & tf.KernelBackend;
    const outShape = x.shape.map((s, i) => s + paddings[i][0] + paddings[i][1]);
    const merged = mergePaddings(x.shape, paddings);
    if (merged.shape.length <= 4) {
      const flat = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: merged.shape } }) as tf.TensorInfo;
      const padded = original({ inputs: { x: flat }, backend, attrs: { paddings: merged.paddings, constantValue } }) as tf.TensorInfo;
      const out = reshape.kernelFunc({ inputs: { x: padded }, backend, attrs: { shape: outShape } }) as tf.TensorInfo;
      backend.disposeData(flat.dataId);
      backend.disposeData(padded.dataId);
      return out;
    }
    const code = padShader(x.shape, paddings, fillBits(constantValue, x.dtype));
    const count = outShape.reduce((a, b) => a * b, 1);
    return runRaw(backend, { code, inputs: [x], outputs: [{ shape: outShape, dtype: x.dtype }], workgroups: grid(Math.ceil(count / WORKGROUP)) })[0];
  });
  return installed;
}
