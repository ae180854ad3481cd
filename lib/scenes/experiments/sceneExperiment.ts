/**
 * The scene notebooks' shared steps: train a list of models with one config, and turn the runs
 * into the standard figures (loss curves, confusion matrices, per-class accuracy, comparison with
 * the published numbers).
 */
import { sceneProfile, Profile } from '../../util/profile';
import { SceneDataset } from '../data/types';
import { SceneModelKind, SceneModelOptions } from '../models/registry';
import { comparisonBars, confusionMatrixFigure, lossCurves, perClassBars } from '../../plots/figures';
import { robustnessCurves } from '../../plots/curves';
import type { Figure } from '../../plots/types';
import { ExperimentConfig, TrainConfig } from '../../training/config';
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
  const { kinds, runDir, ...rest } = o;
  return trainSceneVariants({ ...rest, variants: kinds.map((kind) => ({ name: kind, kind })), runDir: runDir && ((name) => runDir(name as SceneModelKind)) });
}

/** A named variant of a model kind with its own options (e.g. per-class fusion weights). */
export interface SceneVariant {
  name: string;
  kind: SceneModelKind;
  model?: Partial<SceneModelOptions>;
}

/** Trains variants like `trainSceneModels`; each result carries its variant's name. */
export async function trainSceneVariants(o: Omit<SceneModelsOptions, 'kinds' | 'runDir'> & { variants: SceneVariant[]; runDir?: (name: string) => string }): Promise<SceneRunResult[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const train = profileTrainConfig(o.config.train, o.profile);
  const runs: SceneRunResult[] = [];
  for (const v of o.variants) {
    log(`— ${v.name} —`);
    const model = { ...(o.config.model as Partial<SceneModelOptions>), ...v.model };
    const r = await runSceneModel({ kind: v.kind, data: o.data, config: train, runDir: o.runDir?.(v.name), model, log });
    r.name = v.name;
    log(`${v.name}: test accuracy ${r.accuracy.toFixed(3)}, log loss ${r.logLoss.toFixed(3)} (best epoch ${r.train.bestEpoch}, ${r.params.toLocaleString('en')} parameters, ${r.train.seconds.toFixed(1)} s)`);
    runs.push(r);
  }
  return runs;
}

/** The display name of a run. */
export function runName(r: SceneRunResult): string {
  return r.name ?? r.kind;
}

/** A plain summary row per run, for tables. */
export function summaryRows(runs: SceneRunResult[]): Record<string, string | number>[] {
  return runs.map((r) => ({
    model: runName(r),
    'test accuracy': Number(r.accuracy.toFixed(3)),
    'test log loss': Number(r.logLoss.toFixed(3)),
    'macro F1': Number(r.report.macro.f1.toFixed(3)),
    'best epoch': r.train.bestEpoch,
    'epochs run': r.train.history.length,
    parameters: r.params,
  }));
}

/** Learned fusion weights across epochs, one line per weight (per-class weights averaged over classes). */
export function fusionWeightsFigure(r: SceneRunResult): Figure {
  const history = r.fusionHistory ?? [];
  if (history.length === 0) throw new Error(`${runName(r)} has no learned fusion weights`);
  const keys = Object.keys(history[0].weights);
  const perClass = history[0].weights[keys[0]].length > 1;
  return robustnessCurves(
    keys.map((k) => ({ name: perClass ? `${k} (mean over classes)` : k, x: history.map((h) => h.epoch), y: history.map((h) => h.weights[k].reduce((a, b) => a + b, 0) / h.weights[k].length) })),
    { title: `${runName(r)}: learned fusion weights per epoch`, xTitle: 'epoch', yTitle: 'weight' },
  );
}

/** Train and cv loss per epoch with the selected (lowest cv loss) epoch marked. */
export function runLossFigure(r: SceneRunResult): Figure {
  return lossCurves(r.train.history, { title: `${runName(r)}: loss per epoch`, bestEpoch: r.train.bestEpoch });
}

/** The test confusion matrix, rows normalised to per-class recall. */
export function runConfusionFigure(r: SceneRunResult, classes: string[]): Figure {
  return confusionMatrixFigure(r.confusion, classes, { title: `${runName(r)}: test confusion matrix (row-normalised)`, normalise: 'true' });
}

/** Per-class test accuracy (recall) of several runs, grouped by class. */
export function perClassAccuracyFigure(runs: SceneRunResult[], classes: string[], title = 'Per-class test accuracy'): Figure {
  return perClassBars(runs.map((r) => ({ name: runName(r), values: perClassAccuracy(r.confusion) })), classes, { title, yTitle: 'accuracy', percent: true });
}

/** Test accuracy of this run's models beside the published ones (simulated vs real data labelled). */
export function accuracyComparisonFigure(runs: SceneRunResult[], dataLabel: string): Figure {
  const names = new Set(runs.map(runName));
  const rows = [
    ...runs.map((r) => ({ method: runName(r), value: r.accuracy, group: `this run (${dataLabel})` })),
    ...PUBLISHED_SCENE_RESULTS.filter((p) => names.has(p.model)).map((p) => ({ method: p.model, value: p.accuracy, group: `published ${p.source} (real data)` })),
  ];
  return comparisonBars(rows, { title: 'Test accuracy: this run vs the published reports', yTitle: 'accuracy', percent: true });
}
