/**
 * The course kit's evaluation files: `prediction.csv` (one row per test clip with the predicted
 * and true scene and one probability column per class) and `result.txt` (scikit-learn's
 * classification report followed by accuracy and log loss). Reading and writing them here lets
 * avlab results be compared line by line with results produced by the course's Python code.
 */

import * as fs from 'fs';
import { SCENE_CLASSES } from './data/types';
import { InputError } from '../util/errors';
import { writeFileAtomic } from '../io/files';
import {
  FLOAT64_EPS,
  argmax,
  classificationReport,
  formatClassificationReport,
  logLoss,
  type ClassificationReport,
  type Labels,
  type Probabilities,
} from '../metrics/classification';
import { numpyMean, numpySum } from '../metrics/numpySum';
import { formatFixed } from '../metrics/pythonFormat';
import type { EpochRecord } from '../training/fit';

/** The columns before the per-class probabilities, in the course's order. */
export const PREDICTION_ID_COLUMNS = ['aid', 'scene_pred', 'scene_label'] as const;

/**
 * How far a row's probabilities may sum from 1 before a warning. The course writes probabilities
 * with three decimals, so rounding alone moves a 10-class row's sum by up to 0.005; rows further
 * off (two decimals, logits) are still scored, as the course's scikit-learn scores them, but
 * reported.
 */
export const PROBABILITY_SUM_TOLERANCE = 1e-2;

/** Header names pandas gives an unnamed leading index column (`to_csv` with `index=True`). */
const INDEX_COLUMN = /^(?:|Unnamed: 0)$/;

/** One clip of a prediction file. */
export interface PredictionRow {
  /** Clip id (the course's `aid`). */
  aid: string;
  /** Predicted class name. */
  scenePred: string;
  /** True class name. */
  sceneLabel: string;
  /** One probability per class, in class-name order. */
  probabilities: ArrayLike<number>;
}

/**
 * A prediction file as read: the class names (in the caller's order) and its rows (row `i` is on
 * line `i + 2`). `sceneLabel` is absent when the file has no `scene_label` column.
 */
export interface PredictionFile {
  file: string;
  classes: string[];
  rows: Array<Omit<PredictionRow, 'sceneLabel'> & { sceneLabel?: string; probabilities: number[] }>;
  /** Whether the file has a `scene_label` column. */
  hasLabels: boolean;
  /** Whether a leading pandas index column (header `` or `Unnamed: 0`) was skipped. */
  indexColumn: boolean;
  /** Rows whose probabilities sum to 1 only outside {@link PROBABILITY_SUM_TOLERANCE}. */
  offSum: Array<{ line: number; sum: number }>;
}

/** Options of {@link readPredictionCsv}. */
export interface ReadPredictionOptions {
  /** Whether `scene_label` must be present (default true). */
  requireLabels?: boolean;
}

/** Options of {@link formatPredictionCsv}. */
export interface PredictionCsvOptions {
  /**
   * Decimals per probability. Default 3, as the course writes them (`float_format="%.3f"`); note
   * that a probability below 0.0005 then reads back as 0 and is clipped by the log loss, so use
   * more decimals for files only avlab reads.
   */
  decimals?: number;
}

/** Everything `result.txt` reports, plus the text itself. */
export interface Evaluation {
  report: ClassificationReport;
  accuracy: number;
  logLoss: number;
  text: string;
}

/**
 * How the log loss clips probabilities, named after the scikit-learn behaviour it reproduces:
 * - `float32` (default): scikit-learn ≥ 1.2 on float32 probabilities, what the course's
 *   evaluate.py passes (the model's softmax): clip to [ε, 1 − ε] with the float32 machine epsilon
 *   (1.1920929e-07) and renormalise, in float32 arithmetic;
 * - `float64`: scikit-learn ≥ 1.2 on float64 probabilities, what the course's eval_prediction.py
 *   passes (prediction.csv read with pandas): ε = 2.220446e-16;
 * - `sklearn<1.2`: scikit-learn ≤ 1.1 (any dtype): ε = 1e-15, rows always renormalised;
 * - a number: that ε, in float64.
 */
export type LogLossEps = 'float32' | 'float64' | 'sklearn<1.2' | number;

/** The named {@link LogLossEps} modes, for help texts and argument checks. */
export const LOG_LOSS_EPS_NAMES = ['float32', 'float64', 'sklearn<1.2'] as const;

/** float32 machine epsilon (`np.finfo(np.float32).eps`). */
export const FLOAT32_EPS = 2 ** -23;

