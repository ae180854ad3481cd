/**
 * The experiment of notebook 08: simulated clips (one data set per profile, seeded), every model
 * variant trained through `fit` on clip labels only for several training seeds, and the test scores
 * summarised over seeds (mean and Student-t interval, `seedSummary`).
 *
 * The three splits are disjoint simulator streams (`splitSeeds`). The interval over seeds covers
 * training randomness (initialisation, batch order) on one simulated test set.
 */
import * as path from 'node:path';
import type { Profile } from '../util/profile';
import { fit, type EpochRecord, type FitConfig } from '../training/fit';
import { writeFileAtomic } from '../io/files';
import { seedSummary } from '../stats/descriptive';
import { DEFAULT_INSTANCE_OPTIONS, fitAudioNorm, simulateInstances, splitSeeds, type AudioNorm, type MilFeatures } from './features/instances';
import { buildMilModel, disposeMilModel, milBatches, milTask, milVariant, MIL_VARIANTS, predictMil, type MilModel, type MilPrediction } from './models/milModel';
import { evaluateMil, type MilEvaluation } from './evaluate';

/** Sizes and schedule of one profile. */
export interface MilProfile {
  profile: Profile;
  clips: { train: number; val: number; test: number };
  epochs: number;
  batchSize: number;
  lr: number;
  /** Training seeds of every variant. */
  seeds: number[];
  variants: string[];
}

/**
 * quick: 160 training clips, 8 epochs, 3 seeds (the whole notebook in about two minutes on two
 * CPU cores); full: 400 clips, 20 epochs, 4 seeds (about 14 minutes of training by the quick
 * profile's measured epoch times, designed to stay under 20 minutes).
 */
export function milProfile(profile: Profile): MilProfile {
  const variants = MIL_VARIANTS.map((v) => v.id);
  return profile === 'quick'
    ? { profile, clips: { train: 160, val: 60, test: 120 }, epochs: 8, batchSize: 16, lr: 5e-3, seeds: [1, 2, 3], variants }
    : { profile, clips: { train: 400, val: 100, test: 240 }, epochs: 20, batchSize: 16, lr: 3e-3, seeds: [1, 2, 3, 4], variants };
}

/** The simulated splits and the audio standardisation fitted on the training split. */
export interface MilData {
  train: MilFeatures;
  val: MilFeatures;
  test: MilFeatures;
  norm: AudioNorm;
  description: string;
  source: 'simulated';
}

/** Simulates and featurises the three splits of data seed `seed`. */
export function simulateMilData(p: MilProfile, seed: number): MilData {
  const s = splitSeeds(seed);
  const train = simulateInstances({ seed: s.train }, p.clips.train, DEFAULT_INSTANCE_OPTIONS);
  const val = simulateInstances({ seed: s.val }, p.clips.val, DEFAULT_INSTANCE_OPTIONS);
  const test = simulateInstances({ seed: s.test }, p.clips.test, DEFAULT_INSTANCE_OPTIONS);
  const sync = test.truth.filter((t) => t.synchronised).length;
  const description = `simulated audio-visual events (seed ${seed}, ${p.profile} profile): ${train.size} training, ${val.size} validation, ${test.size} test clips of 10 s (${sync} synchronised, ${test.size - sync} unsynchronised test clips), ${train.classNames.length} classes`;
  return { train, val, test, norm: fitAudioNorm(train), description, source: 'simulated' };
}

/** The `fit` configuration of a profile and seed: Adam, constant rate, the epoch with the best validation F1 kept. */
export function milFitConfig(p: MilProfile, seed: number): FitConfig {
  return { seed, lr: p.lr, weightDecay: 1e-4, batchSize: p.batchSize, maxEpochs: p.epochs, plateau: { patience: 3, factor: 0.5, threshold: 1e-4, minLr: 0 }, earlyStop: p.epochs, schedule: 'constant', select: { metric: 'f1' } };
}

/** One trained variant and its test scores. */
export interface MilRun {
  variant: string;
  seed: number;
  history: EpochRecord[];
  bestEpoch: number;
  trainSeconds: number;
  reused: boolean;
  evaluation: MilEvaluation;
  /** Test predictions (probabilities and instance scores). */
  prediction: MilPrediction;
}

