/**
 * Hand-written WGSL kernels on tfjs's WebGPU backend. tfjs's own program abstraction has one output
 * per dispatch and writes a uniform buffer of shapes for each; the fused kernels of avlab (Adam, batch
 * norm, the LSTM, the filter gradient of a convolution) need several outputs, sizes baked into the
 * shader (compiled once per shape, as training shapes repeat) and no uniforms unless a value changes
 * per step. `runRaw` records such a dispatch into tfjs's own command encoder, so it is ordered with
 * tfjs's kernels and its buffers are released only after the GPU has run it.
 *
 * Binding convention of every raw shader: outputs first (`read_write`), then inputs (`read`), then
 * the uniform block if there is one; entry point `main`.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-webgpu's `WebGPUBackend` a raw kernel uses (stable across 4.x). */
export interface WebGPUBackendLike {
  device: GPUDevice;
  queue: GPUQueue;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: ArrayLike<number> | null; shape: number[]; dtype: string } | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(b: GPUBuffer): void };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  uniformPendingDisposal: GPUBuffer[];
  dispatchCountInPass: number;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  getBufferData(buffer: GPUBuffer): Promise<ArrayBuffer>;
  /** Set while `tf.profile` (the backend's `time`) measures kernels: each dispatch adds its GPU time. */
  activeTimers: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: GPUQuerySet | null;
  querySetCount: number;
  getQueryTime(): Promise<number>;
}

/** The active backend as a WebGPU backend, or null when another backend is active. */
export function webgpuBackend(): WebGPUBackendLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return tf.backend() as unknown as WebGPUBackendLike;
}

/** The GPU buffer behind a tensor, uploaded first if its values are still on the CPU. */
export function bufferOf(backend: WebGPUBackendLike, t: tf.TensorInfo): GPUBuffer {
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId)?.resource;
  if (!resource || typeof (resource as GPUBuffer).mapAsync !== 'function') throw new Error(`tensor ${t.shape} has no GPU buffer`);
  return resource as GPUBuffer;
}

/**
 * Whether `t` is all zeros and still only on the host: what the gradient tape passes for an output
 * nothing used. A kernel can leave such an input out instead of uploading it (an upload costs a
 * staging buffer); reading it costs nothing.
 */
