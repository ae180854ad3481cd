/**
 * Training the AVTS encoders with `fit` (lib/training/fit): a batch source whose negatives follow the
 * epoch's curriculum (`fit` passes the epoch to it), the task with the contrastive loss or the
 * cross-entropy sync classifier, and the evaluation shared by validation and test:
 *
 *   out-of-sync score   s = D = ‖f_v(v) − f_a(a)‖₂ (contrastive), or z₀ − z₁ of the sync head (cross-entropy)
 *   sync accuracy       per negative type T: ½ (P[s < τ | positive] + P[s ≥ τ | negative of type T]),
 *                       balanced, so chance is 0.5; τ = η/2 during training (contrastive) or 0 (cross-entropy)
 *   AUC                 per type: P(s_neg > s_pos) over all positive/negative pairs (threshold-free)
 *
 * A batch holds B video windows (anchors) and 2B audio windows: each anchor's own audio (positive)
 * and its negative, so a video window is encoded once for two pairs.
 */
import * as tf from '@tensorflow/tfjs';
import { avtsContrastiveLoss, pairDistance } from '../losses/contrastive';
import { crossEntropy } from '../losses/crossEntropy';
import { COURSE_TRAIN_CONFIG } from '../training/config';
import { BatchSource, fit, FitConfig, FitOptions, FitResult, FitTask } from '../training/fit';
import { Rng, deriveSeed } from '../util/rng';
import { InputError } from '../util/errors';
import type { AvClipFeatures } from './data/clips';
import { audioWindow, AvPair, Curriculum, curriculumMix, evaluationPairs, NEGATIVE_KINDS, NegativeKind, PairConfig, PairKind, samplePairs, videoWindow } from './data/pairs';
import type { AvtsModel } from './models/encoders';

/** The two objectives of the paper's comparison. */
export type SyncLoss = 'contrastive' | 'crossEntropy';

/** Optimiser, loss and curriculum of one AVTS training run. */
export interface AvtsTrainConfig {
  loss: SyncLoss;
  /** Margin η of the contrastive loss (the paper: 0.99). */
  margin: number;
  curriculum: Curriculum;
  pairs: PairConfig;
  lr: number;
  weightDecay: number;
  /** Anchors (video windows) per batch; each brings a positive and a negative pair. */
  batchSize: number;
  epochs: number;
  seed: number;
}

/** Video windows, audio windows (positives first, then negatives) and labels of one batch. */
export interface AvtsBatch {
  video: tf.Tensor5D;
  audio: tf.Tensor4D;
  y: tf.Tensor1D;
  [key: string]: tf.Tensor;
}

/** Stacks windows of F frames into a [n, …] tensor. */
export function windowTensor(clips: readonly AvClipFeatures[], refs: readonly (readonly [number, number])[], F: number, modality: 'video' | 'audio'): tf.Tensor {
  if (refs.length === 0) throw new InputError('windowTensor', 'no windows');
  const c0 = clips[refs[0][0]];
  const one = modality === 'video' ? videoWindow(c0, refs[0][1], F) : audioWindow(c0, refs[0][1], F);
  const out = new Float32Array(refs.length * one.length);
  refs.forEach(([c, s], i) => out.set(modality === 'video' ? videoWindow(clips[c], s, F) : audioWindow(clips[c], s, F), i * one.length));
  const shape = modality === 'video' ? [refs.length, F, ...c0.videoShape] : [refs.length, one.length / (c0.audioShape[0] * c0.audioShape[1]), ...c0.audioShape];
  return tf.tensor(out, shape);
}

/** A batch from [positive, negative] couples sharing a video window (as `samplePairs` returns them). */
export function coupleBatch(clips: readonly AvClipFeatures[], couples: readonly AvPair[], F: number): AvtsBatch {
  const pos = couples.filter((_, i) => i % 2 === 0);
  const neg = couples.filter((_, i) => i % 2 === 1);
  const video = windowTensor(clips, pos.map((p) => [p.videoClip, p.videoStart] as const), F, 'video') as tf.Tensor5D;
  const audio = windowTensor(clips, [...pos, ...neg].map((p) => [p.audioClip, p.audioStart] as const), F, 'audio') as tf.Tensor4D;
  const y = tf.tensor1d([...pos, ...neg].map((p) => p.label), 'int32');
  return { video, audio, y };
}

