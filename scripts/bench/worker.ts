/**
 * Times one workload on one backend in a fresh process and prints one JSON line:
 * { workload, backend, epochs: seconds[], median, stepMs, peakRssMB, tensorLeak, dispatchesPerStep?, hostStepMs? }
 * (webgpu only: GPU kernel launches per training step, and the host's time to record a step: the
 * epoch is bound by the host, not the GPU, when that is near the step time).
 * Usage: tsx scripts/bench/worker.ts <workload> <backend | webgpu-null> [timedEpochs]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, BackendChoice } from '../../lib/backend';
import { buildWorkload, WorkloadName } from '../../lib/bench/workloads';
import { trainEpoch } from '../../lib/training/fit';
import { makeAdam } from '../../lib/training/optimizer';
import { conv3dKernelPath } from '../../lib/nn/conv3d';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';

/** The median of the timed epochs (the upper one of an even count, as the bench's other medians). */
function middle(values: number[]): number {
  return values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Makes Dawn's Null backend the WebGPU implementation: every call is checked and recorded, none runs. */
function useDawnNullBackend(): void {
  const { create, globals } = require('webgpu') as { create(flags: string[]): unknown; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  (globalThis as { navigator?: unknown }).navigator = { gpu: create(['backend=null']) };
}

async function main(): Promise<void> {
  const [workload, backend, timed = '5'] = process.argv.slice(2);
  const nullGpu = backend === 'webgpu-null';
  if (nullGpu) useDawnNullBackend();
  const info = await initBackend((nullGpu ? 'webgpu' : backend) as BackendChoice, { quiet: true });
  const w = buildWorkload(workload as WorkloadName);
  const optimizer = makeAdam(w.config.lr, w.config.weightDecay);
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  await trainEpoch(w.task, optimizer, w.batches, w.config, 0); // warm-up: kernels compiled, moments created
  const before = tf.memory().numTensors;
  const counting = info.name === 'webgpu' && installGpuCounters();
  const gpuBefore = gpuCounts();
  const epochs: number[] = [];
  const recorded: number[] = [];
  for (let e = 1; e <= Number(timed); e++) {
    const t0 = process.hrtime.bigint();
    let lastStep = t0;
    // Nothing waits for the GPU until the epoch's loss is read, so the last step's end is host time.
    await trainEpoch(w.task, optimizer, w.batches, w.config, e, () => (lastStep = process.hrtime.bigint()));
    epochs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    recorded.push(Number(lastStep - t0) / 1e9);
  }
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  const tensorLeak = tf.memory().numTensors - before;
  const steps = Math.ceil(w.data.size / w.config.batchSize);
  const median = middle(epochs);
  const dispatchesPerStep = counting ? Math.round(countsSince(gpuBefore).dispatches / (steps * epochs.length)) : undefined;
  const hostStepMs = counting ? Number(((middle(recorded) / steps) * 1000).toFixed(2)) : undefined;
  optimizer.dispose();
  // Which code tfjs's own conv3d would run here (the AVTS video encoder uses conv3dFrames instead).
  const conv3d = workload === 'avts' ? conv3dKernelPath() : undefined;
  // Not "webgpu …": the row has no GPU to set beside PyTorch on CUDA.
  const label = nullGpu ? `Dawn's Null backend (no GPU work), ${optimizer.kind}` : `${info.detail}, ${optimizer.kind}`;
  console.log(JSON.stringify({ workload, backend: label, epochs, median, stepMs: Number(((median / steps) * 1000).toFixed(2)), dispatchesPerStep, hostStepMs, peakRssMB: Math.round(peak / 2 ** 20), tensorLeak, conv3d }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
