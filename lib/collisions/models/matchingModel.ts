/**
 * The matching model of the source report (its Fig. 7) as one object: an audio classifier (ResNet,
 * task 1), a video classifier (appearance MLP), and the two encoders whose distances drive tasks 2
 * and 3, with the feature settings, standardisation statistics and the task-3 threshold they were
 * trained with. `trainMatchingModel` trains every part from features, `predictFolder` /
 * `answerTask` apply it to a task folder, `saveMatchingModel` / `loadMatchingModel` keep it on disk
 * (`model.json` + `weights.ckpt`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { COLLISION_OBJECTS, type CollisionTaskFolder } from '../data/types';
import { loadCheckpoint, restoreWeights, saveCheckpoint, storeTensors } from '../../training/checkpoint';
import { InputError } from '../../util/errors';
import { writeFileAtomic } from '../../io/files';
import { Rng, deriveSeed } from '../../util/rng';
import { buildAudioEncoder, buildTrajectoryEncoder, buildVideoClassifier, EncoderOptions } from './encoders';
import { APPEARANCE_DIM, applyFeatureScaling, DEFAULT_FEATURE_OPTIONS, extractFeatures, fitFeatureScaling, MatchingFeatureOptions, MatchingFeatures, FeatureScaling } from '../features/clipFeatures';
import { assignGroup, AssignOptions, chooseThreshold, distanceMatrix, GroupPrediction, ThresholdChoice, ThresholdGroup } from '../matching/match';
import { buildResNet, ResNet, ResNetOptions } from './resnet';
import type { FitResult } from '../../training/fit';
import {
  ClassifierTrainConfig,
  DEFAULT_CLASSIFIER_CONFIG,
  DEFAULT_ENCODER_CONFIG,
  EncoderTrainConfig,
  LabelledTensors,
  PairedTensors,
  predictRows,
  trainClassifier,
  trainEncoders,
} from '../matching/train';

/** Everything needed to rebuild a trained model; stored as `model.json`. */
export interface MatchingModelConfig {
  format: 'avlab-matching-model';
  version: 1;
  classes: string[];
  features: MatchingFeatureOptions;
  classifier: ResNetOptions;
  encoders: EncoderOptions;
  videoHidden: number;
  /** Scalar standardisation of the log spectrograms (one mean/std over every value). */
  audioStats: FeatureScaling;
  /** Per-column standardisation of (x, y, vx, vy). */
  trajectoryStats: FeatureScaling;
  /** Per-feature standardisation of the appearance features. */
  appearanceStats: FeatureScaling;
  /** Task 3: distance beyond which an audio item is answered −1 (null until chosen). */
  threshold: number | null;
  rejection: 'dummy' | 'post';
}

/** A trained (or freshly built) matching model. */
export interface MatchingModel {
  config: MatchingModelConfig;
  /** Audio → class logits (task 1). */
  classifier: ResNet;
  /** Appearance features → class logits. */
  videoClassifier: tf.LayersModel;
  /** Spectrogram → embedding f(a). */
  audioEncoder: ResNet;
  /** Flattened trajectory → embedding g(v). */
  trajectoryEncoder: tf.LayersModel;
}

/** Builds the four networks of a config (fresh, seeded weights). */
export function buildMatchingModel(config: MatchingModelConfig): MatchingModel {
  return {
    config,
    classifier: buildResNet(config.classifier, 'cls_'),
    videoClassifier: buildVideoClassifier(APPEARANCE_DIM, config.classes.length, config.classifier.seed + 7, config.videoHidden),
    audioEncoder: buildAudioEncoder(config.encoders),
    trajectoryEncoder: buildTrajectoryEncoder(config.encoders),
  };
}

/** Releases the model's weights. */
export function disposeMatchingModel(m: MatchingModel): void {
  for (const net of [m.classifier.net, m.videoClassifier, m.audioEncoder.net, m.trajectoryEncoder]) net.dispose();
}

