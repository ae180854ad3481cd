/**
 * Many independent scene runs (methods × seeds) spread over worker processes, one per core: the
 * runs share nothing, so two cores finish a sweep in about half the time. Each run is written to
 * its own run directory (resumable, reused when finished) and read back for analysis.
 */
import { fork, ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoadScenesOptions } from '../data/load';
import { SceneDataset } from '../data/types';
import { SceneModelOptions } from '../models/registry';
import { TrainConfig } from '../../training/config';
import { readSceneRun, SceneRunResult } from './sceneRun';
import { readRunSpec, sceneRunKey, SceneVariantLike, toVariant, variantLabel } from './runSpec';
import { runSceneJob, SceneJob, SceneJobReply } from './sceneWorker';

/** Options of `runSceneSweep`. */
export interface SceneSweepOptions {
  /** Registry names or variants (`{ name, options, label }`), e.g. `SEED_STUDY_MODELS`. */
  variants: SceneVariantLike[];
  seeds: number[];
  /** How every worker loads the data (must be deterministic: each worker loads its own copy). */
  dataOptions: LoadScenesOptions;
  /** The same data, loaded in this process, for reading the runs back. */
  data: SceneDataset;
  config: TrainConfig;
  /** Options under every variant's own (e.g. the config file's `model:`). */
  model?: Partial<SceneModelOptions>;
  /**
   * The directory of a run from its key, `<kind>-<hash of its full spec, seed included>` (e.g.
   * `nb.runDir`): a run any notebook trained with the same spec is reused.
   */
  runDir: (key: string) => string;
  /** Worker processes (default: one per core, at most the number of runs; 1 = in this process). */
  workers?: number;
  log?: (line: string) => void;
}

/** One finished run of a sweep. */
export interface SweepRun {
  /** The variant's label (its registry name unless labelled): what the analyses group by. */
  name: string;
  /** Its registry name. */
  kind: string;
  seed: number;
  runDir: string;
  result: SceneRunResult;
}

function workerScript(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return { file: path.join(__dirname, `sceneWorker.${ts ? 'ts' : 'js'}`), execArgv: ts ? ['--require', 'tsx/cjs'] : [] };
}

/** Trains every (variant, seed) pair and returns the runs in variants × seeds order. */
export async function runSceneSweep(o: SceneSweepOptions): Promise<SweepRun[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const jobs: (SceneJob & { name: string; key: string })[] = [];
  for (const v of o.variants) {
    const variant = typeof v === 'string' ? { name: v } : v;
    toVariant(variant); // unknown names fail here, before any worker starts
    for (const seed of o.seeds) {
      const config = { ...o.config, seed };
      const key = sceneRunKey(variant, o.data, config, o.model);
      jobs.push({ id: jobs.length, name: variantLabel(variant), key, variant, config, model: o.model ?? {}, data: o.dataOptions, runDir: o.runDir(key) });
    }
  }
  const names = jobs.map((j) => `${j.name} seed ${j.config.seed}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`runSceneSweep: ${twice} appears twice; give variants of one entry distinct labels`);
  // Variants that normalise to the same spec (e.g. a spelled-out default) are one run, trained once.
  const unique = jobs.filter((j, i) => jobs.findIndex((k) => k.runDir === j.runDir) === i);
  const workers = Math.max(1, Math.min(o.workers ?? os.cpus().length, unique.length));
  const started = Date.now();
  let done = 0;
  const report = (job: SceneJob, reply: SceneJobReply) => {
    if (!reply.ok) throw new Error(`${job.variant.name} seed ${job.config.seed} failed:\n${reply.error}`);
    done++;
    log(`[${done}/${unique.length}] ${variantLabel(job.variant)} seed ${job.config.seed}: test accuracy ${reply.accuracy.toFixed(3)} (${reply.seconds.toFixed(1)} s, ${((Date.now() - started) / 1000).toFixed(0)} s elapsed)`);
  };

  if (workers === 1) {
    for (const job of unique) report(job, await runSceneJob(job));
  } else {
    const { file, execArgv } = workerScript();
    const queue = unique.slice();
    const children: ChildProcess[] = [];
    try {
      await Promise.all(
        Array.from({ length: workers }, () =>
          new Promise<void>((resolve, reject) => {
            // One BLAS thread per worker: the workers already occupy the cores.
            const child = fork(file, [], { execArgv, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
            children.push(child);
            let current: SceneJob | undefined;
            const next = () => {
              current = queue.shift();
              if (current) child.send(current);
              else resolve();
            };
            child.on('message', (msg: SceneJobReply | { ready: true }) => {
              if ('ready' in msg) return next();
              try {
                report(current!, msg);
                next();
              } catch (e) {
                reject(e);
              }
            });
            child.on('exit', (code) => {
              if (current && code !== 0) reject(new Error(`a sweep worker exited with code ${code} while running ${current.variant.name} seed ${current.config.seed}`));
            });
            child.on('error', reject);
          }),
        ),
      );
    } finally {
      children.forEach((c) => c.kill());
    }
  }
  return jobs.map((j) => {
    // The workers load their own data: the run they wrote must have the spec computed here.
    const there = readRunSpec(j.runDir);
    if (there.key !== j.key) throw new Error(`${j.runDir}: holds ${there.key}, expected ${j.key} (did the workers load other data?)`);
    const result = readSceneRun(j.runDir, o.data);
    result.name = j.name;
    return { name: j.name, kind: j.variant.name, seed: j.config.seed, runDir: j.runDir, result };
  });
}
