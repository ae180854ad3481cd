/**
 * Uploads host data through `queue.writeBuffer`. tfjs creates a mapped staging buffer for every
 * tensor made on the host that reaches a kernel (each scalar constant of a loss, each zero gradient
 * of the tape, each batch's indices), copies it in a command, and ends the open compute pass to do
 * so: a training step of the AVTS model made 17 such buffers. `writeBuffer` stages through Dawn's own
 * ring and leaves the pass open. The target is a fresh buffer from tfjs's pool, which no recorded,
 * unsubmitted command reads (tfjs releases buffers to the pool only after their commands are
 * submitted), so writing it ahead of those commands is safe.
 */
import { webgpuBackend } from './raw';

const patched = new WeakSet<object>();

/** The values as the GPU stores them: float32 as Float32Array, int32 and bool as Int32Array. */
function gpuWords(values: ArrayLike<number>, dtype: string): Float32Array | Int32Array {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/** Replaces the active WebGPU backend's `uploadToGPU` for float32, int32 and bool data (idempotent). */
export function installWebgpuUpload(): boolean {
  const be = webgpuBackend();
  if (!be) return false;
  if (patched.has(be)) return true;
  patched.add(be);
  const original = be.uploadToGPU.bind(be);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  be.uploadToGPU = (dataId: object) => {
    const data = be.tensorMap.get(dataId);
    if (!data || data.resource || !data.values || data.values.length === 0 || !['float32', 'int32', 'bool'].includes(data.dtype)) return original(dataId);
    const words = gpuWords(data.values, data.dtype);
    const buffer = be.bufferManager.acquireBuffer(words.byteLength, usage);
    be.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    data.resource = buffer;
    data.values = null;
  };
  return true;
}