function nets(m: MatchingModel): [string, tf.LayersModel][] {
  return [
    ['classifier', m.classifier.net],
    ['videoClassifier', m.videoClassifier],
    ['audioEncoder', m.audioEncoder.net],
    ['trajectoryEncoder', m.trajectoryEncoder],
  ];
}

// ---------------------------------------------------------------------------------------------
// Tensors from features.

/** Standardised spectrograms `[N, F, T, 4]` on the backend. */
export function audioTensor(config: MatchingModelConfig, feats: MatchingFeatures): tf.Tensor4D {
  const [F, T] = config.features.specSize;
  if (feats.audio.length !== feats.size * F * T * 4) throw new InputError('audio features', `expected ${feats.size} spectrograms of ${F} × ${T} × 4, got ${feats.audio.length} values`);
  return tf.tensor4d(applyFeatureScaling(feats.audio, config.audioStats), [feats.size, F, T, 4]);
}

/** Standardised, flattened trajectories `[N, frames·4]`. */
export function trajectoryTensor(config: MatchingModelConfig, feats: MatchingFeatures): tf.Tensor2D {
  const frames = config.features.trajectoryFrames;
  if (feats.trajectory.length !== feats.size * frames * 4) throw new InputError('trajectory features', `expected ${feats.size} trajectories of ${frames} × 4, got ${feats.trajectory.length} values`);
  return tf.tensor2d(applyFeatureScaling(feats.trajectory, config.trajectoryStats), [feats.size, frames * 4]);
}

/** Standardised appearance features `[N, APPEARANCE_DIM]`. */
export function appearanceTensor(config: MatchingModelConfig, feats: MatchingFeatures): tf.Tensor2D {
  if (feats.appearance.length !== feats.size * APPEARANCE_DIM) throw new InputError('appearance features', `expected ${feats.size} × ${APPEARANCE_DIM} values, got ${feats.appearance.length}`);
  return tf.tensor2d(applyFeatureScaling(feats.appearance, config.appearanceStats), [feats.size, APPEARANCE_DIM]);
}

// ---------------------------------------------------------------------------------------------
// Prediction.

function softmaxRows(logits: Float32Array, classes: number): { probs: Float32Array; argmax: number[] } {
  const n = logits.length / classes;
  const probs = new Float32Array(logits.length);
  const argmax: number[] = [];
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      if (logits[i * classes + c] > max) {
        max = logits[i * classes + c];
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += probs[i * classes + c] = Math.exp(logits[i * classes + c] - max);
    for (let c = 0; c < classes; c++) probs[i * classes + c] /= sum;
    argmax.push(arg);
  }
  return { probs, argmax };
}

/** Classes, class probabilities (row-major N × C) and embeddings (N × d) of one modality. */
export interface ModalityPrediction {
  classes: number[];
  probs: Float32Array;
  embeddings: Float32Array;
}

/** Classifies and embeds audio items. */
export async function predictAudio(model: MatchingModel, feats: MatchingFeatures): Promise<ModalityPrediction> {
  const x = audioTensor(model.config, feats);
  try {
    const { probs, argmax } = softmaxRows(await predictRows(model.classifier.net, x), model.config.classes.length);
    return { classes: argmax, probs, embeddings: await predictRows(model.audioEncoder.net, x) };
  } finally {
    x.dispose();
  }
}

/** Classifies (from appearance) and embeds (from the trajectory) video items. */
export async function predictVideo(model: MatchingModel, feats: MatchingFeatures): Promise<ModalityPrediction> {
  const a = appearanceTensor(model.config, feats);
  const t = trajectoryTensor(model.config, feats);
  try {
    const { probs, argmax } = softmaxRows(await predictRows(model.videoClassifier, a), model.config.classes.length);
    return { classes: argmax, probs, embeddings: await predictRows(model.trajectoryEncoder, t) };
  } finally {
    tf.dispose([a, t]);
  }
}

/** A task folder seen through the model. */
export interface FolderPrediction extends GroupPrediction {
  audio: ModalityPrediction;
  /** Empty for task 1. */
  video: ModalityPrediction;
}

