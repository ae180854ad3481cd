/**
 * The AVTS experiment of notebook 07 on the collision world: continuous multi-impact clips (train,
 * validation and test from separate seeds), the encoders trained on synchronisation with and
 * without the curriculum over several seeds, the cross-entropy variant and the super-hard ablation,
 * their test evaluation (sync accuracy per negative type and per shift, AUC, audio → video
 * retrieval), and the downstream object classification with a label budget.
 */
import type { Profile } from '../util/profile';
import { deriveSeed, Rng } from '../util/rng';
import { seedSummary } from '../stats/descriptive';
import type { EpochRecord } from '../training/fit';
import { COLLISION_OBJECTS, type CollisionClip } from '../worlds/collision/types';
import { AudioStats, audioStats, AvClipFeatures, AvFeatureOptions, clipFeatures, DEFAULT_AV_FEATURES, fromCollisionClip, simulateAvtsClip, standardiseAudio } from './data/clips';
import { avtsCurriculum, Curriculum, evaluationPairs, EASY_HARD_3_1, noCurriculum, PairConfig, shiftSweepPairs } from './data/pairs';
import { AvtsModel, AvtsModelOptions, buildAvtsModel, buildAudioEncoder, buildVideoEncoder, DEFAULT_AVTS_MODEL, disposeAvtsModel } from './models/encoders';
import { accuracyByShift, AvtsTrainConfig, chooseThreshold, PairScores, retrievalRecall, scorePairs, SyncLoss, syncMetrics, trainAvts, validationPairs } from './train';
import { budgetSubset, DownstreamConfig, labelledWindows, linearProbeAccuracy, scratchAccuracy } from './downstream';

/** Sizes and schedule of one profile. */
export interface AvtsProfile {
  profile: Profile;
  /** Clips per object in each split. */
  perObject: { train: number; val: number; test: number };
  seconds: number;
  features: AvFeatureOptions;
  model: Omit<AvtsModelOptions, 'videoShape' | 'audioShape' | 'seed'>;
  pairs: PairConfig;
  epochs: number;
  switchEpoch: number;
  margin: number;
  lr: number;
  batchSize: number;
  /** Seeds of the main comparison (curriculum vs none) and of the downstream task. */
  seeds: number[];
  /** Seeds of the cross-entropy variant and of the super-hard ablation. */
  ablationSeeds: number[];
  /** |δ| values of the accuracy-against-shift sweep (frames). */
  sweepShifts: number[];
  downstream: Omit<DownstreamConfig, 'seed' | 'classes'> & { windowsPerClip: number; budgets: number[] };
}

/**
 * quick: 30 training clips of 8 s, 6 epochs (switch after 2), 3 seeds, ablations on one seed;
 * full: 80 training clips, 20 epochs (switch after 8), 3 seeds, ablations on 3 (estimated from the
 * measured ~8 ms per anchor and epoch at ~15 minutes on two cores; not measured end to end).
 */
export function avtsProfile(profile: Profile): AvtsProfile {
  const F = 10;
  const pairs: PairConfig = { windowFrames: F, anchorsPerClip: 4, hardShift: [F, 3 * F], superHard: 'overlap', superHardShift: [3, F - 1], requireEvent: true };
  const common = { profile, seconds: 8, features: DEFAULT_AV_FEATURES, model: DEFAULT_AVTS_MODEL, pairs, margin: 1, lr: 1e-3, batchSize: 16, sweepShifts: [0, 1, 2, 3, 5, 7, 10, 15, 20, 30] };
  return profile === 'quick'
    ? {
        ...common,
        perObject: { train: 3, val: 1, test: 2 },
        pairs: { ...pairs, anchorsPerClip: 3 },
        epochs: 6,
        switchEpoch: 2,
        seeds: [0, 1, 2],
        ablationSeeds: [0],
        downstream: { windowsPerClip: 6, budgets: [0.01, 0.1, 1], probeLr: 1e-2, probeEpochs: 30, scratchLr: 2e-3, scratchEpochs: 4, batchSize: 16, weightDecay: 1e-4 },
      }
    : {
        ...common,
        perObject: { train: 8, val: 2, test: 3 },
        epochs: 20,
        switchEpoch: 8,
        seeds: [0, 1, 2],
        ablationSeeds: [0, 1, 2],
        downstream: { windowsPerClip: 8, budgets: [0.01, 0.1, 1], probeLr: 1e-2, probeEpochs: 40, scratchLr: 2e-3, scratchEpochs: 15, batchSize: 16, weightDecay: 1e-4 },
      };
}

