/**
 * The MIL models of the notebook, their batches, their training task for `fit` and their
 * predictions. A model is one or two instance networks (lib/mil/models/encoders) plus a
 * `ClassAffine` head; its forward pass is
 *
 *   audio segments ─ audio net ─ z, l [B, 10, C] ─┐ pool (two-stream or LSE), ℓ2-normalise ─┐
 *                                                                                           + ─ κ·y + b ─ logits
 *   frames, proposals ─ visual net ─ z, l [B, 10·R, C] ─ pool, ℓ2-normalise ───────────────┘
 *
 * trained with binary cross-entropy on the clip labels only (`binaryCrossEntropy`).
 *
 * Variants (`MIL_VARIANTS`): the two-stream audio-visual model of Parekh et al.; the same with one
 * modality (audio only, visual only); and the one-stream audio-visual baseline with log-sum-exp
 * pooling.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource, Evaluation, FitTask } from '../../training/fit';
import { binaryCrossEntropy } from '../../losses/binaryCrossEntropy';
import { chooseMultilabelThreshold } from '../../metrics/multilabel';
import type { Rng } from '../../util/rng';
import { InputError } from '../../util/errors';
import type { AudioNorm, MilFeatures } from '../features/instances';
import { clipProposals } from '../features/instances';
import { buildAudioNet, buildVisualNet, InstanceNet } from './encoders';
import { ClassAffine, roiPoolMatrix } from './layers';
import { l2Normalise, localisationWeights, logSumExpPool, twoStreamPool } from './pooling';

/** A model variant. */
export interface MilVariant {
  id: string;
  label: string;
  audio: boolean;
  visual: boolean;
  pooling: 'two-stream' | 'lse';
}

export const MIL_VARIANTS: readonly MilVariant[] = [
  { id: 'av-two-stream', label: 'AV two-stream', audio: true, visual: true, pooling: 'two-stream' },
  { id: 'audio-two-stream', label: 'audio only', audio: true, visual: false, pooling: 'two-stream' },
  { id: 'visual-two-stream', label: 'visual only', audio: false, visual: true, pooling: 'two-stream' },
  { id: 'av-lse', label: 'AV one-stream (LSE)', audio: true, visual: true, pooling: 'lse' },
];

/** Looks a variant up by id. */
export function milVariant(id: string): MilVariant {
  const v = MIL_VARIANTS.find((x) => x.id === id);
  if (!v) throw new InputError('milVariant', `unknown variant "${id}" (known: ${MIL_VARIANTS.map((x) => x.id).join(', ')})`);
  return v;
}

/** Model options. */
export interface MilModelOptions {
  /** Sharpness r of log-sum-exp pooling. */
  lseR: number;
  /** Initial κ of the logit scale. */
  initialScale: number;
  hidden: number;
}

export const DEFAULT_MIL_MODEL: MilModelOptions = { lseR: 5, initialScale: 4, hidden: 64 };

/** A built model. */
export interface MilModel {
  variant: MilVariant;
  options: MilModelOptions;
  audio?: InstanceNet;
  visual?: InstanceNet;
  /** `[B, C]` fused scores → logits. */
  head: tf.LayersModel;
  /** The networks `fit` trains and checkpoints. */
  nets: tf.LayersModel[];
  dims: MilFeatures['dims'];
  classes: number;
  audioNorm: AudioNorm;
}

/** Builds a variant for instances of shape `features.dims`, seeded. */
export function buildMilModel(variant: MilVariant, features: Pick<MilFeatures, 'dims' | 'classNames'>, audioNorm: AudioNorm, seed: number, options: Partial<MilModelOptions> = {}): MilModel {
  const o = { ...DEFAULT_MIL_MODEL, ...options };
  const C = features.classNames.length;
  const d = features.dims;
  const streams = variant.pooling === 'two-stream' ? 2 : 1;
  const audio = variant.audio ? buildAudioNet(d.mels, d.segmentFrames, C, streams, seed * 3 + 1, o.hidden) : undefined;
  const visual = variant.visual ? buildVisualNet(d.frameSize, d.proposals, C, streams, seed * 3 + 2, o.hidden) : undefined;
  const input = tf.input({ shape: [C], name: 'fused_scores' });
  const head = tf.model({ inputs: input, outputs: new ClassAffine(o.initialScale, 'logit_scale').apply(input) as tf.SymbolicTensor, name: 'head' });
  const nets = [audio?.net, visual?.net, head].filter((n): n is tf.LayersModel => n !== undefined);
  return { variant, options: o, audio, visual, head, nets, dims: d, classes: C, audioNorm };
}

/** Frees a model's weights. */
export function disposeMilModel(m: MilModel): void {
  m.nets.forEach((n) => n.dispose());
}

/** One batch of clips: `[B, S, M, L]` standardised log-mel, `[B, F, H, W, 3]` centred frames, `[B, F, R·4, (H/2)²]` RoI matrices, `[B, C]` labels. */
export interface MilBatch {
  audio: tf.Tensor4D;
  frames: tf.Tensor;
  roi: tf.Tensor4D;
  labels: tf.Tensor2D;
  [key: string]: tf.Tensor;
}

