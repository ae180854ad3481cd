/**
 * The matching experiment of notebook 06 on simulated collisions: data per profile, training (or
 * reusing a finished run), and the evaluation of tasks 1–3 with every method compared.
 *
 * Splits are separate simulator seeds (train, validation, test), so no episode is shared. Training
 * and validation samples are reduced to features as they are simulated (their frames are not
 * kept); the test samples are kept whole, because tasks are built from them as course task folders
 * (`makeCollisionTask` in ./data/tasks) and answered from raw items exactly as the CLI does.
 */
import { concatFloat32 } from '../util/arrays';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../util/profile';
import { COLLISION_OBJECTS, type CollisionSample, type CollisionTaskFolder } from './data/types';
import { makeCollisionTask } from './data/tasks';
import { simulateCollisions } from '../worlds/collision/simulator';
import { writeFileAtomic } from '../io/files';
import { deriveSeed } from '../util/rng';
import { maskCentroids } from './features/trajectory';
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, MatchingFeatureOptions, MatchingFeatures } from './features/clipFeatures';
import type { TrajectoryTrace } from './figures';
import { AssignOptions, ThresholdChoice } from './matching/match';
import { answerAccuracy, MatchingScore, recallAtK, scoreMatching } from './matching/metrics';
import {
  answersFromPrediction,
  FolderPrediction,
  loadMatchingModel,
  MatchingModel,
  MatchingTrainOptions,
  predictFolder,
  saveMatchingModel,
  trainMatchingModel,
} from './models/matchingModel';
import type { EpochRecord } from '../training/fit';

/** Sizes and schedule of one profile. */
export interface MatchingProfile {
  profile: Profile;
  /** Simulated samples per object in each split. */
  perObject: { train: number; val: number; test: number };
  features: MatchingFeatureOptions;
  classifierEpochs: number;
  encoderEpochs: number;
}

/**
 * quick: 48 × 48 spectrograms, 20 training samples per object, 15 epochs (the notebook runs in about
 * two minutes on two CPU cores, everything included); full: 64 × 64, 40 per object, 30 and 40 epochs.
 */
export function matchingProfile(profile: Profile): MatchingProfile {
  return profile === 'quick'
    ? { profile, perObject: { train: 30, val: 5, test: 10 }, features: { ...DEFAULT_FEATURE_OPTIONS, specSize: [48, 48], trajectoryFrames: 60 }, classifierEpochs: 18, encoderEpochs: 18 }
    : { profile, perObject: { train: 40, val: 10, test: 10 }, features: { ...DEFAULT_FEATURE_OPTIONS, specSize: [64, 64], trajectoryFrames: 60 }, classifierEpochs: 30, encoderEpochs: 40 };
}

/** Simulated data of the experiment. */
export interface MatchingData {
  train: MatchingFeatures;
  val: MatchingFeatures;
  /** Whole test samples (tasks are built from them). */
  test: CollisionSample[];
  /** One line for tables and the report. */
  description: string;
}

/** Simulates the three splits (seeded) and extracts features of train and validation. */
export function simulateMatchingData(p: MatchingProfile, seed: number): MatchingData {
  const split = (name: string, per: number, keep: boolean) => {
    const feats: MatchingFeatures[] = [];
    const kept: CollisionSample[] = [];
    // One object at a time, so only one object's frames are in memory unless the split is kept.
    COLLISION_OBJECTS.forEach((_, o) => {
      const samples = simulateCollisions({ seed: deriveSeed(seed, `matching-${name}`), perObject: per, objects: [o] });
      if (keep) kept.push(...samples);
      else feats.push(extractFeatures(samples, p.features));
    });
    return { feats, kept };
  };
  const train = concatFeatures(split('train', p.perObject.train, false).feats);
  const val = concatFeatures(split('val', p.perObject.val, false).feats);
  const test = split('test', p.perObject.test, true).kept;
  const description = `simulated collisions (seed ${seed}, ${p.profile} profile): ${train.size} training, ${val.size} validation, ${test.length} test episodes over ${COLLISION_OBJECTS.length} objects`;
  return { train, val, test, description };
}

