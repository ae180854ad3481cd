/**
 * Do the synchronisation-trained features help a labelled task? The downstream task here is the
 * collision world's object class (ten objects) from one window of video or of audio. Three feature
 * sources per modality, with a label budget (a fraction of the labelled training windows, stratified,
 * at least one window per class):
 *
 *   avts      the AVTS encoder's trunk, frozen; a linear classifier on its pooled features
 *   random    the same architecture untrained (its seeded initialisation), frozen; a linear classifier
 *   scratch   the same architecture trained end to end with the labels (trunk + linear layer)
 *
 * Every classifier trains through `fit` (`classificationTask`), selected on the validation windows'
 * loss (the same windows for every method). Frozen features are standardised with the mean and
 * standard deviation over all training windows (no labels needed for that).
 */
import * as tf from '@tensorflow/tfjs';
import { classificationBatches, classificationTask, evaluate, TensorData } from '../training/classification';
import { COURSE_TRAIN_CONFIG } from '../training/config';
import { fit, FitConfig } from '../training/fit';
import { Rng } from '../util/rng';
import { InputError } from '../util/errors';
import type { AvClipFeatures } from './data/clips';
import { anchorStarts, PairConfig } from './data/pairs';
import { buildEncoderClassifier, buildLinearHead, Encoder } from './models/encoders';
import { windowTensor } from './train';

/** Labelled windows: (clip, start frame) and the clip's class. */
export interface LabelledWindows {
  clips: readonly AvClipFeatures[];
  refs: [number, number][];
  labels: Int32Array;
}

/** `perClip` windows of every labelled clip, drawn (seeded) among windows with an event when known. */
export function labelledWindows(clips: readonly AvClipFeatures[], pairs: PairConfig, perClip: number, rng: Rng): LabelledWindows {
  const starts = anchorStarts(clips, pairs);
  const refs: [number, number][] = [];
  clips.forEach((c, i) => {
    if (c.label < 0) return;
    for (let k = 0; k < perClip; k++) refs.push([i, starts[i][rng.int(starts[i].length)]]);
  });
  return { clips, refs, labels: Int32Array.from(refs.map(([i]) => clips[i].label)) };
}

/**
 * Indices of a stratified subset holding `fraction` of each class's windows, rounded, and at least
 * one per class (so 1 % of a small set is one window per class).
 */
export function budgetSubset(labels: Int32Array, fraction: number, rng: Rng): number[] {
  if (!(fraction > 0 && fraction <= 1)) throw new InputError('budgetSubset', `fraction must lie in (0, 1], got ${fraction}`);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => (byClass.get(y) ?? byClass.set(y, []).get(y)!).push(i));
  const out: number[] = [];
  for (const [, idx] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const n = Math.max(1, Math.round(fraction * idx.length));
    out.push(...rng.shuffle(idx.slice()).slice(0, n));
  }
  return out.sort((a, b) => a - b);
}

/** Inputs of the windows for one modality, `[n, …]`. */
export function windowInputs(w: LabelledWindows, F: number, modality: 'video' | 'audio', subset?: readonly number[]): tf.Tensor {
  const refs = subset ? subset.map((i) => w.refs[i]) : w.refs;
  return windowTensor(w.clips, refs, F, modality);
}

/** Frozen pooled features of every window, `[n, featureDim]`, in batches. */
export function encodeWindows(enc: Encoder, w: LabelledWindows, F: number, modality: 'video' | 'audio', batch = 64): tf.Tensor2D {
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < w.refs.length; s += batch) {
    const idx = Array.from({ length: Math.min(batch, w.refs.length - s) }, (_, k) => s + k);
    parts.push(tf.tidy(() => enc.trunk.apply(windowInputs(w, F, modality, idx), { training: false }) as tf.Tensor));
  }
  const out = tf.concat(parts) as tf.Tensor2D;
  tf.dispose(parts);
  return out;
}