/** The tensors of clips `idx` of `f` (audio standardised with `norm`, frames centred on 0). */
export function makeBatch(f: MilFeatures, idx: ArrayLike<number>, norm: AudioNorm): MilBatch {
  const { segments: S, mels: M, segmentFrames: L, frames: F, frameSize: H, proposals: R } = f.dims;
  const C = f.classNames.length;
  const B = idx.length;
  const a = new Float32Array(B * S * M * L);
  const v = new Float32Array(B * F * H * H * 3);
  const map = H / 2;
  const roi = new Float32Array(B * F * R * 4 * map * map);
  const y = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    const n = idx[b];
    const src = f.audio.subarray(n * S * M * L, (n + 1) * S * M * L);
    for (let s = 0; s < S; s++) for (let m = 0; m < M; m++) for (let t = 0; t < L; t++) a[((b * S + s) * M + m) * L + t] = (src[(s * M + m) * L + t] - norm.mean[m]) / norm.std[m];
    const fr = f.frames.subarray(n * F * H * H * 3, (n + 1) * F * H * H * 3);
    for (let i = 0; i < fr.length; i++) v[b * fr.length + i] = fr[i] - 0.5;
    for (let k = 0; k < F; k++) roi.set(roiPoolMatrix(clipProposals(f, n, k), map, 2), (b * F + k) * R * 4 * map * map);
    for (let c = 0; c < C; c++) y[b * C + c] = f.labels[n * C + c];
  }
  return {
    audio: tf.tensor4d(a, [B, S, M, L]),
    frames: tf.tensor(v, [B, F, H, H, 3]),
    roi: tf.tensor4d(roi, [B, F, R * 4, map * map]),
    labels: tf.tensor2d(y, [B, C]),
  };
}

/** Training batches in the epoch's seeded order. */
export function milBatches(f: MilFeatures, norm: AudioNorm): BatchSource<MilBatch> {
  return {
    size: f.size,
    *batches(rng: Rng, batchSize: number): Iterable<Batch<MilBatch>> {
      const order = rng.permutation(f.size);
      for (let start = 0; start < f.size; start += batchSize) {
        const idx = order.slice(start, start + batchSize);
        yield { data: makeBatch(f, idx, norm), size: idx.length };
      }
    },
  };
}

/** What one modality's networks give for a batch. */
export interface ModalityOutput {
  /** Classification stream z `[B, I, C]`. */
  cls: tf.Tensor3D;
  /** Localisation stream l `[B, I, C]` (two-stream only). */
  loc?: tf.Tensor3D;
  /** Clip scores s `[B, C]` before normalisation. */
  pooled: tf.Tensor2D;
  /** ŝ = s / ‖s‖. */
  normalised: tf.Tensor2D;
  /** Each instance's share of the clip score `[B, I, C]`: α·z (two-stream) or z (LSE). */
  instanceScores: tf.Tensor3D;
}

/** The forward pass of a batch. */
export interface MilForward {
  audio?: ModalityOutput;
  visual?: ModalityOutput;
  /** y = Σ_m ŝ_m `[B, C]`. */
  fused: tf.Tensor2D;
  logits: tf.Tensor2D;
}

function pool(model: MilModel, out: tf.Tensor[], B: number, I: number): ModalityOutput {
  const C = model.classes;
  const cls = tf.reshape(out[0], [B, I, C]) as tf.Tensor3D;
  if (model.variant.pooling === 'two-stream') {
    const loc = tf.reshape(out[1], [B, I, C]) as tf.Tensor3D;
    const pooled = twoStreamPool(cls, loc);
    return { cls, loc, pooled, normalised: l2Normalise(pooled), instanceScores: tf.mul(localisationWeights(loc), cls) as tf.Tensor3D };
  }
  const pooled = logSumExpPool(cls, model.options.lseR);
  return { cls, pooled, normalised: l2Normalise(pooled), instanceScores: cls };
}

/** Runs the model on a batch (call inside `tf.tidy`, or dispose the result). */
export function milForward(model: MilModel, batch: Pick<MilBatch, 'audio' | 'frames' | 'roi'>, training: boolean): MilForward {
  const { segments: S, mels: M, segmentFrames: L, frames: F, frameSize: H, proposals: R } = model.dims;
  const B = batch.audio.shape[0];
  const asList = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x : [x]);
  const result: Partial<MilForward> = {};
  const parts: tf.Tensor2D[] = [];
  if (model.audio) {
    const out = asList(model.audio.net.apply(tf.reshape(batch.audio, [B * S, M, L, 1]), { training }) as tf.Tensor | tf.Tensor[]);
    result.audio = pool(model, out, B, S);
    parts.push(result.audio.normalised);
  }
  if (model.visual) {
    const map = H / 2;
    const out = asList(model.visual.net.apply([tf.reshape(batch.frames, [B * F, H, H, 3]), tf.reshape(batch.roi, [B * F, R * 4, map * map])], { training }) as tf.Tensor | tf.Tensor[]);
    result.visual = pool(model, out, B, F * R);
    parts.push(result.visual.normalised);
  }
  const fused = parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Tensor2D);
  return { ...result, fused, logits: model.head.apply(fused, { training }) as tf.Tensor2D };
}