/** Joins feature sets extracted with the same options. */
export function concatFeatures(parts: readonly MatchingFeatures[]): MatchingFeatures {
  const join = (key: 'audio' | 'trajectory' | 'appearance') => concatFloat32(parts.map((p) => p[key]));
  return {
    ids: parts.flatMap((p) => p.ids),
    objects: Int32Array.from(parts.flatMap((p) => Array.from(p.objects))),
    audio: join('audio'),
    trajectory: join('trajectory'),
    appearance: join('appearance'),
    size: parts.reduce((s, p) => s + p.size, 0),
    options: parts[0].options,
  };
}

/** Training histories kept beside a saved model, so a reused run still has its curves. */
export interface MatchingHistory {
  fingerprint: string;
  classifier: { history: EpochRecord[]; bestEpoch: number; seconds: number };
  videoClassifier: { history: EpochRecord[]; bestEpoch: number; seconds: number };
  encoders: { history: EpochRecord[]; bestEpoch: number; seconds: number };
  threshold: ThresholdChoice;
}

/** A trained model and how it was trained. */
export interface MatchingRun {
  model: MatchingModel;
  history: MatchingHistory;
  reused: boolean;
}

/**
 * Trains the model, or, when `runDir` holds a finished run with the same fingerprint (profile,
 * seed, options), loads it. A finished run is `model.json`, `weights.ckpt` and `history.json`.
 */
export async function trainOrLoadMatching(data: MatchingData, p: MatchingProfile, seed: number, options: { runDir?: string; log?: (line: string) => void; train?: MatchingTrainOptions } = {}): Promise<MatchingRun> {
  const fingerprint = JSON.stringify({ v: 2, p, seed, train: options.train ?? {}, n: [data.train.size, data.val.size] });
  const historyFile = options.runDir && path.join(options.runDir, 'history.json');
  if (historyFile && fs.existsSync(historyFile)) {
    const history = JSON.parse(fs.readFileSync(historyFile, 'utf8')) as MatchingHistory;
    if (history.fingerprint === fingerprint) {
      options.log?.(`reusing the finished run in ${options.runDir}`);
      return { model: loadMatchingModel(options.runDir!), history, reused: true };
    }
  }
  const result = await trainMatchingModel(data.train, data.val, {
    seed,
    log: options.log,
    runDir: options.runDir && path.join(options.runDir, 'runs'),
    ...options.train,
    classifierTraining: { epochs: p.classifierEpochs, ...options.train?.classifierTraining },
    encoderTraining: { epochs: p.encoderEpochs, ...options.train?.encoderTraining },
  });
  const strip = <H>(r: { history: H[]; bestEpoch: number; seconds: number }) => ({ history: r.history, bestEpoch: r.bestEpoch, seconds: r.seconds });
  const history: MatchingHistory = {
    fingerprint,
    classifier: strip(result.classifier),
    videoClassifier: strip(result.videoClassifier),
    encoders: strip(result.encoders),
    threshold: result.threshold,
  };
  if (options.runDir) {
    await saveMatchingModel(options.runDir, result.model);
    writeFileAtomic(historyFile!, JSON.stringify(history, null, 2) + '\n');
  }
  return { model: result.model, history, reused: false };
}

/** One method's result on a matching task. */
export interface MethodResult {
  task: 2 | 3;
  method: string;
  options: AssignOptions;
  assignment: number[];
  score: MatchingScore;
}

/** Everything the notebook reports about the test tasks. */
export interface MatchingEvaluation {
  folders: Record<1 | 2 | 3, CollisionTaskFolder>;
  predictions: Record<1 | 2 | 3, FolderPrediction>;
  /** Task 1: accuracy and the confusion matrix [true][predicted]. */
  task1: { accuracy: number; confusion: number[][] };
  /** Video classification accuracy (task-2 folder). */
  videoAccuracy: number;
  methods: MethodResult[];
  /** Audio→video recall@k on the task-2 folder: distances alone, and with videos of the audio's predicted class first. */
  recall: { ks: number[]; all: Record<number, number>; gated: Record<number, number> };
}