/** Extracts features of a task folder's items and runs every part of the model on them. */
export async function predictFolder(model: MatchingModel, folder: CollisionTaskFolder): Promise<FolderPrediction> {
  const audio = await predictAudio(model, extractFeatures(folder.audio, model.config.features));
  const video = folder.video.length ? await predictVideo(model, extractFeatures(folder.video, model.config.features)) : { classes: [], probs: new Float32Array(0), embeddings: new Float32Array(0) };
  const d = model.config.encoders.embedDim;
  return { audio, video, audioClasses: audio.classes, videoClasses: video.classes, distances: folder.video.length ? distanceMatrix(audio.embeddings, video.embeddings, d) : audio.classes.map(() => []) };
}

/** The course's file name of an audio item: its id plus `.pkl` when it is `audio_NNNN`, else by position. */
function audioKey(id: string, i: number): string {
  return /^audio_\d+$/.test(id) ? `${id}.pkl` : `audio_${String(i).padStart(4, '0')}.pkl`;
}

/** The course's index of a video item: NNNN of `video_NNNN`, else its position. */
function videoIndex(id: string, j: number): number {
  const m = /^video_(\d+)$/.exec(id);
  return m ? Number(m[1]) : j;
}

/**
 * The course's output for a task folder: task 1 `{ "audio_0000.pkl": "<class name>" }`, tasks 2
 * and 3 `{ "audio_0000.pkl": <video index or -1> }`. Task 3 uses the model's threshold unless
 * `options.threshold` overrides it. `assignment` holds the positions (not indices) chosen.
 */
export function answersFromPrediction(model: MatchingModel, folder: CollisionTaskFolder, pred: FolderPrediction, options: AssignOptions = {}): { answers: Record<string, string | number>; assignment: number[] } {
  const answers: Record<string, string | number> = {};
  if (folder.task === 1) {
    folder.audio.forEach((a, i) => (answers[audioKey(a.id, i)] = model.config.classes[pred.audioClasses[i]]));
    return { answers, assignment: [] };
  }
  let threshold = options.threshold;
  if (folder.task === 3 && threshold === undefined) {
    if (model.config.threshold === null) throw new InputError('model', 'has no task-3 threshold (it was not chosen at training time); pass one');
    threshold = model.config.threshold;
  }
  const assignment = assignGroup(pred, { rejection: model.config.rejection, ...options, threshold: folder.task === 3 ? threshold : undefined });
  folder.audio.forEach((a, i) => (answers[audioKey(a.id, i)] = assignment[i] < 0 ? -1 : videoIndex(folder.video[assignment[i]].id, assignment[i])));
  return { answers, assignment };
}

/** `predictFolder` then `answersFromPrediction`. */
export async function answerTask(model: MatchingModel, folder: CollisionTaskFolder, options: AssignOptions = {}): Promise<Record<string, string | number>> {
  return answersFromPrediction(model, folder, await predictFolder(model, folder), options).answers;
}

// ---------------------------------------------------------------------------------------------
// Training.

/** Options of `trainMatchingModel`; everything has a default. */
export interface MatchingTrainOptions {
  seed?: number;
  /** Classifier ResNet shape (input shape and classes follow the features and class list). */
  classifier?: Partial<Omit<ResNetOptions, 'inputShape' | 'classes' | 'seed'>>;
  classifierTraining?: Partial<ClassifierTrainConfig>;
  videoTraining?: Partial<ClassifierTrainConfig>;
  videoHidden?: number;
  /** Encoder sizes; the audio trunk defaults to the classifier's shape. */
  encoders?: Partial<Omit<EncoderOptions, 'trajectoryFrames' | 'seed' | 'audio'>> & { audio?: Partial<EncoderOptions['audio']> };
  encoderTraining?: Partial<EncoderTrainConfig>;
  /** Validation groups for choosing τ: how many, and the fraction of audio whose video is removed. */
  thresholdGroups?: number;
  unmatchedFraction?: number;
  rejection?: 'dummy' | 'post';
  /** Receives progress lines. */
  log?: (line: string) => void;
  /**
   * Where each part checkpoints its training (`classifier/`, `video-classifier/`, `encoders/`, each
   * with last.ckpt, best.ckpt, history.json, train.log): an interrupted call resumes there, and a part
   * finished with the same configuration and data is reused. Without it nothing is written.
   */
  runDir?: string;
}