/** Options of {@link courseLogLoss}. */
export interface CourseLogLossOptions {
  /** Clipping (see {@link LogLossEps}); default `float32`. */
  eps?: LogLossEps;
  /**
   * Divide each clipped row by its sum, as scikit-learn < 1.5 does (default true). scikit-learn
   * ≥ 1.5 only clips: pass false to match it. Not allowed with `sklearn<1.2`.
   */
  renormalize?: boolean;
}

/** Options of {@link evaluatePredictionFile}. */
export interface EvaluateOptions {
  /** Class names expected as probability columns; default {@link SCENE_CLASSES}. */
  classNames?: readonly string[];
  logLoss?: CourseLogLossOptions;
  /**
   * The course's label file (`fold1_evaluate.csv`: tab-separated, header, columns
   * `filename_audio` and `scene_label`), joined to the predictions by clip id; it is the truth
   * whether or not the prediction file has a `scene_label` column. Without it the prediction file
   * must have one.
   */
  labels?: string;
  /** Receives warnings (rows not summing to 1, label-file clips without a prediction). */
  warn?: (message: string) => void;
}

/** NumPy's pairwise sum of float32 values in float32 arithmetic (`np.sum` on a float32 row). */
function numpySumFloat32(values: Float32Array): number {
  const f = Math.fround;
  const n = values.length;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + values[i]);
    return res;
  }
  if (n > 128) throw new RangeError(`float32 row sums are implemented for up to 128 classes, got ${n}`);
  const r = values.slice(0, 8);
  let i = 8;
  for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j] + values[i + j]);
  let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
  for (; i < n; i++) res = f(res + values[i]);
  return res;
}

/**
 * scikit-learn's `log_loss(y_true, y_pred, labels=range(C))` with the clipping named by
 * `options.eps` (see {@link LogLossEps}). In `float32` mode the probabilities are first rounded to
 * float32 and clipped and renormalised in float32, as NumPy does for a float32 array; the
 * logarithms and the mean are float64, as in scikit-learn.
 */
export function courseLogLoss(yTrue: Labels, probs: Probabilities, options: CourseLogLossOptions = {}): number {
  const eps = options.eps ?? 'float32';
  if (eps === 'sklearn<1.2') {
    if (options.renormalize === false) throw new RangeError('scikit-learn < 1.2 always renormalises: renormalize=false does not apply');
    return logLoss(yTrue, probs, { eps: 1e-15, renormalize: true });
  }
  if (eps === 'float64') return logLoss(yTrue, probs, { eps: FLOAT64_EPS, renormalize: options.renormalize });
  if (typeof eps === 'number') return logLoss(yTrue, probs, { eps, renormalize: options.renormalize });
  if (eps !== 'float32') throw new RangeError(`log-loss eps must be a number or one of ${LOG_LOSS_EPS_NAMES.join(', ')}, got ${String(eps)}`);
  const renormalize = options.renormalize ?? true;
  const n = yTrue.length;
  if (n === 0) throw new RangeError('log loss of zero samples is undefined');
  const typed = probs instanceof Float32Array || probs instanceof Float64Array;
  const c = typed ? probs.length / n : (probs as readonly ArrayLike<number>[])[0]?.length;
  if (!Number.isInteger(c) || c < 2) throw new RangeError(`log loss needs at least two classes and a consistent shape, got ${c} columns`);
  if (!typed && (probs as readonly ArrayLike<number>[]).length !== n) throw new RangeError(`${n} labels but ${(probs as readonly ArrayLike<number>[]).length} probability rows`);
  const f = Math.fround;
  const lo = f(FLOAT32_EPS);
  const hi = f(1 - FLOAT32_EPS);
  const row = new Float32Array(c);
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new RangeError(`yTrue[${i}] = ${y} is not a class index in [0, ${c})`);
    const src = typed ? (probs as Float32Array | Float64Array).subarray(i * c, (i + 1) * c) : (probs as readonly ArrayLike<number>[])[i];
    if (src.length !== c) throw new RangeError(`probability row ${i} has ${src.length} values, expected ${c}`);
    for (let k = 0; k < c; k++) {
      const p = src[k];
      if (!Number.isFinite(p)) throw new RangeError(`probability [${i}][${k}] is ${p}`);
      row[k] = Math.min(Math.max(f(p), lo), hi);
    }
    const p = renormalize ? f(row[y] / numpySumFloat32(row)) : row[y];
    losses[i] = -Math.log(p);
  }
  return numpyMean(losses);
}