/**
 * The training batch source: each epoch draws its pairs with `samplePairs` under the epoch's mix
 * (`curriculumMix(curriculum, epoch)`) from the epoch's seeded generator. Size: anchors per epoch.
 */
export function avtsBatches(clips: readonly AvClipFeatures[], pairs: PairConfig, curriculum: Curriculum): BatchSource<AvtsBatch> & { pairsOf(rng: Rng, epoch: number): AvPair[] } {
  const size = clips.length * pairs.anchorsPerClip;
  const pairsOf = (rng: Rng, epoch: number) => samplePairs(clips, pairs, curriculumMix(curriculum, epoch), rng);
  return {
    size,
    pairsOf,
    *batches(rng: Rng, batchSize: number, epoch?: number) {
      if (epoch === undefined) throw new Error('avtsBatches: the epoch is needed (the curriculum depends on it)');
      const all = pairsOf(rng, epoch);
      for (let start = 0; start < size; start += batchSize) {
        const n = Math.min(batchSize, size - start);
        yield { data: coupleBatch(clips, all.slice(2 * start, 2 * (start + n)), pairs.windowFrames), size: n };
      }
    },
  };
}

/** Embeddings of a batch's pairs: f_v repeated for both couples' pairs, f_a per audio window. */
function embed(m: AvtsModel, b: AvtsBatch, training: boolean): { fv: tf.Tensor2D; fa: tf.Tensor2D } {
  const v = m.video.net.apply(b.video, { training }) as tf.Tensor2D;
  const fa = m.audio.net.apply(b.audio, { training }) as tf.Tensor2D;
  const reps = fa.shape[0] / v.shape[0];
  const fv = reps === 1 ? v : (tf.concat(Array(reps).fill(v)) as tf.Tensor2D);
  return { fv, fa };
}

/** Per-pair loss and out-of-sync score of a batch (pairs in the batch's audio order). */
function pairTerms(m: AvtsModel, b: AvtsBatch, c: Pick<AvtsTrainConfig, 'loss' | 'margin'>, training: boolean): { perPair: tf.Tensor1D; score: tf.Tensor1D } {
  const { fv, fa } = embed(m, b, training);
  const yf = tf.cast(b.y, 'float32');
  if (c.loss === 'contrastive') {
    const d = pairDistance(fv, fa);
    const perPair = tf.add(tf.mul(yf, tf.square(d)), tf.mul(tf.sub(1, yf), tf.square(tf.relu(tf.sub(c.margin, d))))) as tf.Tensor1D;
    return { perPair, score: d };
  }
  const logits = m.head.apply(tf.concat([fa, fv], 1), { training }) as tf.Tensor2D;
  const logp = tf.logSoftmax(logits);
  const perPair = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(b.y, 2)), 1)) as tf.Tensor1D;
  const [z0, z1] = tf.split(logits, 2, 1);
  return { perPair, score: tf.reshape(tf.sub(z0, z1), [-1]) as tf.Tensor1D };
}

/** The batch loss: AVTS's contrastive loss, or the cross-entropy of the sync head. */
export function avtsLoss(m: AvtsModel, b: AvtsBatch, c: Pick<AvtsTrainConfig, 'loss' | 'margin'>, training: boolean): tf.Scalar {
  return tf.tidy(() => {
    const { fv, fa } = embed(m, b, training);
    if (c.loss === 'contrastive') return avtsContrastiveLoss(fv, fa, b.y, c.margin);
    return crossEntropy(m.head.apply(tf.concat([fa, fv], 1), { training }) as tf.Tensor2D, b.y);
  });
}

/** Scores of fixed pairs, in the pairs' order. */
export interface PairScores {
  pairs: AvPair[];
  /** Out-of-sync score per pair (distance, or z₀ − z₁). */
  score: Float32Array;
  /** Per-pair loss. */
  loss: Float32Array;
}

