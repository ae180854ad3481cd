/**
 * A worker process of `runSceneSweep`: receives scene runs over IPC, trains each with
 * `runSceneModel` into its run directory, and reports back. Data sets are loaded once per worker.
 */
import { initBackend } from '../../backend';
import { loadScenes, LoadScenesOptions } from '../data/load';
import { SceneDataset } from '../data/types';
import { SceneModelOptions } from '../models/registry';
import { SceneVariant } from './runSpec';
import { TrainConfig } from '../../training/config';
import { runSceneModel } from './sceneRun';

/** One unit of work sent to a worker. */
export interface SceneJob {
  id: number;
  variant: SceneVariant;
  config: TrainConfig;
  model: Partial<SceneModelOptions>;
  data: LoadScenesOptions;
  runDir: string;
}

/** What a worker sends back. */
export type SceneJobReply = { id: number; ok: true; accuracy: number; seconds: number } | { id: number; ok: false; error: string };

const datasets = new Map<string, Promise<SceneDataset>>();

/** Runs one job in this process (used by the workers, and in-process when there is one worker). */
export async function runSceneJob(job: SceneJob): Promise<SceneJobReply> {
  const started = Date.now();
  try {
    await initBackend(undefined, { quiet: true });
    const key = JSON.stringify(job.data);
    if (!datasets.has(key)) datasets.set(key, loadScenes(job.data));
    const data = await datasets.get(key)!;
    const r = await runSceneModel({ variant: job.variant, data, config: job.config, model: job.model, runDir: job.runDir, log: () => {} });
    return { id: job.id, ok: true, accuracy: r.accuracy, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    return { id: job.id, ok: false, error: (e as Error).stack ?? String(e) };
  }
}

if (require.main === module && process.send) {
  process.on('message', (job: SceneJob) => {
    void runSceneJob(job).then((reply) => process.send!(reply));
  });
  process.send({ ready: true });
}