/** What `trainMatchingModel` returns. */
export interface MatchingTrainResult {
  model: MatchingModel;
  classifier: FitResult;
  videoClassifier: FitResult;
  encoders: FitResult;
  threshold: ThresholdChoice;
  /** The validation groups τ was chosen on (for figures). */
  thresholdGroups: ThresholdGroup[];
  seconds: number;
}

/**
 * Validation groups for choosing τ: each keeps all validation audio and drops the videos of a random
 * `unmatched` fraction of them (seeded), as a task-3 folder does.
 */
export function thresholdGroups(audio: ModalityPrediction, video: ModalityPrediction, dim: number, groups: number, unmatched: number, seed: number): ThresholdGroup[] {
  const n = audio.classes.length;
  const full = distanceMatrix(audio.embeddings, video.embeddings, dim);
  return Array.from({ length: groups }, (_, g) => {
    const rng = new Rng(deriveSeed(seed, `threshold-group:${g}`));
    const drop = new Set(rng.permutation(n).slice(0, Math.round(unmatched * n)));
    const kept = Array.from({ length: n }, (_, j) => j).filter((j) => !drop.has(j));
    const pos = new Map(kept.map((j, k) => [j, k]));
    return {
      pred: { audioClasses: audio.classes, videoClasses: kept.map((j) => video.classes[j]), distances: full.map((row) => kept.map((j) => row[j])) },
      truth: Array.from({ length: n }, (_, i) => pos.get(i) ?? -1),
    };
  });
}

/**
 * Trains every part of the model on `train` features (audio + frames of the same samples) and
 * chooses the task-3 threshold on `val`: the audio classifier (task 1), the video classifier, then
 * the encoders jointly (contrastive loss), then τ. Every part trains through `fit` (PyTorch's Adam);
 * with `options.runDir` each part is checkpointed and resumable.
 */