/** Scores every pair in eval mode, `batch` pairs at a time, read back once per batch. */
export async function scorePairs(m: AvtsModel, clips: readonly AvClipFeatures[], pairs: readonly AvPair[], c: Pick<AvtsTrainConfig, 'loss' | 'margin' | 'pairs'>, batch = 64): Promise<PairScores> {
  const score = new Float32Array(pairs.length);
  const loss = new Float32Array(pairs.length);
  const F = c.pairs.windowFrames;
  for (let start = 0; start < pairs.length; start += batch) {
    const part = pairs.slice(start, start + batch);
    const out = tf.tidy(() => {
      const b: AvtsBatch = {
        video: windowTensor(clips, part.map((p) => [p.videoClip, p.videoStart] as const), F, 'video') as tf.Tensor5D,
        audio: windowTensor(clips, part.map((p) => [p.audioClip, p.audioStart] as const), F, 'audio') as tf.Tensor4D,
        y: tf.tensor1d(part.map((p) => p.label), 'int32'),
      };
      const t = pairTerms(m, b, c, false);
      return tf.stack([t.score, t.perPair]);
    });
    const v = await out.data();
    out.dispose();
    score.set(v.subarray(0, part.length), start);
    loss.set(v.subarray(part.length), start);
  }
  return { pairs: pairs.slice(), score, loss };
}

/** AUC of separating positives (low score) from negatives (high score): P(s_neg > s_pos) + ½ P(tie). */
export function syncAuc(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  const all = [...Array.from(pos, (s) => [s, 1] as const), ...Array.from(neg, (s) => [s, 0] as const)].sort((a, b) => a[0] - b[0]);
  // Mann–Whitney U with mid-ranks for ties.
  let rankSumNeg = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const mid = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 0) rankSumNeg += mid;
    i = j;
  }
  return (rankSumNeg - (neg.length * (neg.length + 1)) / 2) / (pos.length * neg.length);
}

/** Sync metrics of scored pairs at threshold τ: per negative type accuracy and AUC, per kind mean loss. */
export function syncMetrics(s: PairScores, threshold: number): Record<string, number> {
  const by = (k: PairKind) => s.pairs.map((p, i) => (p.kind === k ? i : -1)).filter((i) => i >= 0);
  const pos = by('positive');
  const posScores = pos.map((i) => s.score[i]);
  const posAcc = posScores.filter((v) => v < threshold).length / Math.max(pos.length, 1);
  const out: Record<string, number> = { acc_positive: posAcc, loss_positive: mean(pos.map((i) => s.loss[i])) };
  const aucs: number[] = [];
  for (const k of NEGATIVE_KINDS) {
    const idx = by(k);
    if (idx.length === 0) continue;
    const negScores = idx.map((i) => s.score[i]);
    out[`acc_${k}`] = 0.5 * (posAcc + negScores.filter((v) => v >= threshold).length / idx.length);
    out[`auc_${k}`] = syncAuc(posScores, negScores);
    out[`loss_${k}`] = mean(idx.map((i) => s.loss[i]));
    if (k !== 'superhard') aucs.push(out[`auc_${k}`]);
  }
  out.auc = mean(aucs);
  return out;
}

