/**
 * Classification metrics on plain arrays, computed the way scikit-learn computes them (same
 * formulas, same zero-division rules, same summation order), so numbers and printed reports agree
 * with the course's Python evaluation to the last digit.
 *
 * Labels are class indices `0 .. numClasses-1`. Every metric covers all `numClasses` classes, as
 * scikit-learn does when called with `labels=range(numClasses)`: a class that occurs in neither
 * the truth nor the predictions still gets a row (all zeros) and still counts in the macro average.
 */

import { numpyMean, numpySum } from './numpySum';
import { formatFixed } from './pythonFormat';

/** Class indices, one per sample. */
export type Labels = Int32Array | readonly number[];

/** Class probabilities: row-major `N × C` in one typed array, or one row per sample. */
export type Probabilities = Float32Array | Float64Array | readonly ArrayLike<number>[];

/** float64 machine epsilon, scikit-learn's clipping bound for float64 probabilities. */
export const FLOAT64_EPS = 2 ** -52;

/** Precision, recall, F1 and support of one class or one average. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of samples whose true label is the class (for averages: all samples). */
  support: number;
}

/** Per-class scores plus the micro, macro and support-weighted averages. */
export interface PrecisionRecallF1 {
  perClass: Scores[];
  /** Pooled counts; for single-label data all three scores equal the accuracy. */
  micro: Scores;
  macro: Scores;
  weighted: Scores;
}

/** The numbers behind scikit-learn's `classification_report`. */
export interface ClassificationReport extends PrecisionRecallF1 {
  /** Fraction of samples whose prediction equals the truth. */
  accuracy: number;
}

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /**
   * Probabilities are clipped to `[eps, 1 - eps]` before the logarithm. Default: float64 machine
   * epsilon, what scikit-learn ≥ 1.2 uses for float64 input (older releases used 1e-15).
   */
  eps?: number;
  /**
   * Divide each clipped row by its sum, as scikit-learn < 1.5 does (the course's era and the
   * Debian/Ubuntu packages). scikit-learn ≥ 1.5 only clips: pass `false` to match it. Default true.
   */
  renormalize?: boolean;
}

function checkLabels(labels: Labels, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new RangeError(`${what}[${i}] = ${v} is not a class index in [0, ${numClasses})`);
    }
  }
}

function checkSameLength(yTrue: Labels, yPred: Labels): void {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
}

/** Row `i` of a probability matrix with `numClasses` columns, without copying typed arrays. */
function row(probs: Probabilities, i: number, numClasses: number): ArrayLike<number> {
  if (probs instanceof Float32Array || probs instanceof Float64Array) {
    return probs.subarray(i * numClasses, (i + 1) * numClasses);
  }
  return probs[i];
}

/** Number of columns of `probs` for `n` samples; throws when the shape is inconsistent. */
function columnCount(probs: Probabilities, n: number, numClasses?: number): number {
  if (probs instanceof Float32Array || probs instanceof Float64Array) {
    const c = numClasses ?? (n > 0 ? probs.length / n : NaN);
    if (!Number.isInteger(c) || c < 1 || probs.length !== n * c) {
      throw new RangeError(`a flat probability array of length ${probs.length} is not ${n} rows of ${numClasses ?? 'equal length'}`);
    }
    return c;
  }
  if (probs.length !== n) throw new RangeError(`probabilities have ${probs.length} rows, expected ${n}`);
  const c = numClasses ?? (n > 0 ? probs[0].length : 0);
  for (let i = 0; i < n; i++) {
    if (probs[i].length !== c) throw new RangeError(`probability row ${i} has ${probs[i].length} entries, expected ${c}`);
  }
  return c;
}

/**
 * Index of the largest probability in each row; the first one wins a tie, like `np.argmax`.
 * `numClasses` is required for a flat typed array.
 */
export function argmax(probs: Probabilities, numClasses?: number): Int32Array {
  const flat = probs instanceof Float32Array || probs instanceof Float64Array;
  if (flat && numClasses === undefined) throw new RangeError('argmax of a flat array needs numClasses');
  const n = flat ? Math.floor(probs.length / (numClasses as number)) : probs.length;
  const c = columnCount(probs, n, numClasses);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = row(probs, i, c);
    let best = 0;
    for (let k = 1; k < c; k++) if (r[k] > r[best]) best = k;
    out[i] = best;
  }
  return out;
}

/** Fraction of samples with `yPred[i] === yTrue[i]` (scikit-learn's `accuracy_score`). */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  if (yTrue.length === 0) throw new RangeError('accuracy of zero samples is undefined');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * Mean negative log-likelihood of the true class, as scikit-learn's `log_loss` with
 * `labels=range(C)`: clip every probability to `[eps, 1-eps]`, optionally renormalise each row
 * (see {@link LogLossOptions}), then average `-ln p[true]` over samples.
 */
