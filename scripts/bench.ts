/**
 * `npm run bench`: time per training epoch of each workload on every available backend and in the
 * PyTorch reference (Debian python3-torch), measured side by side in one run; prints the ratio
 * table and writes report/results/90_bench.json, which the report shows.
 * Usage: tsx scripts/bench.ts [--epochs N] [--workloads mlp,lstm,conv,avts] [--backends wasm,wasm-plain,cpu,webgpu,tensorflow] [--all]
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
const backends = opt('backends', 'wasm,wasm-plain,cpu,webgpu,tensorflow').split(',');

function tfjs(workload: string, backend: string): Timing | string {
  const env = { ...process.env, AVLAB_NATIVE_BLAS: backend === 'wasm-plain' ? '0' : process.env.AVLAB_NATIVE_BLAS };
  const be = backend === 'wasm-plain' ? 'wasm' : backend;
  const r = spawnSync('npx', ['tsx', path.join(root, 'scripts/bench/worker.ts'), workload, be, epochs], { env, encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) return (r.stderr.split('\n').find((l) => /Error|not available/.test(l)) ?? `exit ${r.status}`).trim();
  return JSON.parse(line) as Timing;
}

function pytorch(workload: string): Timing | string {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(root, 'scripts/bench/reference_torch.py'), workload, epochs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop()!) as Timing;
  } catch (e) {
    return `PyTorch reference unavailable (install Debian python3-torch): ${(e as Error).message.split('\n')[0]}`;
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
    if (refs.length) rows.push([w, refs[0].backend, Number(refMedian.toFixed(3)), 1, refs[0].peakRssMB, '']);
    else console.log(`${w}: ${ref1 as string}`);
    for (const [b, t] of results) {
      if (typeof t === 'string') {
        console.log(`${w} on ${b}: skipped (${t})`);
        continue;
      }
      rows.push([w, t.backend, Number(t.median.toFixed(3)), Number((t.median / refMedian).toFixed(2)), t.peakRssMB, t.tensorLeak ?? '']);
      if (t.conv3d) {
        const line = `${w} on ${b}: conv3d path ${t.conv3d.path.toUpperCase()}: ${t.conv3d.note}`;
        console.log(line);
        conv3dNotes.push(line);
      }
    }
  }
  const columns = ['workload', 'backend', 'epoch s (median)', 'ratio to PyTorch', 'peak RSS MB', 'tensor leak'];
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
    sections: [{ heading: 'Time per training epoch', markdown: 'Each backend runs in its own process, between two runs of the PyTorch reference (same networks, shapes, batch size and optimiser); the ratio divides by the reference median.' + (conv3dNotes.length ? ` The AVTS video encoder computes its 3-D convolutions with avlab's conv3dFrames (2-D convolution kernels); tfjs's own conv3d: ${conv3dNotes.join('; ')}.` : ''), table: { columns, rows } }],
  };
  const file = writeNotebookResults(path.join(root, 'report', 'results'), results);
  console.log(`wrote ${path.relative(root, file)}`);
}

main();