/** The simulated clips of the experiment, as encoder inputs. */
export interface AvtsData {
  train: AvClipFeatures[];
  val: AvClipFeatures[];
  test: AvClipFeatures[];
  /** The first test clips, raw (for looking inside: windows cut with `cutWindow`). */
  rawTest: CollisionClip[];
  audioStats: AudioStats;
  description: string;
}

/** Simulates the three splits (separate seeds) and computes their features; audio standardised on train. */
export function simulateAvtsData(p: AvtsProfile, seed: number, keepRaw = 2): AvtsData {
  const rawTest: CollisionClip[] = [];
  const split = (name: string, per: number) => {
    const out: AvClipFeatures[] = [];
    for (let k = 0; k < per; k++)
      COLLISION_OBJECTS.forEach((_, obj) => {
        const c = simulateAvtsClip({ seed: deriveSeed(seed, `avts-${name}`), seconds: p.seconds }, obj, k);
        if (name === 'test' && rawTest.length < keepRaw) rawTest.push(c);
        out.push(clipFeatures(fromCollisionClip(c), p.features));
      });
    return out;
  };
  const train = split('train', p.perObject.train);
  const val = split('val', p.perObject.val);
  const test = split('test', p.perObject.test);
  const stats = audioStats(train);
  [train, val, test].forEach((s) => standardiseAudio(s, stats));
  const description = `simulated collision-world clips (seed ${seed}, ${p.profile} profile): ${train.length} training, ${val.length} validation, ${test.length} test clips of ${p.seconds} s (${train[0].fps} fps, ${train[0].videoShape.join(' × ')} frames, 4 microphones)`;
  return { train, val, test, rawTest, audioStats: stats, description };
}

/** One AVTS training variant. */
export interface AvtsVariant {
  name: string;
  loss: SyncLoss;
  curriculum: Curriculum;
  /** Overrides of the pair configuration (e.g. the super-hard definition). */
  pairs?: Partial<PairConfig>;
}

/** The variants of the notebook: the paper's curriculum, no curriculum, cross-entropy, super-hard ablation. */
export function avtsVariants(p: AvtsProfile): Record<'curriculum' | 'noCurriculum' | 'crossEntropy' | 'superhard', AvtsVariant> {
  return {
    curriculum: { name: 'curriculum (easy, then 3:1 easy:hard)', loss: 'contrastive', curriculum: avtsCurriculum(p.switchEpoch) },
    noCurriculum: { name: 'no curriculum (3:1 easy:hard throughout)', loss: 'contrastive', curriculum: noCurriculum() },
    crossEntropy: { name: 'cross-entropy sync head, curriculum', loss: 'crossEntropy', curriculum: avtsCurriculum(p.switchEpoch) },
    superhard: { name: 'curriculum, then 3:½:½ easy:hard:super-hard (overlap)', loss: 'contrastive', curriculum: avtsCurriculum(p.switchEpoch, { ...EASY_HARD_3_1, hard: 0.5, superhard: 0.5 }) },
  };
}

/** The training configuration of a variant and seed. */
export function trainConfig(p: AvtsProfile, v: AvtsVariant, seed: number): AvtsTrainConfig {
  return { loss: v.loss, margin: p.margin, curriculum: v.curriculum, pairs: { ...p.pairs, ...v.pairs }, lr: p.lr, weightDecay: 1e-4, batchSize: p.batchSize, epochs: p.epochs, seed };
}