function mean(v: readonly number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** The threshold a variant uses during training: η/2 on distances, 0 on z₀ − z₁. */
export function defaultThreshold(c: Pick<AvtsTrainConfig, 'loss' | 'margin'>): number {
  return c.loss === 'contrastive' ? c.margin / 2 : 0;
}

/**
 * τ maximising the mean over easy and hard negatives of the balanced sync accuracy on `s` (chosen on
 * validation pairs, applied to test pairs). Candidates: midpoints between sorted scores.
 */
export function chooseThreshold(s: PairScores): number {
  const sorted = Float32Array.from(s.score).sort();
  let best = -Infinity;
  let bestT = sorted[0];
  for (let i = 0; i + 1 < sorted.length; i++) {
    if (sorted[i] === sorted[i + 1]) continue;
    const t = (sorted[i] + sorted[i + 1]) / 2;
    const m = syncMetrics(s, t);
    const v = mean(['easy', 'hard'].filter((k) => `acc_${k}` in m).map((k) => m[`acc_${k}`]));
    if (v > best) {
      best = v;
      bestT = t;
    }
  }
  return bestT;
}

/** Validation data of the task: clips and fixed pairs with every negative type. */
export interface AvtsValidation {
  clips: readonly AvClipFeatures[];
  pairs: AvPair[];
}

/**
 * The `fit` task: nets are both encoders (and the sync head for the cross-entropy variant); the
 * validation metrics are `syncMetrics` at the training threshold, the loss their mean per-pair loss.
 */
export function avtsTask(m: AvtsModel, c: AvtsTrainConfig): FitTask<AvtsBatch, AvtsValidation> {
  return {
    nets: c.loss === 'contrastive' ? [m.video.net, m.audio.net] : [m.video.net, m.audio.net, m.head],
    loss: (b, training) => avtsLoss(m, b, c, training),
    evaluate: async (val) => {
      const s = await scorePairs(m, val.clips, val.pairs, c);
      return { loss: mean(Array.from(s.loss)), metrics: syncMetrics(s, defaultThreshold(c)) };
    },
  };
}

/** Fixed validation pairs of a configuration (seeded). */
export function validationPairs(clips: readonly AvClipFeatures[], c: Pick<AvtsTrainConfig, 'pairs' | 'seed'>): AvPair[] {
  return evaluationPairs(clips, c.pairs, new Rng(deriveSeed(c.seed, 'avts-val-pairs')));
}

/**
 * Trains the encoders with `fit`: Adam (PyTorch semantics), constant learning rate, the epoch with
 * the best validation AUC (mean over easy and hard negatives) kept, no early stop.
 */
export async function trainAvts(m: AvtsModel, train: readonly AvClipFeatures[], val: readonly AvClipFeatures[], c: AvtsTrainConfig, options: Omit<FitOptions, 'logLine'> = {}): Promise<FitResult> {
  if (train.length < 2 || val.length < 2) throw new InputError('trainAvts', 'needs at least two training and two validation clips');
  const config: FitConfig = { ...COURSE_TRAIN_CONFIG, seed: c.seed, lr: c.lr, weightDecay: c.weightDecay, batchSize: c.batchSize, maxEpochs: c.epochs, earlyStop: c.epochs, schedule: 'constant', select: { metric: 'auc', mode: 'max' } };
  return fit(avtsTask(m, c), avtsBatches(train, c.pairs, c.curriculum), { clips: val, pairs: validationPairs(val, c) }, config, { log: () => {}, ...options });
}

/** Audio → video retrieval among the positives' windows: recall@k for each k. */
export async function retrievalRecall(m: AvtsModel, clips: readonly AvClipFeatures[], positives: readonly AvPair[], c: Pick<AvtsTrainConfig, 'loss' | 'pairs'>, ks: readonly number[] = [1, 5, 10]): Promise<Record<number, number>> {
  const F = c.pairs.windowFrames;
  const n = positives.length;
  const scores = tf.tidy(() => {
    const fv = m.video.net.apply(windowTensor(clips, positives.map((p) => [p.videoClip, p.videoStart] as const), F, 'video'), { training: false }) as tf.Tensor2D;
    const fa = m.audio.net.apply(windowTensor(clips, positives.map((p) => [p.audioClip, p.audioStart] as const), F, 'audio'), { training: false }) as tf.Tensor2D;
    // Row i: audio i against every video j.
    const faRep = tf.reshape(tf.tile(tf.expandDims(fa, 1), [1, n, 1]), [n * n, -1]) as tf.Tensor2D;
    const fvRep = tf.tile(fv, [n, 1]) as tf.Tensor2D;
    if (c.loss === 'contrastive') return pairDistance(fvRep, faRep);
    const logits = m.head.apply(tf.concat([faRep, fvRep], 1), { training: false }) as tf.Tensor2D;
    const [z0, z1] = tf.split(logits, 2, 1);
    return tf.reshape(tf.sub(z0, z1), [-1]);
  });
  const s = await scores.data();
  scores.dispose();
  const out: Record<number, number> = {};
  for (const k of ks) {
    let hit = 0;
    for (let i = 0; i < n; i++) {
      const own = s[i * n + i];
      let better = 0;
      for (let j = 0; j < n; j++) if (j !== i && s[i * n + j] < own) better++;
      if (better < k) hit++;
    }
    out[k] = hit / n;
  }
  return out;
}

/** Accuracy against |δ|: the fraction of pairs at each |shift| classified correctly at τ. */
export function accuracyByShift(s: PairScores, threshold: number): { shift: number; accuracy: number; n: number }[] {
  const groups = new Map<number, number[]>();
  s.pairs.forEach((p, i) => {
    if (!Number.isFinite(p.shift)) return;
    const k = Math.abs(p.shift);
    const ok = p.label === 1 ? s.score[i] < threshold : s.score[i] >= threshold;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(ok ? 1 : 0);
  });
  return [...groups].sort((a, b) => a[0] - b[0]).map(([shift, v]) => ({ shift, accuracy: mean(v), n: v.length }));
}

/** The negative types a score set holds, in order. */
export function kindsIn(s: PairScores): NegativeKind[] {
  return NEGATIVE_KINDS.filter((k) => s.pairs.some((p) => p.kind === k));
}