/** The methods compared on tasks 2 and 3. */
export const MATCHING_METHODS: { task: 2 | 3; method: string; options: AssignOptions }[] = [
  { task: 2, method: 'Hungarian per class', options: { method: 'hungarian' } },
  { task: 2, method: 'greedy per class', options: { method: 'greedy' } },
  { task: 2, method: 'Hungarian, no class gating', options: { method: 'hungarian', classGating: false } },
  { task: 3, method: 'Hungarian + dummy columns at τ', options: { method: 'hungarian', rejection: 'dummy' } },
  { task: 3, method: 'Hungarian, then reject D > τ', options: { method: 'hungarian', rejection: 'post' } },
  { task: 3, method: 'greedy, pairs with D ≤ τ', options: { method: 'greedy', rejection: 'dummy' } },
];

/** Builds the three test tasks from `test` and scores every method on them. */
export async function evaluateMatching(model: MatchingModel, test: readonly CollisionSample[], seed: number, unmatchedAudio = 0.2): Promise<MatchingEvaluation> {
  const folders = {
    1: makeCollisionTask(test, 1, { seed: deriveSeed(seed, 'task1') }),
    2: makeCollisionTask(test, 2, { seed: deriveSeed(seed, 'task2') }),
    3: makeCollisionTask(test, 3, { seed: deriveSeed(seed, 'task3'), unmatchedAudio }),
  } as Record<1 | 2 | 3, CollisionTaskFolder>;
  const predictions = {
    1: await predictFolder(model, folders[1]),
    2: await predictFolder(model, folders[2]),
    3: await predictFolder(model, folders[3]),
  } as Record<1 | 2 | 3, FolderPrediction>;
  const truth1 = folders[1].answers!.audioObjects;
  const k = model.config.classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  predictions[1].audioClasses.forEach((p, i) => confusion[truth1[i]][p]++);
  const methods: MethodResult[] = MATCHING_METHODS.map(({ task, method, options }) => {
    const folder = folders[task];
    const pred = predictions[task];
    const { assignment } = answersFromPrediction(model, folder, pred, options);
    const a = folder.answers!;
    const score = scoreMatching({ answers: assignment, truth: a.audioToVideo, audioPredicted: pred.audioClasses, audioTrue: a.audioObjects, videoPredicted: pred.videoClasses, videoTrue: a.videoObjects });
    return { task, method, options, assignment, score };
  });
  const p2 = predictions[2];
  const t2 = folders[2].answers!;
  const ks = [1, 3, 5, 10];
  // Class-gated ranking: a video of another predicted class ranks after every video of the audio's class.
  const offset = Math.max(...p2.distances.flat()) + 1;
  const gated = p2.distances.map((row, i) => row.map((d, j) => (p2.videoClasses[j] === p2.audioClasses[i] ? d : d + offset)));
  return {
    folders,
    predictions,
    task1: { accuracy: answerAccuracy(predictions[1].audioClasses, truth1), confusion },
    videoAccuracy: answerAccuracy(p2.videoClasses, t2.videoObjects),
    methods,
    recall: { ks, all: recallAtK(p2.distances, t2.audioToVideo, ks), gated: recallAtK(gated, t2.audioToVideo, ks) },
  };
}

/** The results table: one row per task and method, accuracy and the error split. */
export function matchingResultRows(ev: MatchingEvaluation): Record<string, string | number>[] {
  const pct = (x: number) => Number((100 * x).toFixed(1));
  const rows: Record<string, string | number>[] = [
    { task: '1: classify audio', method: 'ResNet (Adam)', items: ev.folders[1].audio.length, 'accuracy (%)': pct(ev.task1.accuracy), classification: Math.round((1 - ev.task1.accuracy) * ev.folders[1].audio.length), 'wrong video': '–', 'false reject': '–', 'false accept': '–' },
  ];
  for (const m of ev.methods) {
    rows.push({
      task: m.task === 2 ? '2: complete matching' : '3: incomplete matching',
      method: m.method,
      items: m.score.items,
      'accuracy (%)': pct(m.score.accuracy),
      classification: m.score.classificationErrors,
      'wrong video': m.score.wrongVideo,
      'false reject': m.task === 3 ? m.score.falseReject : '–',
      'false accept': m.task === 3 ? m.score.falseAccept : '–',
    });
  }
  return rows;
}

