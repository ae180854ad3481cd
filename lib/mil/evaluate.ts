/**
 * Scoring a trained MIL model on a test set.
 *
 * **Classification** (clip level, as DCASE 2017 Task 4 scores it): a class is detected when its
 * probability reaches τ, one threshold for all classes chosen on the validation clips to maximise
 * micro F1; precision, recall and F1 per class, micro and macro (`multilabelScores`).
 *
 * **Localisation**, for every correctly detected class c of a clip (true positive) whose event has
 * the modality:
 *
 * - audio: the segment with the highest instance score for c is a *hit* when at least half of it
 *   (0.48 s) lies inside the event's sound interval;
 * - visual: the region with the highest instance score for c is a *hit* when its frame shows the
 *   object and its box overlaps the object's box with IoU ≥ 0.5; a *frame hit* only asks for the
 *   right frame (temporal accuracy of the visual pick).
 *
 * Beside each hit rate, its chance level: the fraction of the clip's instances that would be hits
 * (a random pick), averaged like the hit rate; and `proposalRecall`, the fraction of visible
 * (event, frame) pairs with some proposal at IoU ≥ 0.5, which bounds the region hit rate.
 *
 * Every score is also split into synchronised and unsynchronised clips.
 */
import { boxIoU, intervalOverlap } from '../metrics/localisation';
import { chooseMultilabelThreshold, multilabelScores, MultilabelScores, thresholdScores } from '../metrics/multilabel';
import { segmentSpan } from './features/audioSegments';
import { clipProposals, MilFeatures } from './features/instances';
import { labelRows, MilPrediction } from './models/milModel';

/** A hit rate with its count and chance level. */
export interface HitRate {
  hits: number;
  n: number;
  rate: number;
  chance: number;
}

/** Localisation hit rates of one set of clips. */
export interface LocalisationScores {
  audio: HitRate;
  region: HitRate;
  frame: HitRate;
}

/** Everything measured on one test set. */
export interface MilEvaluation {
  threshold: number;
  /** Micro F1 on the validation clips at the chosen threshold. */
  valF1: number;
  all: MultilabelScores;
  sync: MultilabelScores;
  unsync: MultilabelScores;
  localisation: { all: LocalisationScores; sync: LocalisationScores; unsync: LocalisationScores };
  proposalRecall: number;
  /** Detected classes per clip (0/1 rows). */
  predicted: Uint8Array[];
}

const rate = (hits: number, n: number, chanceSum: number): HitRate => ({ hits, n, rate: n ? hits / n : NaN, chance: n ? chanceSum / n : NaN });

/** Half of a segment inside the sound interval. */
function audioHit(k: number, span: [number, number], f: MilFeatures): boolean {
  const seg = segmentSpan(k, f.options.segments);
  return intervalOverlap(seg, span) >= 0.5 * (seg[1] - seg[0]);
}

/** Localisation of the clips `clips` (indices into `f`). */
export function localisationScores(f: MilFeatures, pred: MilPrediction, predicted: Uint8Array[], clips: readonly number[]): LocalisationScores {
  const { segments: S, frames: F, proposals: R } = f.dims;
  const C = f.classNames.length;
  const acc = { a: [0, 0, 0], r: [0, 0, 0], fr: [0, 0, 0] };
  for (const n of clips) {
    for (const e of f.truth[n].events) {
      const c = e.cls;
      if (!predicted[n][c]) continue;
      if (pred.audioScores && e.audio) {
        let best = 0;
        for (let s = 1; s < S; s++) if (pred.audioScores[(n * S + s) * C + c] > pred.audioScores[(n * S + best) * C + c]) best = s;
        let good = 0;
        for (let s = 0; s < S; s++) if (audioHit(s, e.audio, f)) good++;
        acc.a[0] += audioHit(best, e.audio, f) ? 1 : 0;
        acc.a[1]++;
        acc.a[2] += good / S;
      }
      if (pred.visualScores && e.frames.length > 0) {
        const I = F * R;
        let best = 0;
        for (let i = 1; i < I; i++) if (pred.visualScores[(n * I + i) * C + c] > pred.visualScores[(n * I + best) * C + c]) best = i;
        const isHit = (i: number) => {
          const k = Math.floor(i / R);
          const j = e.frames.indexOf(k);
          return j >= 0 && boxIoU(clipProposals(f, n, k)[i % R], e.boxes[j]) >= 0.5;
        };
        let good = 0;
        for (let i = 0; i < I; i++) if (isHit(i)) good++;
        acc.r[0] += isHit(best) ? 1 : 0;
        acc.r[1]++;
        acc.r[2] += good / I;
        acc.fr[0] += e.frames.includes(Math.floor(best / R)) ? 1 : 0;
        acc.fr[1]++;
        acc.fr[2] += e.frames.length / F;
      }
    }
  }
  return { audio: rate(acc.a[0], acc.a[1], acc.a[2]), region: rate(acc.r[0], acc.r[1], acc.r[2]), frame: rate(acc.fr[0], acc.fr[1], acc.fr[2]) };
}

/** Fraction of visible (event, frame) pairs with a proposal at IoU ≥ 0.5. */
export function proposalRecall(f: MilFeatures): number {
  let hit = 0;
  let n = 0;
  f.truth.forEach((t, c) => {
    for (const e of t.events) {
      e.frames.forEach((k, j) => {
        n++;
        if (clipProposals(f, c, k).some((b) => boxIoU(b, e.boxes[j]) >= 0.5)) hit++;
      });
    }
  });
  return n ? hit / n : NaN;
}

/** Scores test predictions with the threshold chosen on the validation predictions (see the module comment). */
export function evaluateMil(val: MilFeatures, valPred: MilPrediction, test: MilFeatures, testPred: MilPrediction): MilEvaluation {
  const t = chooseMultilabelThreshold(labelRows(val), valPred.probs);
  const truth = labelRows(test);
  const predicted = thresholdScores(testPred.probs, t.threshold);
  const idx = (sync: boolean) => test.truth.flatMap((x, n) => (x.synchronised === sync ? [n] : []));
  const subset = (ids: number[]) => multilabelScores(ids.map((n) => truth[n]), ids.map((n) => predicted[n]));
  const all = Array.from(test.truth.keys());
  return {
    threshold: t.threshold,
    valF1: t.score,
    all: multilabelScores(truth, predicted),
    sync: subset(idx(true)),
    unsync: subset(idx(false)),
    localisation: {
      all: localisationScores(test, testPred, predicted, all),
      sync: localisationScores(test, testPred, predicted, idx(true)),
      unsync: localisationScores(test, testPred, predicted, idx(false)),
    },
    proposalRecall: proposalRecall(test),
    predicted,
  };
}