/**
 * Trains variant `variantId` with training seed `seed` through `fit` (reusing a finished run in
 * `runDir`), then scores it on the test clips with the threshold chosen on validation. With
 * `keepModel` the model is returned for a look inside; otherwise its weights are freed.
 */
export async function runMilVariant(data: MilData, p: MilProfile, variantId: string, seed: number, options: { runDir?: string; log?: (line: string) => void; keepModel?: boolean } = {}): Promise<MilRun & { model?: MilModel }> {
  const model = buildMilModel(milVariant(variantId), data.train, data.norm, seed);
  const config = milFitConfig(p, seed);
  const fingerprint = JSON.stringify({ v: 1, variantId, config, clips: p.clips, description: data.description });
  const result = await fit(milTask(model), milBatches(data.train, data.norm), { features: data.val }, config, { runDir: options.runDir, fingerprint, log: options.log ?? (() => undefined) });
  const valPred = await predictMil(model, data.val);
  const prediction = await predictMil(model, data.test);
  const evaluation = evaluateMil(data.val, valPred, data.test, prediction);
  if (options.runDir) writeFileAtomic(path.join(options.runDir, 'evaluation.json'), JSON.stringify({ variant: variantId, seed, threshold: evaluation.threshold, all: evaluation.all, localisation: evaluation.localisation }, null, 2) + '\n');
  const run: MilRun & { model?: MilModel } = {
    variant: variantId,
    seed,
    history: result.history,
    bestEpoch: result.bestEpoch,
    trainSeconds: result.history.reduce((s, h) => s + h.seconds, 0),
    reused: result.reused,
    evaluation,
    prediction,
  };
  if (options.keepModel) run.model = model;
  else disposeMilModel(model);
  return run;
}

/** Every variant × seed of the profile, in order; `runDir(variant, seed)` places each run. */
export async function runMilSweep(data: MilData, p: MilProfile, options: { runDir?: (variant: string, seed: number) => string; log?: (line: string) => void } = {}): Promise<MilRun[]> {
  const runs: MilRun[] = [];
  for (const seed of p.seeds) {
    for (const v of p.variants) {
      const run = await runMilVariant(data, p, v, seed, { runDir: options.runDir?.(v, seed) });
      const e = run.evaluation;
      options.log?.(`${v} seed ${seed}: micro F1 ${e.all.micro.f1.toFixed(3)}, macro F1 ${e.all.macro.f1.toFixed(3)} (τ = ${e.threshold.toFixed(3)}, best epoch ${run.bestEpoch}, ${run.reused ? 'reused' : `${run.trainSeconds.toFixed(1)} s`})`);
      runs.push(run);
    }
  }
  return runs;
}

/** A rate's t-interval clipped to [0, 1] (with three seeds it can reach past either end). */
const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/** `mean [lo, hi]` of a rate over seeds (95 % t-interval clipped to [0, 1]), as percentages. */
function cell(values: number[]): string {
  const ok = values.filter(Number.isFinite);
  if (ok.length === 0) return '–';
  const s = seedSummary(ok);
  const pct = (x: number) => (100 * x).toFixed(1);
  return ok.length > 1 ? `${pct(s.mean)} [${pct(clip01(s.lo))}, ${pct(clip01(s.hi))}]` : pct(s.mean);
}

/** Mean and 95 % t-interval (clipped to [0, 1]) over seeds of a rate, per variant (for `meanCiBars`). */
export function variantSummary(runs: readonly MilRun[], metric: (r: MilRun) => number): { method: string; mean: number; lo: number; hi: number }[] {
  return [...new Set(runs.map((r) => r.variant))].map((v) => {
    const s = seedSummary(runs.filter((r) => r.variant === v).map(metric));
    return { method: milVariant(v).label, mean: s.mean, lo: Number.isFinite(s.lo) ? clip01(s.lo) : s.mean, hi: Number.isFinite(s.hi) ? clip01(s.hi) : s.mean };
  });
}