export async function trainMatchingModel(train: MatchingFeatures, val: MatchingFeatures, options: MatchingTrainOptions = {}): Promise<MatchingTrainResult> {
  const started = Date.now();
  const seed = options.seed ?? 0;
  const log = options.log ?? (() => {});
  for (const [name, f] of [['training', train], ['validation', val]] as const) {
    if (f.size < 2 || f.audio.length === 0 || f.trajectory.length === 0) throw new InputError(`${name} features`, 'need at least two samples with both audio and frames');
    if (Array.from(f.objects).some((o) => o < 0 || o >= COLLISION_OBJECTS.length)) throw new InputError(`${name} features`, 'every sample needs a known object class');
  }
  const fo = train.options;
  if (JSON.stringify(fo) !== JSON.stringify(val.options)) throw new InputError('validation features', 'were extracted with other options than the training features');
  const classes = [...COLLISION_OBJECTS];
  const classifierShape = { widths: [16, 32, 64], blocks: [1, 1, 1], stemStride: 2, downsample: 'both' as const, ...options.classifier };
  const config: MatchingModelConfig = {
    format: 'avlab-matching-model',
    version: 1,
    classes,
    features: fo,
    classifier: { ...classifierShape, inputShape: [fo.specSize[0], fo.specSize[1], 4], classes: classes.length, pooling: 'global', seed: deriveSeed(seed, 'classifier') },
    encoders: {
      embedDim: options.encoders?.embedDim ?? 32,
      trajectoryHidden: options.encoders?.trajectoryHidden ?? [128, 64],
      trajectoryFrames: fo.trajectoryFrames,
      // Half the classifier's widths, and time kept at full resolution (see resnet.ts): about the
      // classifier's cost, with the impact's time preserved.
      audio: { inputShape: [fo.specSize[0], fo.specSize[1], 4], widths: classifierShape.widths.map((w) => Math.max(4, w / 2)), blocks: classifierShape.blocks, stemStride: classifierShape.stemStride, downsample: 'frequency', ...options.encoders?.audio },
      seed: deriveSeed(seed, 'encoders'),
    },
    videoHidden: options.videoHidden ?? 32,
    audioStats: fitFeatureScaling(train.audio, 1),
    trajectoryStats: fitFeatureScaling(train.trajectory, 4),
    appearanceStats: fitFeatureScaling(train.appearance, APPEARANCE_DIM),
    threshold: null,
    rejection: options.rejection ?? 'dummy',
  };
  const model = buildMatchingModel(config);
  const labels = (f: MatchingFeatures) => tf.tensor1d(f.objects, 'int32');
  const trainAudio = audioTensor(config, train);
  const valAudio = audioTensor(config, val);
  const tensors: tf.Tensor[] = [trainAudio, valAudio];
  try {
    const trainLabels = labels(train);
    const valLabels = labels(val);
    tensors.push(trainLabels, valLabels);
    const cls = (x: tf.Tensor, y: tf.Tensor1D, n: number): LabelledTensors => ({ x, labels: y, size: n });
    // A part's checkpoints belong to its training config, the model config (features, shapes,
    // standardisation statistics: a proxy for the data) and the data sizes.
    const part = (name: string, training: unknown) => ({
      log,
      runDir: options.runDir && path.join(options.runDir, name),
      fingerprint: JSON.stringify({ part: name, training, model: config, sizes: [train.size, val.size] }),
    });

    log('audio classifier (ResNet, Adam):');
    const classifierConfig: ClassifierTrainConfig = { ...DEFAULT_CLASSIFIER_CONFIG, seed: deriveSeed(seed, 'classifier-training'), ...options.classifierTraining };
    const classifier = await trainClassifier(model.classifier.net, cls(trainAudio, trainLabels, train.size), cls(valAudio, valLabels, val.size), classifierConfig, part('classifier', classifierConfig));

    log('video classifier (appearance MLP):');
    const trainApp = appearanceTensor(config, train);
    const valApp = appearanceTensor(config, val);
    tensors.push(trainApp, valApp);
    const videoConfig: ClassifierTrainConfig = { ...DEFAULT_CLASSIFIER_CONFIG, lr: 0.01, weightDecay: 1e-4, epochs: 40, seed: deriveSeed(seed, 'video-training'), ...options.videoTraining };
    const videoClassifier = await trainClassifier(model.videoClassifier, cls(trainApp, trainLabels, train.size), cls(valApp, valLabels, val.size), videoConfig, { ...part('video-classifier', videoConfig), log: () => {} });
    log(`video classifier: best epoch ${videoClassifier.bestEpoch}, val accuracy ${videoClassifier.history[videoClassifier.bestEpoch - 1].metrics.accuracy.toFixed(4)}`);

    log('encoders (contrastive loss):');
    const trainTraj = trajectoryTensor(config, train);
    const valTraj = trajectoryTensor(config, val);
    tensors.push(trainTraj, valTraj);
    const paired = (audio: tf.Tensor, trajectory: tf.Tensor2D, f: MatchingFeatures): PairedTensors => ({ audio, trajectory, objects: f.objects, size: f.size });
    const encoderConfig: EncoderTrainConfig = { ...DEFAULT_ENCODER_CONFIG, seed: deriveSeed(seed, 'encoder-training'), ...options.encoderTraining };
    const encoders = await trainEncoders(model.audioEncoder.net, model.trajectoryEncoder, paired(trainAudio, trainTraj, train), paired(valAudio, valTraj, val), encoderConfig, part('encoders', encoderConfig));

    const va = await predictAudio(model, val);
    const vv = await predictVideo(model, val);
    const groups = thresholdGroups(va, vv, config.encoders.embedDim, options.thresholdGroups ?? 8, options.unmatchedFraction ?? 0.2, deriveSeed(seed, 'threshold'));
    const threshold = chooseThreshold(groups, { rejection: config.rejection });
    config.threshold = threshold.threshold;
    log(`task-3 threshold τ = ${threshold.threshold.toFixed(4)} (validation task-3 accuracy ${threshold.accuracy.toFixed(4)})`);
    return { model, classifier, videoClassifier, encoders, threshold, thresholdGroups: groups, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    disposeMatchingModel(model);
    throw err;
  } finally {
    tf.dispose(tensors);
  }
}

// ---------------------------------------------------------------------------------------------
// Saving and loading.

/** File names inside a model directory. */
export const MODEL_FILES = { config: 'model.json', weights: 'weights.ckpt' } as const;

/** Limits that a model.json must respect before anything is allocated for it (see `loadMatchingModel`). */
export const MATCHING_MODEL_LIMITS = {
  /** model.json itself. */
  configBytes: 1 << 20,
  /** Spectrogram rows/columns and trajectory frames. */
  featureSize: 4096,
  /** Channels of a ResNet stage, MLP widths, embedding size. */
  width: 4096,
  stages: 8,
  blocksPerStage: 32,
  classes: 1000,
} as const;

/** Rounds up to the parameter count a config implies, to compare with what weights.ckpt holds. */
function minimumParams(c: MatchingModelConfig): number {
  const resnet = (inCh: number, widths: number[], blocks: number[]): number => {
    let n = 9 * inCh * widths[0];
    let w0 = widths[0];
    widths.forEach((w, i) => {
      n += 9 * w0 * w + 9 * w * w * (2 * blocks[i] - 1);
      w0 = w;
    });
    return n;
  };
  const mlp = (inDim: number, hidden: number[], out: number): number => {
    let n = 0;
    let w = inDim;
    for (const h of hidden) {
      n += w * h;
      w = h;
    }
    return n + w * out;
  };
  return (
    resnet(4, c.classifier.widths, c.classifier.blocks) +
    resnet(4, c.encoders.audio.widths, c.encoders.audio.blocks) +
    mlp(APPEARANCE_DIM, [c.videoHidden], c.classes.length) +
    mlp(c.features.trajectoryFrames * 4, c.encoders.trajectoryHidden, c.encoders.embedDim)
  );
}

/** Checks every size in a model.json against `MATCHING_MODEL_LIMITS`; errors name the file and key. */
function checkModelConfig(config: MatchingModelConfig, file: string): void {
  const L = MATCHING_MODEL_LIMITS;
  const int = (v: unknown, key: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InputError(file, `${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, key);
    return v;
  };
  const ints = (v: unknown, key: string, min: number, max: number, maxLen: number): number[] => {
    if (!Array.isArray(v) || v.length < 1 || v.length > maxLen) throw new InputError(file, `${key} must be a list of 1 to ${maxLen} integers, got ${JSON.stringify(v)?.slice(0, 80)}`, key);
    return v.map((x, i) => int(x, `${key}[${i}]`, min, max));
  };
  const stats = (v: unknown, key: string, n: number) => {
    const s = v as FeatureScaling | undefined;
    for (const part of ['mean', 'std'] as const) {
      const a = s?.[part];
      if (!Array.isArray(a) || a.length !== n || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new InputError(file, `${key}.${part} must hold ${n} finite numbers`, `${key}.${part}`);
    }
  };
  if (!Array.isArray(config.classes) || config.classes.length < 1 || config.classes.length > L.classes || !config.classes.every((c) => typeof c === 'string')) {
    throw new InputError(file, `classes must be a list of 1 to ${L.classes} names`, 'classes');
  }
  const f = config.features;
  if (!f || typeof f !== 'object') throw new InputError(file, 'features is missing', 'features');
  ints(f.specSize, 'features.specSize', 1, L.featureSize, 2);
  if (f.specSize.length !== 2) throw new InputError(file, 'features.specSize must hold 2 integers', 'features.specSize');
  int(f.trajectoryFrames, 'features.trajectoryFrames', 1, L.featureSize);
  int(f.nFft, 'features.nFft', 2, 1 << 16);
  const cl = config.classifier;
  if (!cl || typeof cl !== 'object') throw new InputError(file, 'classifier is missing', 'classifier');
  ints(cl.widths, 'classifier.widths', 1, L.width, L.stages);
  ints(cl.blocks, 'classifier.blocks', 1, L.blocksPerStage, L.stages);
  if (cl.blocks.length !== cl.widths.length) throw new InputError(file, 'classifier.blocks and classifier.widths differ in length', 'classifier.blocks');
  ints(cl.inputShape, 'classifier.inputShape', 1, L.featureSize, 3);
  if (cl.inputShape.join() !== [f.specSize[0], f.specSize[1], 4].join()) throw new InputError(file, `classifier.inputShape must be [${f.specSize.join(', ')}, 4] (the features' grid)`, 'classifier.inputShape');
  if (cl.classes !== config.classes.length) throw new InputError(file, `classifier.classes must equal the ${config.classes.length} class names`, 'classifier.classes');
  int(cl.stemStride, 'classifier.stemStride', 1, 8);
  const e = config.encoders;
  if (!e || typeof e !== 'object' || !e.audio) throw new InputError(file, 'encoders is missing', 'encoders');
  int(e.embedDim, 'encoders.embedDim', 1, L.width);
  ints(e.audio.widths, 'encoders.audio.widths', 1, L.width, L.stages);
  ints(e.audio.blocks, 'encoders.audio.blocks', 1, L.blocksPerStage, L.stages);
  if (e.audio.blocks.length !== e.audio.widths.length) throw new InputError(file, 'encoders.audio.blocks and encoders.audio.widths differ in length', 'encoders.audio.blocks');
  ints(e.audio.inputShape, 'encoders.audio.inputShape', 1, L.featureSize, 3);
  int(e.audio.stemStride, 'encoders.audio.stemStride', 1, 8);
  ints(e.trajectoryHidden, 'encoders.trajectoryHidden', 1, L.width, L.stages);
  if (e.trajectoryFrames !== f.trajectoryFrames) throw new InputError(file, 'encoders.trajectoryFrames must equal features.trajectoryFrames', 'encoders.trajectoryFrames');
  int(config.videoHidden, 'videoHidden', 1, L.width);
  stats(config.audioStats, 'audioStats', 1);
  stats(config.trajectoryStats, 'trajectoryStats', 4);
  stats(config.appearanceStats, 'appearanceStats', APPEARANCE_DIM);
  if (config.threshold !== null && !(typeof config.threshold === 'number' && Number.isFinite(config.threshold))) throw new InputError(file, 'threshold must be null or a finite number', 'threshold');
  if (config.rejection !== 'dummy' && config.rejection !== 'post') throw new InputError(file, 'rejection must be "dummy" or "post"', 'rejection');
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes the model folder `dir` (`model.json` + `weights.ckpt`) as one unit. model.json records
 * the SHA-256 of weights.ckpt, and `loadMatchingModel` refuses a pair whose checksum disagrees, so
 * a torn pair (new weights, old config) is never loaded. A new folder (or one holding only the two
 * model files) is written into a temporary sibling folder and renamed into place; a folder that
 * holds other files too (a run directory) gets weights.ckpt, then model.json, each atomically.
 */
export async function saveMatchingModel(dir: string, model: MatchingModel): Promise<void> {
  const all = nets(model);
  const weights = await storeTensors(all.flatMap(([name, net]) => net.weights.map((w) => ({ name: `${name}/${w.originalName}`, tensor: w.read() }))));
  const resolved = path.resolve(dir);
  const parent = path.dirname(resolved);
  fs.mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  const temp = path.join(parent, `.${path.basename(resolved)}.${stamp}.tmp`);
  const writePair = (into: string) => {
    const weightsFile = path.join(into, MODEL_FILES.weights);
    saveCheckpoint(weightsFile, { weights, optimizer: [], state: { counts: all.map(([name, net]) => [name, net.weights.length]) } });
    const stored = { ...model.config, weightsSha256: sha256(fs.readFileSync(weightsFile)) };
    writeFileAtomic(path.join(into, MODEL_FILES.config), JSON.stringify(stored, null, 2) + '\n');
  };
  const existing = fs.existsSync(resolved) ? fs.readdirSync(resolved) : null;
  const onlyModel = existing !== null && existing.every((n) => n === MODEL_FILES.config || n === MODEL_FILES.weights);
  if (existing === null || onlyModel) {
    fs.mkdirSync(temp);
    try {
      writePair(temp);
      if (existing === null) {
        fs.renameSync(temp, resolved);
      } else {
        const old = path.join(parent, `.${path.basename(resolved)}.${stamp}.old`);
        fs.renameSync(resolved, old);
        try {
          fs.renameSync(temp, resolved);
        } catch (err) {
          fs.renameSync(old, resolved); // put the previous model back
          throw err;
        }
        fs.rmSync(old, { recursive: true, force: true });
      }
    } catch (err) {
      fs.rmSync(temp, { recursive: true, force: true });
      throw err;
    }
    return;
  }
  writePair(resolved);
}

/**
 * Reads a model written by `saveMatchingModel`; problems are InputErrors naming the file. Before
 * anything is allocated, model.json's size and every size in it are checked against
 * `MATCHING_MODEL_LIMITS`, the parameter count it implies against what weights.ckpt holds, and the
 * weights' SHA-256 against the one model.json records (files from before the checksum existed
 * carry none and are accepted).
 */
export function loadMatchingModel(dir: string): MatchingModel {
  const configFile = path.join(dir, MODEL_FILES.config);
  const weightsFile = path.join(dir, MODEL_FILES.weights);
  if (!fs.existsSync(configFile)) throw new InputError(configFile, `missing (a model directory holds ${MODEL_FILES.config} and ${MODEL_FILES.weights}; train one with "avlab match train")`);
  const size = fs.statSync(configFile).size;
  if (size > MATCHING_MODEL_LIMITS.configBytes) throw new InputError(configFile, `is ${size} bytes; a model.json is at most ${MATCHING_MODEL_LIMITS.configBytes}`);
  let config: MatchingModelConfig & { weightsSha256?: string };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new InputError(configFile, `is not valid JSON: ${(e as Error).message}`);
  }
  if (config?.format !== 'avlab-matching-model' || config.version !== 1) throw new InputError(configFile, 'is not an avlab matching model (format/version)');
  config = { ...DEFAULT_MODEL_CONFIG_PARTS, ...config };
  checkModelConfig(config, configFile);
  if (!fs.existsSync(weightsFile)) throw new InputError(weightsFile, 'checkpoint file does not exist');
  const checksum = config.weightsSha256;
  delete config.weightsSha256;
  if (checksum !== undefined) {
    const actual = sha256(fs.readFileSync(weightsFile));
    if (actual !== checksum) {
      throw new InputError(weightsFile, `does not belong to ${configFile}: its SHA-256 is ${actual.slice(0, 12)}…, model.json records ${String(checksum).slice(0, 12)}… (a torn or mixed model folder; save the model again)`);
    }
  }
  const ck = loadCheckpoint<{ counts: [string, number][] }>(weightsFile);
  const stored = ck.weights.reduce((s, t) => s + t.values.length, 0);
  const needed = minimumParams(config);
  if (needed > stored) throw new InputError(configFile, `describes a model of at least ${needed} parameters, but ${MODEL_FILES.weights} holds ${stored}`);
  if (!Array.isArray(ck.state?.counts)) throw new InputError(weightsFile, 'has no weight counts');
  const model = buildMatchingModel(config);
  try {
    let off = 0;
    const counts = new Map(ck.state.counts);
    for (const [name, net] of nets(model)) {
      const k = counts.get(name);
      if (k === undefined) throw new InputError(weightsFile, `has no weights for the ${name}`);
      restoreWeights(net, ck.weights.slice(off, off + k), weightsFile);
      off += k;
    }
  } catch (err) {
    disposeMatchingModel(model);
    throw err;
  }
  return model;
}

/** Fields a config may lack (none in version 1; kept so later fields get defaults when loading). */
const DEFAULT_MODEL_CONFIG_PARTS: Partial<MatchingModelConfig> = { features: DEFAULT_FEATURE_OPTIONS };