/** Model options for the data's shapes. */
export function modelOptions(p: AvtsProfile, data: AvtsData, seed: number): AvtsModelOptions {
  const F = p.pairs.windowFrames;
  const c = data.train[0];
  return { ...p.model, videoShape: [F, ...c.videoShape], audioShape: [F * p.features.specPerFrame, ...c.audioShape], seed };
}

/** A trained variant's history and test results. */
export interface AvtsRunResult {
  variant: string;
  seed: number;
  history: EpochRecord[];
  bestEpoch: number;
  trainSeconds: number;
  /** Median seconds per training epoch (training and validation). */
  epochSeconds: number;
  /** τ chosen on validation pairs. */
  threshold: number;
  /** Test sync metrics at τ (acc_*, auc_*, loss_*). */
  test: Record<string, number>;
  /** Test scores of the evaluation pairs (for the histograms). */
  scores: PairScores;
  /** Accuracy against |δ| on the test shift sweep. */
  byShift: { shift: number; accuracy: number; n: number }[];
  /** Audio → video recall@k among the test positives. */
  recall: Record<number, number>;
}

/** Trains one variant with one seed and evaluates it on the test clips. The model is returned for reuse. */
export async function runAvtsVariant(data: AvtsData, p: AvtsProfile, v: AvtsVariant, seed: number, options: { runDir?: string; log?: (line: string) => void } = {}): Promise<{ result: AvtsRunResult; model: AvtsModel }> {
  const c = trainConfig(p, v, seed);
  const model = buildAvtsModel(modelOptions(p, data, seed));
  const fingerprint = JSON.stringify({ v: 1, p, variant: v, seed, n: [data.train.length, data.val.length] });
  const r = await trainAvts(model, data.train, data.val, c, { runDir: options.runDir, fingerprint, ...(options.log ? { log: options.log } : {}) });
  const valScores = await scorePairs(model, data.val, validationPairs(data.val, c), c);
  const threshold = chooseThreshold(valScores);
  const testPairs = evaluationPairs(data.test, c.pairs, new Rng(deriveSeed(seed, 'avts-test-pairs')));
  const scores = await scorePairs(model, data.test, testPairs, c);
  const sweep = await scorePairs(model, data.test, shiftSweepPairs(data.test, c.pairs, p.sweepShifts, new Rng(deriveSeed(seed, 'avts-sweep'))), c);
  const recall = await retrievalRecall(model, data.test, testPairs.filter((q) => q.kind === 'positive'), c);
  const times = r.history.map((h) => h.seconds).sort((a, b) => a - b);
  return {
    model,
    result: {
      variant: v.name,
      seed,
      history: r.history,
      bestEpoch: r.bestEpoch,
      trainSeconds: r.seconds,
      epochSeconds: times[Math.floor(times.length / 2)] ?? NaN,
      threshold,
      test: syncMetrics(scores, threshold),
      scores,
      byShift: accuracyByShift(sweep, threshold),
      recall,
    },
  };
}

/** One downstream score. */
export interface DownstreamRow {
  modality: 'video' | 'audio';
  method: 'avts' | 'random' | 'scratch';
  budget: number;
  seed: number;
  /** Labelled training windows used. */
  labels: number;
  accuracy: number;
}

/**
 * The downstream comparison for one seed: AVTS features (from `model`), random features (the same
 * architecture at its seeded initialisation) and scratch training, at every label budget, per modality.
 */