export function logLoss(yTrue: Labels, probs: Probabilities, options: LogLossOptions = {}): number {
  const eps = options.eps ?? FLOAT64_EPS;
  const renormalize = options.renormalize ?? true;
  const n = yTrue.length;
  if (n === 0) throw new RangeError('log loss of zero samples is undefined');
  if (!(eps >= 0 && eps < 0.5)) throw new RangeError(`log loss eps must be in [0, 0.5), got ${eps}`);
  const c = columnCount(probs, n);
  if (c < 2) throw new RangeError(`log loss needs at least two classes, got ${c}`);
  checkLabels(yTrue, c, 'yTrue');
  const clipped = new Float64Array(c);
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = row(probs, i, c);
    for (let k = 0; k < c; k++) {
      const p = r[k];
      if (!Number.isFinite(p)) throw new RangeError(`probability [${i}][${k}] is ${p}`);
      clipped[k] = Math.min(Math.max(p, eps), 1 - eps);
    }
    const p = renormalize ? clipped[yTrue[i]] / numpySum(clipped) : clipped[yTrue[i]];
    losses[i] = -Math.log(p);
  }
  return numpyMean(losses);
}

/** `numClasses × numClasses` counts; `matrix[t][p]` = samples of true class t predicted as p. */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses: number): number[][] {
  checkSameLength(yTrue, yPred);
  checkLabels(yTrue, numClasses, 'yTrue');
  checkLabels(yPred, numClasses, 'yPred');
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** scikit-learn's `_prf_divide` with zero_division=0: 0 where the denominator is 0. */
function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** F1 written as scikit-learn ≤ 1.2 writes F-beta with beta=1, so rounding matches too. */
function f1Score(precision: number, recall: number): number {
  const denominator = precision + recall;
  return (2 * precision * recall) / (denominator === 0 ? 1 : denominator);
}

/**
 * Per-class precision, recall, F1 and support with their averages, as scikit-learn's
 * `precision_recall_fscore_support(..., labels=range(numClasses), zero_division=0)`. A class never
 * predicted has precision 0; a class absent from the truth has recall 0 (and support 0).
 */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, numClasses: number): PrecisionRecallF1 {
  const m = confusionMatrix(yTrue, yPred, numClasses);
  const tp = m.map((r, k) => r[k]);
  const trueSum = m.map((r) => r.reduce((a, b) => a + b, 0));
  const predSum = tp.map((_, k) => m.reduce((a, r) => a + r[k], 0));
  const perClass = tp.map((t, k): Scores => {
    const precision = divide(t, predSum[k]);
    const recall = divide(t, trueSum[k]);
    return { precision, recall, f1: f1Score(precision, recall), support: trueSum[k] };
  });
  const total = yTrue.length;

  const allTp = tp.reduce((a, b) => a + b, 0);
  const microP = divide(allTp, total);
  const microR = divide(allTp, total);
  const micro: Scores = { precision: microP, recall: microR, f1: f1Score(microP, microR), support: total };

  const column = (key: 'precision' | 'recall' | 'f1'): number[] => perClass.map((s) => s[key]);
  const macro: Scores = {
    precision: numpyMean(column('precision')),
    recall: numpyMean(column('recall')),
    f1: numpyMean(column('f1')),
    support: total,
  };

  // np.average(values, weights=support): NumPy-ordered sum of products over the summed weights.
  const weightTotal = numpySum(trueSum);
  const weightedMean = (values: number[]): number =>
    weightTotal === 0 ? 0 : numpySum(values.map((v, k) => v * trueSum[k])) / weightTotal;
  const weighted: Scores = {
    precision: weightedMean(column('precision')),
    recall: weightedMean(column('recall')),
    f1: weightedMean(column('f1')),
    support: total,
  };
  return { perClass, micro, macro, weighted };
}

/** Everything scikit-learn's `classification_report` prints, as numbers. */
export function classificationReport(yTrue: Labels, yPred: Labels, numClasses: number): ClassificationReport {
  return { ...precisionRecallF1(yTrue, yPred, numClasses), accuracy: accuracy(yTrue, yPred) };
}

/**
 * The report as text, byte-identical to scikit-learn's `classification_report(y_true, y_pred,
 * labels=range(C), target_names=classNames, digits=digits)`; ends with a newline. The accuracy row
 * shows the micro-averaged F1, as scikit-learn's does. One deliberate difference: when a class
 * occurs in neither the truth nor the predictions scikit-learn renames that row "micro avg" and
 * fills all three columns; it is always the accuracy row here (the value is the same).
 */
export function formatClassificationReport(
  report: ClassificationReport,
  classNames: readonly string[],
  digits = 2,
): string {
  if (classNames.length !== report.perClass.length) {
    throw new RangeError(`${classNames.length} class names for a report of ${report.perClass.length} classes`);
  }
  const lastHeading = 'weighted avg';
  const width = Math.max(...classNames.map((n) => n.length), lastHeading.length, digits);
  const cell = (text: string): string => ` ${text.padStart(9)}`;
  const scoreRow = (name: string, s: Scores): string =>
    `${name.padStart(width)} ` +
    [s.precision, s.recall, s.f1].map((v) => cell(formatFixed(v, digits))).join('') +
    `${cell(String(s.support))}\n`;

  let text = `${''.padStart(width)} ` + ['precision', 'recall', 'f1-score', 'support'].map(cell).join('') + '\n\n';
  classNames.forEach((name, k) => (text += scoreRow(name, report.perClass[k])));
  text += '\n';
  text += `${'accuracy'.padStart(width)} ${cell('')}${cell('')}${cell(formatFixed(report.micro.f1, digits))}${cell(String(report.micro.support))}\n`;
  text += scoreRow('macro avg', report.macro);
  text += scoreRow('weighted avg', report.weighted);
  return text;
}
