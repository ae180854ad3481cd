/**
 * Multi-label classification scores, as scikit-learn's `precision_recall_fscore_support` computes
 * them for `y_true`, `y_pred` indicator matrices (N examples × C classes), with
 * `zero_division=0`:
 *
 *   per class c:  P_c = TP_c / (TP_c + FP_c),  R_c = TP_c / (TP_c + FN_c),  F1_c = 2 P_c R_c / (P_c + R_c)
 *   micro:        the same ratios on the counts summed over classes (every decision weighs the same)
 *   macro:        the unweighted mean of the per-class values (every class weighs the same)
 *
 * A ratio with a zero denominator is 0. Predictions come from scores and a threshold
 * (`score ≥ τ`); `chooseMultilabelThreshold` picks τ on validation data (the DCASE 2017 Task 4 protocol
 * scores F1 on thresholded clip predictions).
 */

/** Counts and scores of one class. */
export interface ClassScore {
  tp: number;
  fp: number;
  fn: number;
  /** Examples carrying the class (TP + FN). */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 of an average. */
export interface AveragedScore {
  precision: number;
  recall: number;
  f1: number;
}

/** `multilabelScores`' result. */
export interface MultilabelScores {
  perClass: ClassScore[];
  micro: AveragedScore;
  macro: AveragedScore;
}

/** An indicator or score matrix: one row per example, one value per class. */
export type LabelMatrix = readonly ArrayLike<number>[];

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

function checkShapes(where: string, a: LabelMatrix, b: LabelMatrix): number {
  if (a.length !== b.length) throw new RangeError(`${where}: ${a.length} true rows but ${b.length} predicted`);
  if (a.length === 0) throw new RangeError(`${where}: no examples`);
  const c = a[0].length;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== c || b[i].length !== c) throw new RangeError(`${where}: row ${i} has ${a[i].length} true and ${b[i].length} predicted values, expected ${c}`);
  }
  return c;
}

/** Per-class, micro and macro precision/recall/F1 of indicator matrices (nonzero = positive). */
export function multilabelScores(yTrue: LabelMatrix, yPred: LabelMatrix): MultilabelScores {
  const C = checkShapes('multilabelScores', yTrue, yPred);
  const perClass: ClassScore[] = [];
  let TP = 0;
  let FP = 0;
  let FN = 0;
  for (let c = 0; c < C; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i][c] !== 0;
      const p = yPred[i][c] !== 0;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    perClass.push({ tp, fp, fn, support: tp + fn, precision, recall, f1: f1Of(precision, recall) });
    TP += tp;
    FP += fp;
    FN += fn;
  }
  const mp = ratio(TP, TP + FP);
  const mr = ratio(TP, TP + FN);
  const mean = (k: 'precision' | 'recall' | 'f1') => perClass.reduce((s, x) => s + x[k], 0) / C;
  return { perClass, micro: { precision: mp, recall: mr, f1: f1Of(mp, mr) }, macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') } };
}

/** Indicator predictions `score ≥ τ`, with one τ for all classes or one per class. */
export function thresholdScores(scores: LabelMatrix, threshold: number | readonly number[]): Uint8Array[] {
  return scores.map((row) => Uint8Array.from(Array.from(row, (s, c) => (s >= (typeof threshold === 'number' ? threshold : threshold[c]) ? 1 : 0))));
}

/** Options of `chooseMultilabelThreshold`. */
export interface MultilabelThresholdOptions {
  /** What τ maximises (default micro F1). */
  metric?: 'microF1' | 'macroF1';
  /** At most this many candidate thresholds, spread over the score quantiles (default 200). */
  maxCandidates?: number;
}

/** The chosen threshold and the score it reaches on the data it was chosen on. */
export interface MultilabelThreshold {
  threshold: number;
  score: number;
}

/**
 * One threshold for every class that maximises micro (or macro) F1 of `score ≥ τ` on
 * (validation) data. Candidates are midpoints between consecutive distinct scores (thinned to
 * `maxCandidates` quantiles); ties go to the candidate nearest the median of the tied ones.
 */
export function chooseMultilabelThreshold(yTrue: LabelMatrix, scores: LabelMatrix, options: MultilabelThresholdOptions = {}): MultilabelThreshold {
  checkShapes('chooseMultilabelThreshold', yTrue, scores);
  const metric = options.metric ?? 'microF1';
  const all = [...new Set(scores.flatMap((r) => Array.from(r)))].sort((a, b) => a - b);
  let candidates = all.length < 2 ? [all[0]] : all.slice(1).map((v, i) => (v + all[i]) / 2);
  const cap = options.maxCandidates ?? 200;
  if (candidates.length > cap) candidates = Array.from({ length: cap }, (_, k) => candidates[Math.round((k * (candidates.length - 1)) / (cap - 1))]);
  const scored = candidates.map((t) => {
    const s = multilabelScores(yTrue, thresholdScores(scores, t));
    return { threshold: t, score: metric === 'microF1' ? s.micro.f1 : s.macro.f1 };
  });
  const best = Math.max(...scored.map((s) => s.score));
  const tied = scored.filter((s) => s.score === best);
  return tied[Math.floor((tied.length - 1) / 2)];
}