export function isHostZeros(backend: WebGPUBackendLike, t: tf.TensorInfo): boolean {
  const data = backend.tensorMap.get(t.dataId);
  if (!data || data.resource || !data.values) return false;
  const v = data.values;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** Compiles a shader once per device and source. */
export function pipelineFor(device: GPUDevice, code: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(code);
  if (!p) {
    p = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    cache.set(code, p);
  }
  return p;
}

/** Flushes tfjs's pending commands to the queue (before a `writeBuffer` that recorded work must not see). */
export function flush(backend: WebGPUBackendLike): void {
  backend.endComputePassEncoder();
  if (backend.commandEncoder) backend.submitQueue();
}

/** One dispatch of a raw kernel. */
export interface RawDispatch {
  code: string;
  inputs: tf.TensorInfo[];
  /** Outputs to allocate, or existing tensors to write in place. */
  outputs: ({ shape: number[]; dtype?: tf.DataType } | tf.TensorInfo)[];
  workgroups: [number, number?, number?];
  /** The uniform block's bytes, if the shader declares one. */
  uniform?: ArrayBuffer;
  /** Extra buffers bound after the inputs (e.g. an optimizer's own state), before the uniform. */
  buffers?: GPUBuffer[];
  /** The dispatch's name in `tf.profile`'s per-kernel details. */
  label?: string;
}

/** Ends the open pass and begins one that writes timestamps at its start and end (tfjs's query set). */
function beginTimedPass(backend: WebGPUBackendLike): void {
  backend.endComputePassEncoder();
  backend.ensureCommandEncoderReady();
  let descriptor: GPUComputePassDescriptor = {};
  if (backend.supportTimestampQuery) {
    backend.querySet ??= backend.device.createQuerySet({ type: 'timestamp', count: backend.querySetCount });
    descriptor = { timestampWrites: { querySet: backend.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } };
  }
  backend.computePassEncoder = backend.commandEncoder!.beginComputePass(descriptor);
}

/** The compute pass of tfjs's encoder, begun if none is open. */
export function computePass(backend: WebGPUBackendLike): GPUComputePassEncoder {
  backend.ensureCommandEncoderReady();
  if (!backend.computePassEncoder) backend.computePassEncoder = backend.commandEncoder!.beginComputePass();
  return backend.computePassEncoder;
}

/** Marks tensors as used by recorded commands, so tfjs keeps their buffers until the next submit. */
export function holdUntilSubmit(backend: WebGPUBackendLike, tensors: tf.TensorInfo[]): void {
  for (const t of tensors) backend.commandQueueOwnedIds.add(t.dataId);
}

/** Records one dispatch; returns the outputs (new tensor infos, or the given in-place ones). */
export function runRaw(backend: WebGPUBackendLike, d: RawDispatch): tf.TensorInfo[] {
  const outs = d.outputs.map((o) => ('dataId' in o ? o : backend.makeTensorInfo(o.shape, o.dtype ?? 'float32')));
  const entries: GPUBindGroupEntry[] = [...outs, ...d.inputs].map((t, binding) => ({ binding, resource: { buffer: bufferOf(backend, t) } }));
  for (const buffer of d.buffers ?? []) entries.push({ binding: entries.length, resource: { buffer } });
  if (d.uniform) {
    // A fresh uniform buffer per dispatch: writeBuffer runs before any command still being recorded.
    const ub = backend.bufferManager.acquireBuffer(d.uniform.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    backend.queue.writeBuffer(ub, 0, d.uniform);
    backend.uniformPendingDisposal.push(ub);
    entries.push({ binding: entries.length, resource: { buffer: ub } });
  }
  const pipeline = pipelineFor(backend.device, d.code);
  const bindGroup = backend.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  // Under tf.profile, a pass of its own with timestamps, as tfjs times its own programs.
  const timed = backend.activeTimers != null;
  if (timed) beginTimedPass(backend);
  const pass = computePass(backend);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x, y = 1, z = 1] = d.workgroups;
  pass.dispatchWorkgroups(x, y, z);
  holdUntilSubmit(backend, [...d.inputs, ...outs]);
  backend.dispatchCountInPass++;
  if (timed) {
    backend.endComputePassEncoder();
    backend.activeTimers!.push({ name: d.label ?? 'avlab kernel', query: backend.getQueryTime() });
  } else if (backend.dispatchCountInPass >= (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number)) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  return outs;
}

/** Splits `count` workgroups into a 2-D grid within WebGPU's 65535 per dimension. */
export function grid(count: number): [number, number] {
  if (count <= 65535) return [Math.max(1, count), 1];
  const y = Math.ceil(count / 65535);
  return [Math.ceil(count / y), y];
}

/** A WGSL f32 literal with exactly the bits of `v` rounded to float32 (no decimal round trip). */
export function f32Literal(v: number): string {
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
  return `bitcast<f32>(${bits}u)`;
}

/**
 * Releases a tensor a raw kernel made for its own use (partials, scratch); recorded commands that
 * still read it keep its buffer until they are submitted (see `holdUntilSubmit`).
 */
export function disposeInfo(backend: WebGPUBackendLike, t: tf.TensorInfo): void {
  (backend as unknown as { disposeData(id: object): boolean }).disposeData(t.dataId);
}

/**
 * Replaces tfjs's webgpu kernel `kernelName` by `ours`, which gets tfjs's kernel function too and
 * returns null for the cases it leaves to it. False where tfjs has no such webgpu kernel.
 */
export function overrideKernel(kernelName: string, ours: (args: Parameters<tf.KernelFunc>[0], original: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[] | null): boolean {
  const original = tf.getKernel(kernelName, 'webgpu');
  if (!original) return false;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ ...original, kernelFunc: (args) => ours(args, original.kernelFunc) ?? original.kernelFunc(args) });
  return true;
}