/**
 * Rows in the course's format from model outputs: `scene_pred` is the most probable class, as in
 * the course's evaluation script.
 */
export function toPredictionRows(
  ids: readonly string[],
  yTrue: Labels,
  probs: Probabilities,
  classNames: readonly string[] = SCENE_CLASSES,
): PredictionRow[] {
  if (ids.length !== yTrue.length) throw new RangeError(`${ids.length} ids but ${yTrue.length} labels`);
  const c = classNames.length;
  const predicted = argmax(probs, c);
  if (predicted.length !== ids.length) throw new RangeError(`${ids.length} ids but ${predicted.length} probability rows`);
  return ids.map((aid, i) => ({
    aid,
    scenePred: classNames[predicted[i]],
    sceneLabel: classNames[yTrue[i]],
    probabilities:
      probs instanceof Float32Array || probs instanceof Float64Array ? probs.subarray(i * c, (i + 1) * c) : probs[i],
  }));
}

/** The text of a prediction file: tab-separated, header first, one line per row, `\n` endings. */
export function formatPredictionCsv(
  rows: readonly PredictionRow[],
  classNames: readonly string[] = SCENE_CLASSES,
  options: PredictionCsvOptions = {},
): string {
  const decimals = options.decimals ?? 3;
  const known = new Set(classNames);
  const lines = [[...PREDICTION_ID_COLUMNS, ...classNames].join('\t')];
  rows.forEach((r, i) => {
    // The reader does not unquote fields, so characters that would need quoting are refused here.
    if (/[\t\r\n"]/.test(r.aid) || r.aid === '') throw new RangeError(`row ${i}: aid ${JSON.stringify(r.aid)} cannot be written`);
    for (const name of [r.scenePred, r.sceneLabel]) {
      if (!known.has(name)) throw new RangeError(`row ${i}: "${name}" is not one of the class names`);
    }
    if (r.probabilities.length !== classNames.length) {
      throw new RangeError(`row ${i}: ${r.probabilities.length} probabilities for ${classNames.length} classes`);
    }
    const cells = Array.from(r.probabilities, (p, k) => {
      if (!Number.isFinite(p)) throw new RangeError(`row ${i}: probability of ${classNames[k]} is ${p}`);
      return formatFixed(p, decimals);
    });
    lines.push([r.aid, r.scenePred, r.sceneLabel, ...cells].join('\t'));
  });
  return lines.join('\n') + '\n';
}

/** Writes a prediction file atomically (see {@link formatPredictionCsv} for the format). */
export function writePredictionCsv(
  file: string,
  rows: readonly PredictionRow[],
  classNames: readonly string[] = SCENE_CLASSES,
  options: PredictionCsvOptions = {},
): void {
  writeFileAtomic(file, formatPredictionCsv(rows, classNames, options));
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN = /^[+-]?nan$/i;
const INF = /^[+-]?inf(?:inity)?$/i;

/** Reads the whole file, turning file-system failures into errors that name the file. */
function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(file, 'file not found');
    if (code === 'EISDIR') throw new InputError(file, 'is a directory, not a prediction file');
    throw new InputError(file, `cannot be read (${(err as Error).message})`);
  }
}

/** The header's layout: column positions, field count, and which optional columns are present. */
interface Header {
  positions: Map<string, number>;
  fieldCount: number;
  indexColumn: boolean;
  hasLabels: boolean;
}

/** Maps header names to column positions, or throws naming what is missing, unknown or repeated. */
function parseHeader(file: string, header: string, classNames: readonly string[], requireLabels: boolean): Header {
  const expected = [...PREDICTION_ID_COLUMNS, ...classNames];
  const where = 'line 1';
  if (header.trim() === '') throw new InputError(file, `header is empty; expected the columns ${expected.join(', ')}`, where);
  if (!header.includes('\t') && header.includes(',')) {
    throw new InputError(file, 'header looks comma-separated; prediction files must be tab-separated', where);
  }
  const all = header.split('\t');
  // pandas' to_csv writes its index first, under an empty name (or "Unnamed: 0" once read back).
  const indexColumn = all.length > expected.length - 1 && INDEX_COLUMN.test(all[0]) && !expected.includes(all[0]);
  const names = indexColumn ? all.slice(1) : all;
  const offset = indexColumn ? 1 : 0;
  const positions = new Map<string, number>();
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) throw new InputError(file, `column(s) ${quoteList(repeated)} appear more than once`, where);
  names.forEach((n, i) => positions.set(n, i + offset));
  const hasLabels = positions.has('scene_label');
  const missing = expected.filter((n) => !positions.has(n));
  if (missing.length > 0 && (requireLabels || missing.some((n) => n !== 'scene_label'))) {
    const hint = missing.includes('scene_label') ? ' (a file without scene_label is scored against the course\'s label file: avlab evaluate --labels fold1_evaluate.csv)' : '';
    throw new InputError(file, `missing column(s) ${quoteList(missing)}${hint}`, where);
  }
  const unknown = names.filter((n) => !expected.includes(n));
  if (unknown.length > 0) {
    throw new InputError(file, `unknown column(s) ${quoteList(unknown)}; expected exactly ${expected.join(', ')} (and optionally a leading pandas index column)`, where);
  }
  return { positions, fieldCount: all.length, indexColumn, hasLabels };
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/** Parses one probability cell, throwing an error that names the line and column. */
function parseProbability(file: string, text: string, where: string): number {
  if (text === '') throw new InputError(file, 'probability is empty', where);
  if (NAN.test(text)) throw new InputError(file, 'probability is NaN', where);
  if (INF.test(text)) throw new InputError(file, 'probability is infinite', where);
  if (!NUMBER.test(text)) throw new InputError(file, `probability ${JSON.stringify(text)} is not a number`, where);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InputError(file, `probability ${text} is out of range`, where);
  if (value < 0) throw new InputError(file, `probability ${text} is negative`, where);
  return value;
}

/**
 * Reads and validates a course-format prediction file (tab-separated; columns `aid`, `scene_pred`,
 * `scene_label` and one probability column per class, in any order; `scene_label` may be left out
 * with `requireLabels: false`; a leading pandas index column is skipped). Probabilities are
 * returned in `classNames` order. Any defect (missing file, bad header, wrong field count, unknown
 * class name, empty or repeated aid, a probability that is not a finite non-negative number, no
 * rows) throws an InputError naming the file and line. Rows not summing to 1 within
 * {@link PROBABILITY_SUM_TOLERANCE} are kept and listed in `offSum`. `scene_pred` need not be the
 * row's most probable class: it is taken as given.
 */
export function readPredictionCsv(
  file: string,
  classNames: readonly string[] = SCENE_CLASSES,
  options: ReadPredictionOptions = {},
): PredictionFile {
  const lines = readLines(file, 'one line per clip');
  const { positions, fieldCount, indexColumn, hasLabels } = parseHeader(file, lines[0], classNames, options.requireLabels ?? true);
  if (lines.length === 1) throw new InputError(file, 'has a header but no prediction rows', 'line 2');

  const known = new Set(classNames);
  const firstSeen = new Map<string, number>();
  const rows: PredictionFile['rows'] = [];
  const offSum: PredictionFile['offSum'] = [];
  const column = (name: string): number => positions.get(name) as number;
  for (let l = 1; l < lines.length; l++) {
    const where = `line ${l + 1}`;
    const line = lines[l];
    if (line === '') throw new InputError(file, 'blank line between prediction rows', where);
    const fields = line.split('\t');
    if (fields.length !== fieldCount) {
      const hint = fields.length === 1 && line.includes(',') ? '; it looks comma-separated, but fields must be tab-separated' : '';
      throw new InputError(file, `has ${fields.length} tab-separated fields, expected ${fieldCount}${hint}`, where);
    }
    const aid = fields[column('aid')];
    if (aid === '') throw new InputError(file, 'aid is empty', `${where}, column "aid"`);
    const previous = firstSeen.get(aid);
    if (previous !== undefined) throw new InputError(file, `aid "${aid}" already appears on line ${previous}`, `${where}, column "aid"`);
    firstSeen.set(aid, l + 1);
    const [scenePred, sceneLabel] = (hasLabels ? (['scene_pred', 'scene_label'] as const) : (['scene_pred'] as const)).map((name) => {
      const value = fields[column(name)];
      if (!known.has(value)) {
        throw new InputError(file, `unknown class ${JSON.stringify(value)}; expected one of ${classNames.join(', ')}`, `${where}, column "${name}"`);
      }
      return value;
    });
    const probabilities = classNames.map((name) => parseProbability(file, fields[column(name)], `${where}, column "${name}"`));
    const sum = numpySum(probabilities);
    if (!(Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE)) offSum.push({ line: l + 1, sum });
    rows.push(hasLabels ? { aid, scenePred, sceneLabel, probabilities } : { aid, scenePred, probabilities });
  }
  return { file, classes: [...classNames], rows, hasLabels, indexColumn, offSum };
}

/**
 * The file's lines without BOM, `\r` and trailing empty lines; throws when there is nothing but
 * (at most) a header. `what` says what the lines after the header hold.
 */
function readLines(file: string, what: string): string[] {
  let text = readText(file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError(file, `file is empty; expected a header line and ${what}`, 'line 1');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The columns of the course's DCASE label files that {@link readCourseLabels} uses. */
export const LABEL_FILE_COLUMNS = ['filename_audio', 'scene_label'] as const;

/** `Path(x).stem` in Python: the last path component without its last suffix. */
function pathStem(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Reads the course's label file (`evaluation_setup/fold1_evaluate.csv`, or any DCASE meta file
 * with a header: tab-separated `filename_audio  filename_video  scene_label`, other columns
 * ignored) into clip id → `{ label, line }`, the id being `filename_audio`'s stem as the course's
 * eval_prediction.py takes it (`audio/airport-lisbon-1000-40000.wav` → `airport-lisbon-1000-40000`).
 * Missing columns, wrong field counts, unknown scene labels and repeated ids are InputErrors
 * naming the file and line.
 */
export function readCourseLabels(file: string, classNames: readonly string[] = SCENE_CLASSES): Map<string, { label: string; line: number }> {
  const lines = readLines(file, 'one line per clip (filename_audio, filename_video, scene_label)');
  const header = lines[0].split('\t');
  if (header.length === 1 && lines[0].includes(',')) {
    throw new InputError(file, 'header looks comma-separated; the course\'s label files are tab-separated', 'line 1');
  }
  const missing = LABEL_FILE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError(file, `missing column(s) ${quoteList(missing)}; expected a DCASE label file with the header filename_audio, filename_video, scene_label`, 'line 1');
  }
  const audioCol = header.indexOf('filename_audio');
  const labelCol = header.indexOf('scene_label');
  const known = new Set(classNames);
  const out = new Map<string, { label: string; line: number }>();
  if (lines.length === 1) throw new InputError(file, 'has a header but no clips', 'line 2');
  for (let l = 1; l < lines.length; l++) {
    const where = `line ${l + 1}`;
    if (lines[l] === '') throw new InputError(file, 'blank line between clips', where);
    const fields = lines[l].split('\t');
    if (fields.length !== header.length) throw new InputError(file, `has ${fields.length} tab-separated fields, expected ${header.length}`, where);
    const id = pathStem(fields[audioCol]);
    if (id === '') throw new InputError(file, 'filename_audio is empty', `${where}, column "filename_audio"`);
    const label = fields[labelCol];
    if (!known.has(label)) {
      throw new InputError(file, `unknown class ${JSON.stringify(label)}; expected one of ${classNames.join(', ')}`, `${where}, column "scene_label"`);
    }
    const before = out.get(id);
    if (before) throw new InputError(file, `clip "${id}" already appears on line ${before.line}`, `${where}, column "filename_audio"`);
    out.set(id, { label, line: l + 1 });
  }
  return out;
}

/**
 * The course's `result.txt`: what its evaluation script prints, i.e. the classification report
 * (two digits), a line holding two spaces, then `accuracy: 0.xxx` and `overall log loss: x.xxx`.
 */
export function formatResultTxt(
  report: ClassificationReport,
  accuracy: number,
  logLossValue: number,
  classNames: readonly string[] = SCENE_CLASSES,
): string {
  return (
    `${formatClassificationReport(report, classNames, 2)}\n` +
    '  \n' +
    `accuracy: ${formatFixed(accuracy, 3)}\n` +
    `overall log loss: ${formatFixed(logLossValue, 3)}\n`
  );
}

/**
 * Scores a prediction file as the course does: the report and accuracy compare `scene_pred` with
 * `scene_label`; the log loss uses the probability columns (see {@link logLoss} for its options).
 */
export function evaluatePredictionFile(file: string, options: EvaluateOptions = {}): Evaluation {
  const classNames = options.classNames ?? SCENE_CLASSES;
  const table = readPredictionCsv(file, classNames, { requireLabels: options.labels === undefined });
  const truth = options.labels === undefined ? undefined : joinLabels(table, options.labels, classNames, options.warn);
  if (table.offSum.length > 0 && options.warn) {
    const shown = table.offSum.slice(0, 3).map((o) => `line ${o.line}: ${Number(o.sum.toPrecision(6))}`).join(', ');
    const how = options.logLoss?.renormalize === false ? 'clipped only' : 'each divided by its sum after clipping';
    options.warn(
      `${file}: ${table.offSum.length} of ${table.rows.length} row(s) have probabilities that do not sum to 1 within ${PROBABILITY_SUM_TOLERANCE} ` +
        `(${shown}${table.offSum.length > 3 ? ', …' : ''}); scored as the course's scikit-learn scores them (${how})`,
    );
  }
  const index = new Map(table.classes.map((name, k) => [name, k]));
  const n = table.rows.length;
  const c = table.classes.length;
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  const probs = new Float64Array(n * c);
  table.rows.forEach((r, i) => {
    yTrue[i] = index.get(truth ? truth[i] : (r.sceneLabel as string)) as number;
    yPred[i] = index.get(r.scenePred) as number;
    probs.set(r.probabilities, i * c);
  });
  const report = classificationReport(yTrue, yPred, c);
  const loss = courseLogLoss(yTrue, probs, options.logLoss);
  return { report, accuracy: report.accuracy, logLoss: loss, text: formatResultTxt(report, report.accuracy, loss, table.classes) };
}

/**
 * The true label of every prediction row from the course's label file, joined by clip id as the
 * course's eval_prediction.py does. Prediction ids missing from the label file, and `scene_label`
 * cells that disagree with it, are InputErrors naming both files; label-file clips without a
 * prediction are only warned about (the course scores the rows it is given).
 */
function joinLabels(table: PredictionFile, labelFile: string, classNames: readonly string[], warn?: (message: string) => void): string[] {
  const labels = readCourseLabels(labelFile, classNames);
  const missing: string[] = [];
  const truth = table.rows.map((r, i) => {
    const entry = labels.get(r.aid);
    if (entry === undefined) {
      missing.push(`line ${i + 2}: "${r.aid}"`);
      return '';
    }
    if (r.sceneLabel !== undefined && r.sceneLabel !== entry.label) {
      throw new InputError(
        table.file,
        `scene_label "${r.sceneLabel}" of clip "${r.aid}" disagrees with ${labelFile} (line ${entry.line}: "${entry.label}")`,
        `line ${i + 2}, column "scene_label"`,
      );
    }
    return entry.label;
  });
  if (missing.length > 0) {
    throw new InputError(
      table.file,
      `${missing.length} of ${table.rows.length} clip id(s) are not in the label file ${labelFile} (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`,
    );
  }
  if (warn && labels.size > table.rows.length) {
    const predicted = new Set(table.rows.map((r) => r.aid));
    const unscored = [...labels.keys()].filter((id) => !predicted.has(id));
    warn(`${labelFile}: ${unscored.length} clip(s) have no prediction in ${table.file} and are not scored (e.g. "${unscored[0]}")`);
  }
  return truth;
}

/** Writes `result.txt` atomically. */
export function writeResultTxt(file: string, text: string): void {
  writeFileAtomic(file, text);
}

/**
 * One epoch's lines of the course's train.log (`fit` writes them through its `logLine` option), as
 * the course's train.py logs them through loguru (`"[{time:YYYY-MM-DD HH:mm:ss}] {message}"`, local
 * time): a rule of 99 dashes and `| epoch {:3d} | time: {:5.2f}s | training loss {:5.2f} |` from
 * its train(), then `| epoch {:3d} | time: {:5.2f}s | cv loss {:5.2f} | cv accuracy: {:5.2f} |`
 * and another rule from its validate(). avlab times the epoch as a whole, so both lines carry the
 * epoch's time (training and validation); the course times each phase alone. `now` is the
 * timestamp (default: the current time, as loguru stamps each line when it is logged).
 */
export function courseTrainLogLine(r: EpochRecord, now?: Date): string {
  if (!(now instanceof Date)) now = new Date(); // also when called as a map() callback with an index
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `[${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}]`;
  const f = (x: number): string => formatFixed(x, 2).padStart(5); // Python's {:5.2f}
  const epoch = String(r.epoch).padStart(3); // {:3d}
  const rule = '-'.repeat(99);
  return [
    rule,
    `| epoch ${epoch} | time: ${f(r.seconds)}s | training loss ${f(r.trainLoss)} |`,
    `| epoch ${epoch} | time: ${f(r.seconds)}s | cv loss ${f(r.valLoss)} | cv accuracy: ${f(r.metrics.accuracy ?? NaN)} |`,
    rule,
  ]
    .map((message) => `${stamp} ${message}`)
    .join('\n');
}
