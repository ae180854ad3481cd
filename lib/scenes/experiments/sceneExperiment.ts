/**
 * The scene notebooks' shared steps: train a list of models with one config, and turn the runs
 * into the standard figures (loss curves, confusion matrices, per-class accuracy, comparison with
 * the published numbers).
 */
import { sceneProfile, Profile } from '../../util/profile';
import { SceneDataset } from '../data/types';
import { SceneModelOptions } from '../models/registry';
import { comparisonBars, confusionMatrixFigure, lossCurves, perClassBars } from '../../plots/figures';
import { robustnessCurves } from '../../plots/curves';
import type { Figure } from '../../plots/types';
import { ExperimentConfig, TrainConfig } from '../../training/config';
import { publishedResults } from './published';
import { sceneRunKey, SceneVariantLike, variantLabel } from './runSpec';
import { perClassAccuracy, runSceneModel, SceneRunResult } from './sceneRun';

/** Options of `trainSceneModels`. */
export interface SceneModelsOptions {
  /** Registry names (see lib/scenes/models/registry.ts). */
  kinds: string[];
  data: SceneDataset;
  config: ExperimentConfig;
  profile: Profile;
  /**
   * The directory of a run from its key, `<kind>-<hash of its full spec>` (e.g. `nb.runDir`): runs
   * with equal specs share a directory, whichever notebook asks (see runSpec.ts).
   */
  runDir?: (key: string) => string;
  log?: (line: string) => void;
}

/** The training config for a profile: the quick profile caps the epochs. */
export function profileTrainConfig(config: TrainConfig, profile: Profile): TrainConfig {
  return { ...config, maxEpochs: Math.min(config.maxEpochs, sceneProfile(profile).maxEpochs) };
}

/** Trains and evaluates each model in turn (finished runs in their run directories are reused). */
export async function trainSceneModels(o: SceneModelsOptions): Promise<SceneRunResult[]> {
  const { kinds, ...rest } = o;
  return trainSceneVariants({ ...rest, variants: kinds });
}

export type { SceneVariant, SceneVariantLike } from './runSpec';

/** Trains registry entries or variants of them (`{ name, options, label }`); each result carries its label. */
export async function trainSceneVariants(o: Omit<SceneModelsOptions, 'kinds'> & { variants: SceneVariantLike[] }): Promise<SceneRunResult[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const train = profileTrainConfig(o.config.train, o.profile);
  const runs: SceneRunResult[] = [];
  for (const v of o.variants) {
    const name = variantLabel(v);
    log(`— ${name} —`);
    const model = o.config.model as Partial<SceneModelOptions>;
    const runDir = o.runDir && o.runDir(sceneRunKey(v, o.data, train, model));
    const r = await runSceneModel({ variant: v, data: o.data, config: train, runDir, model, log });
    log(`${name}: test accuracy ${r.accuracy.toFixed(3)}, log loss ${r.logLoss.toFixed(3)} (best epoch ${r.train.bestEpoch}, ${r.params.toLocaleString('en')} parameters, ${r.train.seconds.toFixed(1)} s)`);
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

/** Train and validation loss per epoch with the selected (lowest validation loss) epoch marked. */
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
    ...publishedResults().filter((p) => names.has(p.model)).map((p) => ({ method: p.model, value: p.accuracy, group: `published ${p.source} (real data)` })),
  ];
  return comparisonBars(rows, { title: 'Test accuracy: this run vs the published reports', yTitle: 'accuracy', percent: true });
}