/** The results table: per variant, clip-level F1/precision/recall and localisation hit rates, mean [95 % CI] over seeds (%). */
export function milResultRows(runs: readonly MilRun[]): Record<string, string | number>[] {
  return [...new Set(runs.map((r) => r.variant))].map((v) => {
    const mine = runs.filter((r) => r.variant === v);
    const m = (f: (e: MilEvaluation) => number) => cell(mine.map((r) => f(r.evaluation)));
    return {
      variant: milVariant(v).label,
      seeds: mine.length,
      'micro F1': m((e) => e.all.micro.f1),
      'macro F1': m((e) => e.all.macro.f1),
      'micro P': m((e) => e.all.micro.precision),
      'micro R': m((e) => e.all.micro.recall),
      'audio segment hit': m((e) => e.localisation.all.audio.rate),
      'region hit (IoU ≥ 0.5)': m((e) => e.localisation.all.region.rate),
      'region frame hit': m((e) => e.localisation.all.frame.rate),
    };
  });
}

/** Synchronised vs unsynchronised clips: micro F1 and the localisation hit rates per variant (%). */
export function milSyncRows(runs: readonly MilRun[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const v of [...new Set(runs.map((r) => r.variant))]) {
    const mine = runs.filter((r) => r.variant === v);
    for (const split of ['sync', 'unsync'] as const) {
      const m = (f: (e: MilEvaluation) => number) => cell(mine.map((r) => f(r.evaluation)));
      rows.push({
        variant: milVariant(v).label,
        clips: split === 'sync' ? 'synchronised' : 'unsynchronised',
        'micro F1': m((e) => e[split].micro.f1),
        'macro F1': m((e) => e[split].macro.f1),
        'audio segment hit': m((e) => e.localisation[split].audio.rate),
        'region hit (IoU ≥ 0.5)': m((e) => e.localisation[split].region.rate),
      });
    }
  }
  return rows;
}

/** Chance levels of the localisation measures and the proposal recall (the first run of each variant; they depend on its detections only slightly). */
export function milChanceRows(runs: readonly MilRun[]): Record<string, string | number>[] {
  return [...new Set(runs.map((r) => r.variant))].map((v) => {
    const e = runs.find((r) => r.variant === v)!.evaluation;
    const pct = (x: number) => (Number.isFinite(x) ? Number((100 * x).toFixed(1)) : '–');
    return {
      variant: milVariant(v).label,
      'audio hit by chance': pct(e.localisation.all.audio.chance),
      'region hit by chance': pct(e.localisation.all.region.chance),
      'frame hit by chance': pct(e.localisation.all.frame.chance),
      'proposal recall (IoU ≥ 0.5)': pct(e.proposalRecall),
    };
  });
}

/** Per-class F1 of each variant, averaged over seeds (for `perClassBars`). */
export function perClassF1(runs: readonly MilRun[]): { name: string; values: number[] }[] {
  return [...new Set(runs.map((r) => r.variant))].map((v) => {
    const mine = runs.filter((r) => r.variant === v);
    const C = mine[0].evaluation.all.perClass.length;
    return { name: milVariant(v).label, values: Array.from({ length: C }, (_, c) => mine.reduce((s, r) => s + r.evaluation.all.perClass[c].f1, 0) / mine.length) };
  });
}

/** Seconds per epoch and total per variant (mean over seeds), for the timing table. */
export function milTimingRows(runs: readonly MilRun[], backend: string): Record<string, string | number>[] {
  return [...new Set(runs.map((r) => r.variant))].map((v) => {
    const mine = runs.filter((r) => r.variant === v && !r.reused);
    const epochs = mine.flatMap((r) => r.history.map((h) => h.seconds));
    return {
      variant: milVariant(v).label,
      backend,
      runs: mine.length,
      's / epoch': epochs.length ? Number((epochs.reduce((a, b) => a + b, 0) / epochs.length).toFixed(2)) : '–',
      's / run': mine.length ? Number((mine.reduce((s, r) => s + r.trainSeconds, 0) / mine.length).toFixed(1)) : 'reused',
    };
  });
}
