/**
 * `npm run bench`: time per training epoch of each workload on every available backend and in the
 * PyTorch reference (Debian python3-torch), measured side by side in one run; prints the ratio
 * table and writes report/results/90_bench.json, which the report shows. Where WebGPU comes up (a
 * GPU adapter), its rows give the GPU dispatches per step, and PyTorch on CUDA is timed too.
 * Usage: tsx scripts/bench.ts [--epochs N] [--workloads mlp,lstm,conv,avts] [--backends wasm,wasm-plain,cpu,webgpu,webgpu-tfjs,webgpu-null,tensorflow] [--all]
 * The plain-JavaScript cpu backend runs the MLP only unless --all: an LSTM or ResNet epoch there takes minutes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { writeNotebookResults } from '../lib/report/results';
import type { NotebookResults } from '../lib/report/types';

interface Timing {
  workload: string;
  backend: string;
  epochs: number[];
  median: number;
  /** Milliseconds per training step (the epoch's median over its steps). */
  stepMs?: number;
  /** WebGPU only: GPU dispatches per training step. */
  dispatchesPerStep?: number;
  /** WebGPU only: the host's time to record one step. */
  hostStepMs?: number;
  peakRssMB: number;
  tensorLeak?: number;
  /** For the AVTS workload: which code tfjs's own conv3d takes on this backend. */
  conv3d?: { backend: string; path: string; note: string };
}

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const epochs = opt('epochs', '5');
const workloads = opt('workloads', 'mlp,lstm,conv,avts').split(',');
// `wasm` is wasm with the native OpenBLAS matmul when it is built; `wasm-plain` is tfjs's own kernels.
// `webgpu` runs avlab's WGSL kernels, `webgpu-tfjs` tfjs's own (and tfjs's Adam), to compare;
// `webgpu-null` runs avlab's on Dawn's Null backend, which does no GPU work: its step time is the
// host's cost of a step, a floor under the step time on any GPU, measurable on every machine.
const backends = opt('backends', 'wasm,wasm-plain,cpu,webgpu,webgpu-tfjs,webgpu-null,tensorflow').split(',');

function tfjs(workload: string, backend: string): Timing | string {
  const env = { ...process.env, AVLAB_NATIVE_BLAS: backend === 'wasm-plain' ? '0' : process.env.AVLAB_NATIVE_BLAS };
  if (backend === 'webgpu-tfjs') Object.assign(env, { AVLAB_WEBGPU_KERNELS: '0', AVLAB_FUSED_ADAM: '0' });
  const be = backend.replace(/-(plain|tfjs)$/, ''); // webgpu-null is the worker's own
  const r = spawnSync('npx', ['tsx', path.join(root, 'scripts/bench/worker.ts'), workload, be, epochs], { env, encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) return (r.stderr.split('\n').find((l) => /Error|not available/.test(l)) ?? `exit ${r.status}`).trim();
  return JSON.parse(line) as Timing;
}

function pytorch(workload: string, device: 'cpu' | 'cuda' = 'cpu'): Timing | string {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(root, 'scripts/bench/reference_torch.py'), workload, epochs, device], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop()!) as Timing;
  } catch (e) {
    return `PyTorch reference (${device}) unavailable${device === 'cpu' ? ' (install Debian python3-torch)' : ''}: ${(e as Error).message.split('\n')[0]}`;
  }
}

function main(): void {
  const rows: (string | number)[][] = [];
  const conv3dNotes: string[] = [];
  for (const w of workloads) {
    // The reference runs first and last; its median over both brackets the tfjs runs in time.
    const ref1 = pytorch(w);
    const slow = (b: string) => b === 'cpu' && w !== 'mlp' && !args.includes('--all');
    const results: [string, Timing | string][] = backends.map((b) => [b, slow(b) ? 'the cpu backend runs the MLP only (--all for every workload)' : tfjs(w, b)]);
    const ref2 = pytorch(w);
    const refs = [ref1, ref2].filter((r): r is Timing => typeof r !== 'string');
    const refMedian = refs.length ? refs.flatMap((r) => r.epochs).sort((a, b) => a - b)[Math.floor(refs.flatMap((r) => r.epochs).length / 2)] : NaN;
    // A GPU row is set beside PyTorch on the same GPU.
    const gpuRan = results.some(([b, t]) => b.startsWith('webgpu') && b !== 'webgpu-null' && typeof t !== 'string');
    const cuda = gpuRan ? pytorch(w, 'cuda') : 'no WebGPU row';
    const cudaMedian = typeof cuda === 'string' ? NaN : cuda.median;
    const row = (t: Timing, ratio: number, leak: number | string): (string | number)[] => [
      w, t.backend, Number(t.median.toFixed(3)), t.stepMs ?? '', t.hostStepMs ?? '', t.dispatchesPerStep ?? '', Number(ratio.toFixed(2)),
      t.backend.startsWith('webgpu') && Number.isFinite(cudaMedian) ? Number((t.median / cudaMedian).toFixed(2)) : '', t.peakRssMB, leak,
    ];
    if (refs.length) rows.push(row({ ...refs[0], median: refMedian }, 1, ''));
    else console.log(`${w}: ${ref1 as string}`);
    if (typeof cuda !== 'string') rows.push(row(cuda, cuda.median / refMedian, ''));
    else if (gpuRan) console.log(`${w}: ${cuda}`);
    for (const [b, t] of results) {
      if (typeof t === 'string') {
        console.log(`${w} on ${b}: skipped (${t})`);
        continue;
      }
      rows.push(row(t, t.median / refMedian, t.tensorLeak ?? ''));
      if (t.conv3d) {
        const line = `${w} on ${b}: conv3d path ${t.conv3d.path.toUpperCase()}: ${t.conv3d.note}`;
        console.log(line);
        conv3dNotes.push(line);
      }
    }
  }
  const columns = ['workload', 'backend', 'epoch s (median)', 'step ms', 'host ms per step', 'GPU dispatches per step', 'ratio to PyTorch CPU', 'ratio to PyTorch CUDA', 'peak RSS MB', 'tensor leak'];
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r: (string | number)[]) => r.map((v, i) => String(v).padEnd(widths[i])).join('  ');
  console.log(fmt(columns));
  rows.forEach((r) => console.log(fmt(r)));
  const results: NotebookResults = {
    notebook: '90_bench',
    title: 'Training speed against PyTorch',
    profile: 'bench',
    backend: 'several',
    dataDescription: `random data of the experiments' shapes; median of ${epochs} epochs after a warm-up`,
    source: 'simulated',
    startedAt: new Date().toISOString(),
    wallSeconds: process.uptime(),
    sections: [{ heading: 'Time per training epoch', markdown: 'Each backend runs in its own process, between two runs of the PyTorch reference (same networks, shapes, batch size and optimiser); the ratio divides by the reference median. Where a GPU adapter exists, the WebGPU rows count the GPU dispatches of a training step, give the time the host takes to record one (the epoch is bound by the host where that is near the step time), and divide by PyTorch on CUDA on the same GPU.' + (conv3dNotes.length ? ` The AVTS video encoder computes its 3-D convolutions with avlab's conv3dFrames (2-D convolution kernels); tfjs's own conv3d: ${conv3dNotes.join('; ')}.` : ''), table: { columns, rows } }],
  };
  const file = writeNotebookResults(path.join(root, 'report', 'results'), results);
  console.log(`wrote ${path.relative(root, file)}`);
}

main();