export async function runDownstream(data: AvtsData, p: AvtsProfile, model: AvtsModel, seed: number, log: (line: string) => void = () => {}): Promise<DownstreamRow[]> {
  const F = p.pairs.windowFrames;
  const rng = new Rng(deriveSeed(seed, 'avts-downstream'));
  const per = p.downstream.windowsPerClip;
  const [train, val, test] = [data.train, data.val, data.test].map((clips) => labelledWindows(clips, p.pairs, per, rng.fork()));
  const c: DownstreamConfig = { ...p.downstream, classes: COLLISION_OBJECTS.length, seed };
  const opts = modelOptions(p, data, seed);
  const random = buildAvtsModel(opts);
  const rows: DownstreamRow[] = [];
  try {
    for (const budget of p.downstream.budgets) {
      const subset = budgetSubset(train.labels, budget, new Rng(deriveSeed(seed, `budget:${budget}`)));
      for (const modality of ['video', 'audio'] as const) {
        const enc = (m: AvtsModel) => (modality === 'video' ? m.video : m.audio);
        const build = () => (modality === 'video' ? buildVideoEncoder(opts) : buildAudioEncoder(opts));
        const add = (method: DownstreamRow['method'], accuracy: number) => {
          rows.push({ modality, method, budget, seed, labels: subset.length, accuracy });
          log(`downstream seed ${seed} ${modality} ${method} budget ${budget}: ${subset.length} labels, test accuracy ${accuracy.toFixed(3)}`);
        };
        add('avts', await linearProbeAccuracy(enc(model), modality, F, train, subset, val, test, c));
        add('random', await linearProbeAccuracy(enc(random), modality, F, train, subset, val, test, c));
        add('scratch', await scratchAccuracy(build, modality, F, train, subset, val, test, c));
      }
    }
  } finally {
    disposeAvtsModel(random);
  }
  return rows;
}

/** Everything the notebook shows. */
export interface AvtsExperiment {
  runs: Record<string, AvtsRunResult[]>;
  downstream: DownstreamRow[];
  seconds: number;
}

/**
 * The whole experiment: curriculum and no curriculum on every seed, the cross-entropy variant and
 * the super-hard ablation on the ablation seeds, and the downstream task on the curriculum models.
 */
export async function runAvtsExperiment(data: AvtsData, p: AvtsProfile, options: { runDir?: (name: string) => string; log?: (line: string) => void } = {}): Promise<AvtsExperiment> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const variants = avtsVariants(p);
  const runs: Record<string, AvtsRunResult[]> = {};
  const downstream: DownstreamRow[] = [];
  const plan: [keyof typeof variants, number[]][] = [
    ['curriculum', p.seeds],
    ['noCurriculum', p.seeds],
    ['crossEntropy', p.ablationSeeds],
    ['superhard', p.ablationSeeds],
  ];
  for (const [key, seeds] of plan) {
    runs[key] = [];
    for (const seed of seeds) {
      const { result, model } = await runAvtsVariant(data, p, variants[key], seed, { runDir: options.runDir?.(`${key}-seed${seed}`) });
      runs[key].push(result);
      log(`${variants[key].name}, seed ${seed}: ${result.history.length} epochs in ${result.trainSeconds.toFixed(1)} s (${result.epochSeconds.toFixed(2)} s/epoch); test AUC easy ${result.test.auc_easy.toFixed(3)}, hard ${result.test.auc_hard.toFixed(3)}`);
      if (key === 'curriculum') downstream.push(...(await runDownstream(data, p, model, seed, log)));
      disposeAvtsModel(model);
    }
  }
  return { runs, downstream, seconds: (Date.now() - t0) / 1000 };
}

/** "mean ± half-width" of a t-interval over seeds (the mean alone with one seed). */
export function meanCi(values: readonly number[], digits = 3): string {
  if (values.length === 1) return values[0].toFixed(digits);
  const s = seedSummary(values);
  return `${s.mean.toFixed(digits)} ± ${(s.hi - s.mean).toFixed(digits)}`;
}

