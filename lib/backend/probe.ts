/**
 * How `AVLAB_BACKEND=auto` chooses between backends that all come up: it times a short training
 * step on each and takes the fastest one whose losses equal the CPU path's, and the CPU path unless
 * another is clearly faster. A GPU with a slow driver (or a software one, like Mesa's lavapipe)
 * therefore never makes a run slower than the CPU would. Results are cached per machine, adapter,
 * library versions and probe shape, so the probe runs once (a few seconds), not on every start.
 * The steps themselves (a stand-in dense network, or a training task's own) are lib/training/probe.ts.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/files';

/** A training step to time on each candidate backend. */
export interface BackendProbe {
  /** Identifies the workload and its shapes in the cache. */
  key: string;
  /** Builds the step on the active backend. `run` performs one update and returns its loss. */
  build(): Promise<ProbeStep>;
  /** Updates per timed round. */
  steps: number;
}

/** One built probe: `run` returns the step's loss (a scalar the caller disposes). */
export interface ProbeStep {
  run(): tf.Scalar;
  dispose(): void;
}

/** What one candidate did on the probe. */
export interface ProbeTiming {
  backend: string;
  /** Median over rounds of the seconds per step, in milliseconds; null when it failed. */
  msPerStep: number | null;
  /** The losses of the first round (the same steps on every backend). */
  losses: number[];
  /** Why it cannot be chosen: an error, or losses that differ from the CPU path's. */
  rejected?: string;
}

/** The probe's verdict. */
export interface ProbeResult {
  probe: string;
  choice: string;
  /** One line: the timings and why the choice won. */
  reason: string;
  timings: ProbeTiming[];
  /** When the timings were measured (ISO time); `cached` when they were read from the cache. */
  measured: string;
  cached: boolean;
}

/** Version of avlab's own kernels, part of the cache key: bump it when a kernel changes. */
export const KERNELS_VERSION = 2;

/** Losses of another backend agree with the CPU path's when within this relative tolerance. */
export const LOSS_TOLERANCE = 1e-4;
/** Another backend is chosen only when at least this much faster per step than the CPU path. */
export const SPEED_MARGIN = 0.1;

const ROUNDS = 3;

/** Times `probe` on the active backend: two warm-up steps, then `ROUNDS` rounds of `probe.steps`. */
export async function timeProbe(probe: BackendProbe, backend: string): Promise<ProbeTiming> {
  let built: ProbeStep | null = null;
  try {
    built = await probe.build();
    for (let i = 0; i < 2; i++) {
      const l = built.run();
      await l.data();
      l.dispose();
    }
    const rounds: number[] = [];
    let losses: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const scalars: tf.Scalar[] = [];
      const t0 = process.hrtime.bigint();
      for (let s = 0; s < probe.steps; s++) scalars.push(built.run());
      await scalars[scalars.length - 1].data(); // the GPU has finished every step once the last loss is read
      rounds.push(Number(process.hrtime.bigint() - t0) / 1e6 / probe.steps);
      if (r === 0) losses = await Promise.all(scalars.map(async (l) => (await l.data())[0]));
      tf.dispose(scalars);
    }
    rounds.sort((a, b) => a - b);
    return { backend, msPerStep: rounds[Math.floor(rounds.length / 2)], losses };
  } catch (e) {
    return { backend, msPerStep: null, losses: [], rejected: `failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    built?.dispose();
  }
}

/**
 * Picks the backend: the CPU path (`timings[0]`) unless another backend's losses match it within
 * `LOSS_TOLERANCE` and it is at least `SPEED_MARGIN` faster per step; then the fastest such one.
 */
export function chooseBackend(timings: ProbeTiming[]): { choice: string; reason: string; timings: ProbeTiming[] } {
  const [cpu, ...others] = timings;
  const judged = others.map((t): ProbeTiming => {
    if (t.rejected || t.msPerStep === null) return t;
    if (cpu.msPerStep === null) return t;
    const bad = t.losses.findIndex((l, i) => !(Math.abs(l - cpu.losses[i]) <= LOSS_TOLERANCE * Math.max(1, Math.abs(cpu.losses[i]))));
    if (bad >= 0 || t.losses.length !== cpu.losses.length) {
      return { ...t, rejected: `losses differ from ${cpu.backend}'s at step ${bad + 1} (${t.losses[bad]} vs ${cpu.losses[bad]})` };
    }
    return t;
  });
  const fmt = (t: ProbeTiming) => `${t.backend} ${t.msPerStep === null ? 'failed' : `${t.msPerStep.toFixed(2)} ms/step`}${t.rejected ? ` (rejected: ${t.rejected})` : ''}`;
  const all = [cpu, ...judged];
  let best = cpu;
  if (cpu.msPerStep === null) {
    // The CPU path itself failed the probe: take any backend that ran.
    best = judged.find((t) => !t.rejected && t.msPerStep !== null) ?? cpu;
  } else {
    for (const t of judged) {
      if (t.rejected || t.msPerStep === null) continue;
      if (t.msPerStep <= cpu.msPerStep * (1 - SPEED_MARGIN) && t.msPerStep < (best.msPerStep ?? Infinity)) best = t;
    }
  }
  const why = best === cpu ? `no other backend was ${Math.round(SPEED_MARGIN * 100)} % faster with the same losses` : `fastest with the same losses as ${cpu.backend}`;
  return { choice: best.backend, reason: `${all.map(fmt).join(', ')}: ${why}`, timings: all };
}

