/**
 * Where a workload's training time goes: one epoch under `tf.profile`, kernel wall times summed by
 * kernel name, largest first, with the share of the epoch spent outside kernels (JS, tape, GC).
 * Usage: tsx scripts/bench/profile.ts <mlp|lstm|conv> [backend] [top]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, BackendChoice } from '../../lib/backend';
import { buildWorkload, WorkloadName } from '../../lib/bench/workloads';
import { trainEpoch } from '../../lib/training/fit';
import { makeAdam } from '../../lib/training/optimizer';

async function main(): Promise<void> {
  const [workload = 'lstm', backend = 'auto', top = '25'] = process.argv.slice(2);
  const info = await initBackend(backend as BackendChoice, { quiet: true });
  const w = buildWorkload(workload as WorkloadName);
  const optimizer = makeAdam(w.config.lr, w.config.weightDecay);
  await trainEpoch(w.task, optimizer, w.batches, w.config, 0);
  const t0 = performance.now();
  await trainEpoch(w.task, optimizer, w.batches, w.config, 1);
  const plain = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const profile = await tf.profile(() => trainEpoch(w.task, optimizer, w.batches, w.config, 2));
  const profiled = (performance.now() - t1) / 1000;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0) / 1000;
  console.log(`${workload} on ${info.detail}, ${optimizer.kind}: epoch ${plain.toFixed(2)} s (${profiled.toFixed(2)} s profiled), kernels ${total.toFixed(2)} s in ${profile.kernels.length} calls`);
  console.log('kernel'.padEnd(28) + 'seconds'.padStart(9) + 'share'.padStart(8) + 'calls'.padStart(8) + 'µs/call'.padStart(9));
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(top))) {
    console.log(name.padEnd(28) + (e.ms / 1000).toFixed(3).padStart(9) + `${((100 * e.ms) / 1000 / profiled).toFixed(1)}%`.padStart(8) + String(e.calls).padStart(8) + ((1000 * e.ms) / e.calls).toFixed(0).padStart(9));
  }
  optimizer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