/** Test sync results per variant: accuracy and AUC per negative type and recall@k, mean ± 95 % CI over seeds. */
export function syncResultRows(e: AvtsExperiment, superHard: PairConfig['superHard']): Record<string, string | number>[] {
  const variants = Object.entries(e.runs);
  return variants.map(([, rs]) => {
    const col = (f: (r: AvtsRunResult) => number) => meanCi(rs.map(f));
    return {
      variant: rs[0].variant,
      seeds: rs.length,
      'acc easy': col((r) => r.test.acc_easy),
      'acc hard': col((r) => r.test.acc_hard),
      [`acc super-hard (${superHard})`]: col((r) => r.test.acc_superhard),
      'AUC easy': col((r) => r.test.auc_easy),
      'AUC hard': col((r) => r.test.auc_hard),
      [`AUC super-hard (${superHard})`]: col((r) => r.test.auc_superhard),
      'recall@1': col((r) => r.recall[1]),
      'recall@5': col((r) => r.recall[5]),
    };
  });
}

/** Seed-paired difference of curriculum minus no curriculum, per metric, mean ± 95 % CI. */
export function curriculumGainRows(e: AvtsExperiment): Record<string, string | number>[] {
  const a = e.runs.curriculum ?? [];
  const b = e.runs.noCurriculum ?? [];
  const metrics = ['acc_easy', 'acc_hard', 'acc_superhard', 'auc_easy', 'auc_hard', 'auc_superhard'];
  return metrics.map((m) => {
    const diffs = a.map((r, i) => r.test[m] - b[i].test[m]);
    const s = diffs.length > 1 ? seedSummary(diffs) : null;
    return { metric: m.replace('_', ' '), curriculum: meanCi(a.map((r) => r.test[m])), 'no curriculum': meanCi(b.map((r) => r.test[m])), 'difference (paired)': meanCi(diffs), 'CI excludes 0': s ? (s.lo > 0 || s.hi < 0 ? 'yes' : 'no') : '—' };
  });
}

/** Downstream accuracy per modality, budget and method, with the gains over scratch and random (paired by seed). */
export function downstreamRows(rows: readonly DownstreamRow[]): Record<string, string | number>[] {
  const out: Record<string, string | number>[] = [];
  const budgets = [...new Set(rows.map((r) => r.budget))].sort((a, b) => a - b);
  for (const modality of ['video', 'audio'] as const)
    for (const budget of budgets) {
      const pick = (method: DownstreamRow['method']) => rows.filter((r) => r.modality === modality && r.budget === budget && r.method === method).sort((x, y) => x.seed - y.seed);
      const [avts, random, scratch] = [pick('avts'), pick('random'), pick('scratch')];
      const acc = (rs: DownstreamRow[]) => rs.map((r) => r.accuracy);
      out.push({
        modality,
        'label budget': `${Math.round(budget * 100)} % (${avts[0]?.labels ?? 0} windows)`,
        'AVTS + linear': meanCi(acc(avts)),
        'random + linear': meanCi(acc(random)),
        scratch: meanCi(acc(scratch)),
        'AVTS − scratch': meanCi(avts.map((r, i) => r.accuracy - scratch[i].accuracy)),
        'AVTS − random': meanCi(avts.map((r, i) => r.accuracy - random[i].accuracy)),
      });
    }
  return out;
}

/** Mean of a downstream method per budget, with its t-interval, for the figure. */
export function downstreamSeries(rows: readonly DownstreamRow[]): { modality: string; method: string; budget: number; mean: number; lo: number; hi: number }[] {
  const keys = [...new Set(rows.map((r) => `${r.modality}|${r.method}|${r.budget}`))];
  return keys.map((k) => {
    const [modality, method, b] = k.split('|');
    const v = rows.filter((r) => r.modality === modality && r.method === method && r.budget === Number(b)).map((r) => r.accuracy);
    const s = seedSummary(v);
    return { modality, method, budget: Number(b), mean: s.mean, lo: Number.isFinite(s.lo) ? s.lo : s.mean, hi: Number.isFinite(s.hi) ? s.hi : s.mean };
  });
}