/** Settings of the downstream classifiers. */
export interface DownstreamConfig {
  /** Linear probe: Adam lr, epochs. */
  probeLr: number;
  probeEpochs: number;
  /** Scratch encoder: Adam lr, epochs. */
  scratchLr: number;
  scratchEpochs: number;
  batchSize: number;
  weightDecay: number;
  classes: number;
  seed: number;
}

function fitConfig(c: DownstreamConfig, lr: number, epochs: number): FitConfig {
  return { ...COURSE_TRAIN_CONFIG, seed: c.seed, lr, weightDecay: c.weightDecay, batchSize: c.batchSize, maxEpochs: epochs, earlyStop: epochs, schedule: 'constant', select: 'valLoss' };
}

/** Standardises features column-wise with `ref`'s mean and std. */
function standardise(x: tf.Tensor2D, ref: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(ref, 0);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6))) as tf.Tensor2D;
  });
}

/**
 * Test accuracy of a linear classifier on frozen features of `enc`, trained on the `subset` of the
 * training windows.
 */
export async function linearProbeAccuracy(enc: Encoder, modality: 'video' | 'audio', F: number, train: LabelledWindows, subset: readonly number[], val: LabelledWindows, test: LabelledWindows, c: DownstreamConfig): Promise<number> {
  const [rawTrain, rawVal, rawTest] = [train, val, test].map((w) => encodeWindows(enc, w, F, modality));
  const [xTrain, xVal, xTest] = [rawTrain, rawVal, rawTest].map((x) => standardise(x, rawTrain));
  const idx = tf.tensor1d(Int32Array.from(subset), 'int32');
  const data = (x: tf.Tensor2D, y: Int32Array): TensorData => ({ inputs: [x], labels: tf.tensor1d(y, 'int32'), size: y.length });
  const trainData: TensorData = { inputs: [tf.gather(xTrain, idx)], labels: tf.tensor1d(Int32Array.from(subset.map((i) => train.labels[i])), 'int32'), size: subset.length };
  const valData = data(xVal, val.labels);
  const testData = data(xTest, test.labels);
  const head = buildLinearHead(enc.featureDim, c.classes, c.seed);
  try {
    await fit(classificationTask({ net: head, dropouts: [] }), classificationBatches(trainData), valData, fitConfig(c, c.probeLr, c.probeEpochs), { log: () => {} });
    return (await evaluate(head, testData)).accuracy;
  } finally {
    head.dispose();
    tf.dispose([rawTrain, rawVal, rawTest, xTrain, xVal, xTest, idx, trainData.labels, trainData.inputs, valData.labels, testData.labels]);
  }
}

/** Test accuracy of the encoder architecture trained from scratch (trunk + linear layer) on the subset. */
export async function scratchAccuracy(build: () => Encoder, modality: 'video' | 'audio', F: number, train: LabelledWindows, subset: readonly number[], val: LabelledWindows, test: LabelledWindows, c: DownstreamConfig): Promise<number> {
  const enc = build();
  const net = buildEncoderClassifier(enc, c.classes, c.seed);
  const trainData: TensorData = { inputs: [windowInputs(train, F, modality, subset)], labels: tf.tensor1d(Int32Array.from(subset.map((i) => train.labels[i])), 'int32'), size: subset.length };
  const valData: TensorData = { inputs: [windowInputs(val, F, modality)], labels: tf.tensor1d(val.labels, 'int32'), size: val.labels.length };
  const testData: TensorData = { inputs: [windowInputs(test, F, modality)], labels: tf.tensor1d(test.labels, 'int32'), size: test.labels.length };
  try {
    await fit(classificationTask({ net, dropouts: [] }, 64), classificationBatches(trainData), valData, fitConfig(c, c.scratchLr, c.scratchEpochs), { log: () => {} });
    return (await evaluate(net, testData, 64)).accuracy;
  } finally {
    net.dispose();
    for (const d of [trainData, valData, testData]) tf.dispose([...d.inputs, d.labels]);
  }
}