/** Where probe results are kept: $AVLAB_CACHE_DIR, else $XDG_CACHE_HOME/avlab, else ~/.cache/avlab. */
export function probeCacheFile(): string {
  const dir = process.env.AVLAB_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'avlab');
  return path.join(dir, 'backend-probe.json');
}

/** The cache key: this machine, the candidates (with the GPU adapter), library versions, the probe. */
export function probeKey(probe: BackendProbe, candidates: string[]): string {
  const cpu = os.cpus();
  const identity = {
    host: os.hostname(),
    cpu: `${cpu[0]?.model ?? '?'} x${cpu.length}`,
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
    tfjs: tf.version_core,
    kernels: KERNELS_VERSION,
    vulkan: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? '',
    candidates,
    probe: probe.key,
  };
  return crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 24);
}

type CacheFile = Record<string, Omit<ProbeResult, 'cached'>>;

function readCache(file: string): CacheFile {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
  } catch {
    return {}; // absent or unreadable: probe again and rewrite it
  }
}

/**
 * Runs (or reads from the cache) the probe over `candidates`, each given as a name and a function
 * that makes it the active backend; the first is the CPU path. `refresh` ignores the cache.
 */
export async function probeBackends(
  probe: BackendProbe,
  candidates: { name: string; activate(): Promise<void> }[],
  opts: { refresh?: boolean; cacheFile?: string } = {},
): Promise<ProbeResult> {
  const file = opts.cacheFile ?? probeCacheFile();
  const key = probeKey(probe, candidates.map((c) => c.name));
  const cache = readCache(file);
  const hit = cache[key];
  if (hit && !opts.refresh && candidates.some((c) => c.name === hit.choice)) return { ...hit, cached: true };
  const timings: ProbeTiming[] = [];
  for (const c of candidates) {
    await c.activate();
    timings.push(await timeProbe(probe, c.name));
  }
  const { choice, reason, timings: judged } = chooseBackend(timings);
  const result: ProbeResult = { probe: probe.key, choice, reason, timings: judged, measured: new Date().toISOString(), cached: false };
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify({ ...readCache(file), [key]: { ...result, cached: undefined } }, null, 1));
  } catch (e) {
    console.warn(`avlab: could not write the backend probe cache ${file}: ${(e as Error).message}`);
  }
  return result;
}
