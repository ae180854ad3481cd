/**
 * The scene notebooks' shared steps: train a list of models with one config, and turn the runs
 * into the standard figures (loss curves, confusion matrices, per-class accuracy, comparison with
 * the published numbers).
 */
import { sceneProfile, Profile } from '../config/profile';
import { SceneDataset } from '../data/scenes/types';
import { SceneModelKind, SceneModelOptions } from '../models/scene';
import { comparisonBars, confusionMatrixFigure, lossCurves, perClassBars } from '../plots/figures';
import type { Figure } from '../plots/types';
import { ExperimentConfig, TrainConfig } from '../train/config';
import { PUBLISHED_SCENE_RESULTS } from './published';
import { perClassAccuracy, runSceneModel, SceneRunResult } from './sceneRun';

/** Options of `trainSceneModels`. */
export interface SceneModelsOptions {
  kinds: SceneModelKind[];
  data: SceneDataset;
  config: ExperimentConfig;
  profile: Profile;
  /** Run directory per model (e.g. `nb.runDir`). */
  runDir?: (kind: SceneModelKind) => string;
  log?: (line: string) => void;
}

/** The training config for a profile: the quick profile caps the epochs. */
export function profileTrainConfig(config: TrainConfig, profile: Profile): TrainConfig {
  return { ...config, maxEpochs: Math.min(config.maxEpochs, sceneProfile(profile).maxEpochs) };
}

/** Trains and evaluates each model in turn (finished runs in their run directories are reused). */
export async function trainSceneModels(o: SceneModelsOptions): Promise<SceneRunResult[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const train = profileTrainConfig(o.config.train, o.profile);
  const runs: SceneRunResult[] = [];
  for (const kind of o.kinds) {
    log(`— ${kind} —`);
    const r = await runSceneModel({ kind, data: o.data, config: train, runDir: o.runDir?.(kind), model: o.config.model as Partial<SceneModelOptions>, log });
    log(`${kind}: test accuracy ${r.accuracy.toFixed(3)}, log loss ${r.logLoss.toFixed(3)} (best epoch ${r.train.bestEpoch}, ${r.params.toLocaleString('en')} parameters, ${r.train.seconds.toFixed(1)} s)`);
    runs.push(r);
  }
  return runs;
}

/** A plain summary row per run, for tables. */
export function summaryRows(runs: SceneRunResult[]): Record<string, string | number>[] {
  return runs.map((r) => ({
    model: r.kind,
    'test accuracy': Number(r.accuracy.toFixed(3)),
    'test log loss': Number(r.logLoss.toFixed(3)),
    'macro F1': Number(r.report.macro.f1.toFixed(3)),
    'best epoch': r.train.bestEpoch,
    'epochs run': r.train.history.length,
    parameters: r.params,
  }));
}

/** Train and cv loss per epoch with the selected (lowest cv loss) epoch marked. */
export function runLossFigure(r: SceneRunResult): Figure {
  return lossCurves(r.train.history, { title: `${r.kind}: loss per epoch`, bestEpoch: r.train.bestEpoch });
}

/** The test confusion matrix, rows normalised to per-class recall. */
export function runConfusionFigure(r: SceneRunResult, classes: string[]): Figure {
  return confusionMatrixFigure(r.confusion, classes, { title: `${r.kind}: test confusion matrix (row-normalised)`, normalise: 'true' });
}

/** Per-class test accuracy (recall) of several runs, grouped by class. */
export function perClassAccuracyFigure(runs: SceneRunResult[], classes: string[], title = 'Per-class test accuracy'): Figure {
  return perClassBars(runs.map((r) => ({ name: r.kind, values: perClassAccuracy(r.confusion) })), classes, { title, yTitle: 'accuracy', percent: true });
}

/** Test accuracy of this run's models beside the published ones (simulated vs real data labelled). */
export function accuracyComparisonFigure(runs: SceneRunResult[], dataLabel: string): Figure {
  const kinds = new Set(runs.map((r) => r.kind as string));
  const rows = [
    ...runs.map((r) => ({ method: r.kind as string, value: r.accuracy, group: `this run (${dataLabel})` })),
    ...PUBLISHED_SCENE_RESULTS.filter((p) => kinds.has(p.model)).map((p) => ({ method: p.model, value: p.accuracy, group: `published ${p.source} (real data)` })),
  ];
  return comparisonBars(rows, { title: 'Test accuracy: this run vs the published reports', yTitle: 'accuracy', percent: true });
}
