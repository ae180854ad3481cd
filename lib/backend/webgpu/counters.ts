/**
 * Counts what the WebGPU backend asks of the GPU: compute dispatches, queue submissions, buffer
 * writes (tfjs writes one uniform buffer per dispatch) and read-backs (`mapAsync`). Dispatches per
 * training step are the measure of per-step overhead the fused kernels cut; the bench reports them.
 */

/** Totals since the counters were installed. */
export interface GpuCounts {
  dispatches: number;
  submits: number;
  writeBuffers: number;
  readBacks: number;
}

const counts: GpuCounts = { dispatches: 0, submits: 0, writeBuffers: 0, readBacks: 0 };
let installed = false;

type Proto = Record<string, (...args: unknown[]) => unknown>;

function wrap(proto: Proto | undefined, method: string, key: keyof GpuCounts): void {
  const original = proto?.[method];
  if (!proto || typeof original !== 'function') return;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    counts[key]++;
    return original.apply(this, args);
  };
}

/**
 * Wraps the WebGPU classes' methods once (they must be the globals Dawn installed). Cheap: one
 * increment per call. Returns false where no WebGPU is loaded.
 */
export function installGpuCounters(): boolean {
  if (installed) return true;
  const g = globalThis as unknown as Record<string, { prototype: Proto } | undefined>;
  if (!g.GPUComputePassEncoder || !g.GPUQueue || !g.GPUBuffer) return false;
  wrap(g.GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches');
  wrap(g.GPUQueue.prototype, 'submit', 'submits');
  wrap(g.GPUQueue.prototype, 'writeBuffer', 'writeBuffers');
  wrap(g.GPUBuffer.prototype, 'mapAsync', 'readBacks');
  installed = true;
  return true;
}

/** A copy of the counters now; subtract two snapshots with `countsSince`. */
export function gpuCounts(): GpuCounts {
  return { ...counts };
}

/** What happened since `before` (a snapshot of `gpuCounts`). */
export function countsSince(before: GpuCounts): GpuCounts {
  return {
    dispatches: counts.dispatches - before.dispatches,
    submits: counts.submits - before.submits,
    writeBuffers: counts.writeBuffers - before.writeBuffers,
    readBacks: counts.readBacks - before.readBacks,
  };
}
