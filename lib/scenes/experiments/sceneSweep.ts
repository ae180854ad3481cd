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
import { SceneModelKind, SceneModelOptions } from '../models/registry';
import { TrainConfig } from '../../training/config';
import { readSceneRun, SceneRunResult } from './sceneRun';
import { runSceneJob, SceneJob, SceneJobReply } from './sceneWorker';

/** Options of `runSceneSweep`. */
export interface SceneSweepOptions {
  kinds: SceneModelKind[];
  seeds: number[];
  /** How every worker loads the data (must be deterministic: each worker loads its own copy). */
  dataOptions: LoadScenesOptions;
  /** The same data, loaded in this process, for reading the runs back. */
  data: SceneDataset;
  config: TrainConfig;
  model?: Partial<SceneModelOptions>;
  runDir: (kind: SceneModelKind, seed: number) => string;
  /** Worker processes (default: one per core, at most the number of runs; 1 = in this process). */
  workers?: number;
  log?: (line: string) => void;
}

/** One finished run of a sweep. */
export interface SweepRun {
  kind: SceneModelKind;
  seed: number;
  result: SceneRunResult;
}

function workerScript(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return { file: path.join(__dirname, `sceneWorker.${ts ? 'ts' : 'js'}`), execArgv: ts ? ['--require', 'tsx/cjs'] : [] };
}

/** Trains every (kind, seed) pair and returns the runs in kinds × seeds order. */
export async function runSceneSweep(o: SceneSweepOptions): Promise<SweepRun[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const jobs: SceneJob[] = [];
  for (const kind of o.kinds) {
    for (const seed of o.seeds) {
      jobs.push({ id: jobs.length, kind, config: { ...o.config, seed }, model: o.model ?? {}, data: o.dataOptions, runDir: o.runDir(kind, seed) });
    }
  }
  const workers = Math.max(1, Math.min(o.workers ?? os.cpus().length, jobs.length));
  const started = Date.now();
  let done = 0;
  const report = (job: SceneJob, reply: SceneJobReply) => {
    if (!reply.ok) throw new Error(`${job.kind} seed ${job.config.seed} failed:\n${reply.error}`);
    done++;
    log(`[${done}/${jobs.length}] ${job.kind} seed ${job.config.seed}: test accuracy ${reply.accuracy.toFixed(3)} (${reply.seconds.toFixed(1)} s, ${((Date.now() - started) / 1000).toFixed(0)} s elapsed)`);
  };

  if (workers === 1) {
    for (const job of jobs) report(job, await runSceneJob(job));
  } else {
    const { file, execArgv } = workerScript();
    const queue = jobs.slice();
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
              if (current && code !== 0) reject(new Error(`a sweep worker exited with code ${code} while running ${current.kind} seed ${current.config.seed}`));
            });
            child.on('error', reject);
          }),
        ),
      );
    } finally {
      children.forEach((c) => c.kill());
    }
  }
  return jobs.map((j) => ({ kind: j.kind, seed: j.config.seed, result: readSceneRun(j.runDir, o.data) }));
}