/** Recall@k rows (percent). */
export function recallRows(ev: MatchingEvaluation): Record<string, string | number>[] {
  const row = (ranking: string, r: Record<number, number>) => ({ ranking, ...Object.fromEntries(ev.recall.ks.map((k) => [`R@${k} (%)`, Number((100 * r[k]).toFixed(1))])) });
  return [row('distance only, all videos of the group', ev.recall.all), row('videos of the predicted class first', ev.recall.gated)];
}

/** The three test tasks' item counts and how many audio items of task 3 have no video. */
export function taskSummaryRows(ev: MatchingEvaluation): Record<string, string | number>[] {
  return ([1, 2, 3] as const).map((t) => ({
    task: t,
    'audio items': ev.folders[t].audio.length,
    'video items': ev.folders[t].video.length,
    'audio without video': t === 1 ? '–' : ev.folders[t].answers!.audioToVideo.filter((j) => j < 0).length,
  }));
}

/** Mask-centroid tracks (what the trajectory encoder sees, in pixels) of samples, with their true impacts. */
export function exampleTracks(samples: readonly CollisionSample[]): TrajectoryTrace[] {
  return samples.map((s) => ({ name: s.id, xy: maskCentroids(s).xy, impacts: s.truth?.impacts.map((m) => ({ x: m.x, y: m.y, time: m.time })) }));
}

/** One predicted class's block of a task's distance matrix, with the chosen and true pairs inside it. */
export interface ClassBlock {
  distances: number[][];
  rowLabels: string[];
  colLabels: string[];
  /** Column inside the block chosen for each row (−1: none, or a video outside the block). */
  chosen: number[];
  truth: number[];
}

/**
 * The block of predicted class `c` in task `task`'s folder for method `method` (an entry of
 * `MATCHING_METHODS`): the matrix the per-class Hungarian step solves.
 */
export function classBlock(ev: MatchingEvaluation, task: 2 | 3, c: number, method: string): ClassBlock {
  const pred = ev.predictions[task];
  const m = ev.methods.find((x) => x.task === task && x.method === method);
  if (!m) throw new Error(`classBlock: no method "${method}" for task ${task}`);
  const rows = pred.audioClasses.flatMap((k, i) => (k === c ? [i] : []));
  const cols = pred.videoClasses.flatMap((k, j) => (k === c ? [j] : []));
  const pos = new Map(cols.map((j, k) => [j, k]));
  const truth = ev.folders[task].answers!.audioToVideo;
  return {
    distances: rows.map((i) => cols.map((j) => pred.distances[i][j])),
    rowLabels: rows.map((i) => `audio_${String(i).padStart(4, '0')}`),
    colLabels: cols.map((j) => `video_${String(j).padStart(4, '0')}`),
    chosen: rows.map((i) => pos.get(m.assignment[i]) ?? -1),
    truth: rows.map((i) => pos.get(truth[i]) ?? -1),
  };
}

/** Seconds per epoch (mean) of each trained part, for the timing table. */
export function timingRows(history: MatchingHistory, backend: string): Record<string, string | number>[] {
  const row = (part: string, h: { history: { seconds: number }[]; seconds: number }) => ({
    part,
    backend,
    epochs: h.history.length,
    's / epoch': Number((h.history.reduce((s, e) => s + e.seconds, 0) / h.history.length).toFixed(2)),
    'total (s)': Number(h.seconds.toFixed(1)),
  });
  return [row('audio ResNet classifier (Adam)', history.classifier), row('video classifier (MLP)', history.videoClassifier), row('audio + trajectory encoders (contrastive)', history.encoders)];
}