/** Validation data of the training task: features and how many clips go through at once. */
export interface MilValidation {
  features: MilFeatures;
  batchSize?: number;
}

/**
 * Clip probabilities σ(logits) `[N, C]` and, per instance, the scores that localise: audio
 * `[N, S, C]` and visual `[N, F·R, C]` (`ModalityOutput.instanceScores`), plus the mean BCE.
 */
export interface MilPrediction {
  probs: Float32Array[];
  audioScores?: Float32Array;
  visualScores?: Float32Array;
  loss: number;
}

/** Predicts every clip of `f` in eval mode, `batchSize` clips at a time. */
export async function predictMil(model: MilModel, f: MilFeatures, batchSize = 32): Promise<MilPrediction> {
  const C = model.classes;
  const { segments: S, frames: F, proposals: R } = model.dims;
  const probs: Float32Array[] = [];
  const audioScores = model.audio ? new Float32Array(f.size * S * C) : undefined;
  const visualScores = model.visual ? new Float32Array(f.size * F * R * C) : undefined;
  let lossSum = 0;
  for (let start = 0; start < f.size; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, f.size - start) }, (_, i) => start + i);
    const batch = makeBatch(f, idx, model.audioNorm);
    const [p, a, v, l] = tf.tidy(() => {
      const out = milForward(model, batch, false);
      return [tf.sigmoid(out.logits), out.audio?.instanceScores, out.visual?.instanceScores, tf.mul(binaryCrossEntropy(out.logits, batch.labels), idx.length)];
    });
    const pv = await p!.data();
    for (let i = 0; i < idx.length; i++) probs.push(Float32Array.from(pv.subarray(i * C, (i + 1) * C)));
    if (a && audioScores) audioScores.set(await a.data(), start * S * C);
    if (v && visualScores) visualScores.set(await v.data(), start * F * R * C);
    lossSum += (await l!.data())[0];
    tf.dispose([p, a, v, l]);
    tf.dispose(batch);
  }
  return { probs, audioScores, visualScores, loss: lossSum / f.size };
}

/** Clip labels of `f` as rows. */
export function labelRows(f: MilFeatures): Uint8Array[] {
  const C = f.classNames.length;
  return Array.from({ length: f.size }, (_, n) => f.labels.subarray(n * C, (n + 1) * C));
}

/**
 * The training task for `fit`: BCE on clip labels; validation reports the loss and the micro F1
 * at the threshold that is best on the validation clips (`f1`), which selects the epoch.
 */
export function milTask(model: MilModel): FitTask<MilBatch, MilValidation> {
  return {
    nets: model.nets,
    loss: (batch, training) => binaryCrossEntropy(milForward(model, batch, training).logits, batch.labels),
    evaluate: async ({ features, batchSize }): Promise<Evaluation> => {
      const p = await predictMil(model, features, batchSize);
      const t = chooseMultilabelThreshold(labelRows(features), p.probs);
      return { loss: p.loss, metrics: { f1: t.score } };
    },
  };
}

/** One row of `milShapes`. */
export interface MilShapeRow {
  stage: string;
  symbol: string;
  shape: string;
}

/** The shapes one batch takes through the model's MIL part (instance streams, pooling, fusion, logits). */
export function milShapes(model: MilModel, batch: MilBatch): MilShapeRow[] {
  const rows: MilShapeRow[] = [];
  tf.tidy(() => {
    const out = milForward(model, batch, false);
    const fmt = (t: tf.Tensor) => `[${t.shape.join(', ')}]`;
    rows.push(
      { stage: 'input: audio segments (log-mel)', symbol: 'x_audio', shape: fmt(batch.audio) },
      { stage: 'input: frames (1 fps)', symbol: 'x_frames', shape: fmt(batch.frames) },
      { stage: 'input: RoI pooling matrices per frame', symbol: 'P', shape: fmt(batch.roi) },
    );
    for (const [name, m] of [['audio', out.audio], ['visual', out.visual]] as const) {
      if (!m) continue;
      rows.push({ stage: `${name}: classification stream`, symbol: 'z', shape: fmt(m.cls) });
      if (m.loc) rows.push({ stage: `${name}: localisation stream, softmax over instances`, symbol: 'α = softmax_i(l)', shape: fmt(m.loc) });
      rows.push({ stage: `${name}: pooled clip scores`, symbol: model.variant.pooling === 'two-stream' ? 's = Σ_i α ⊙ z' : 's = LSE_r(z)', shape: fmt(m.pooled) });
      rows.push({ stage: `${name}: ℓ2-normalised`, symbol: 'ŝ = s / ‖s‖', shape: fmt(m.normalised) });
    }
    rows.push({ stage: 'fused', symbol: 'y = Σ_m ŝ_m', shape: fmt(out.fused) });
    rows.push({ stage: 'logits (learned scale and bias)', symbol: 'κ·y + b', shape: fmt(out.logits) });
  });
  return rows;
}
