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
  argmax,
  classificationReport,
  formatClassificationReport,
  logLoss,
  type ClassificationReport,
  type Labels,
  type LogLossOptions,
  type Probabilities,
} from '../metrics/classification';
import { numpySum } from '../metrics/numpySum';
import { formatFixed } from '../metrics/pythonFormat';

/** The columns before the per-class probabilities, in the course's order. */
export const PREDICTION_ID_COLUMNS = ['aid', 'scene_pred', 'scene_label'] as const;

/**
 * How far a row's probabilities may sum from 1. The course writes probabilities with three
 * decimals, so rounding alone moves a 10-class row's sum by up to 0.005; 0.01 accepts that while
 * still rejecting logits or unnormalised scores.
 */
export const PROBABILITY_SUM_TOLERANCE = 1e-2;

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

/** A prediction file as read: the class names (in the caller's order) and its rows. */
export interface PredictionFile {
  file: string;
  classes: string[];
  rows: Array<PredictionRow & { probabilities: number[] }>;
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

/** Options of {@link evaluatePredictionFile}. */
export interface EvaluateOptions {
  /** Class names expected as probability columns; default {@link SCENE_CLASSES}. */
  classNames?: readonly string[];
  logLoss?: LogLossOptions;
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

/** Maps header names to column positions, or throws naming what is missing, unknown or repeated. */
function parseHeader(file: string, header: string, classNames: readonly string[]): Map<string, number> {
  const expected = [...PREDICTION_ID_COLUMNS, ...classNames];
  const where = 'line 1';
  if (header.trim() === '') throw new InputError(file, `header is empty; expected the columns ${expected.join(', ')}`, where);
  if (!header.includes('\t') && header.includes(',')) {
    throw new InputError(file, 'header looks comma-separated; prediction files must be tab-separated', where);
  }
  const names = header.split('\t');
  const positions = new Map<string, number>();
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) throw new InputError(file, `column(s) ${quoteList(repeated)} appear more than once`, where);
  names.forEach((n, i) => positions.set(n, i));
  const missing = expected.filter((n) => !positions.has(n));
  if (missing.length > 0) throw new InputError(file, `missing column(s) ${quoteList(missing)}`, where);
  const unknown = names.filter((n) => !expected.includes(n));
  if (unknown.length > 0) {
    throw new InputError(file, `unknown column(s) ${quoteList(unknown)}; expected exactly ${expected.join(', ')}`, where);
  }
  return positions;
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
 * `scene_label` and one probability column per class, in any order). Probabilities are returned
 * in `classNames` order. Any defect (missing file, bad header, wrong field count, unknown class
 * name, empty or repeated aid, a probability that is not a finite non-negative number, a row not
 * summing to 1 within {@link PROBABILITY_SUM_TOLERANCE}, no rows) throws an InputError naming the
 * file and line. `scene_pred` need not be the row's most probable class: it is taken as given.
 */
export function readPredictionCsv(file: string, classNames: readonly string[] = SCENE_CLASSES): PredictionFile {
  let text = readText(file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError(file, 'file is empty; expected a header line and one line per clip', 'line 1');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const positions = parseHeader(file, lines[0], classNames);
  const fieldCount = positions.size;
  if (lines.length === 1) throw new InputError(file, 'has a header but no prediction rows', 'line 2');

  const known = new Set(classNames);
  const firstSeen = new Map<string, number>();
  const rows: PredictionFile['rows'] = [];
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
    const [scenePred, sceneLabel] = (['scene_pred', 'scene_label'] as const).map((name) => {
      const value = fields[column(name)];
      if (!known.has(value)) {
        throw new InputError(file, `unknown class ${JSON.stringify(value)}; expected one of ${classNames.join(', ')}`, `${where}, column "${name}"`);
      }
      return value;
    });
    const probabilities = classNames.map((name) => parseProbability(file, fields[column(name)], `${where}, column "${name}"`));
    const sum = numpySum(probabilities);
    if (!(Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE)) {
      throw new InputError(file, `probabilities sum to ${Number(sum.toPrecision(6))}, not 1 (tolerance ${PROBABILITY_SUM_TOLERANCE})`, where);
    }
    rows.push({ aid, scenePred, sceneLabel, probabilities });
  }
  return { file, classes: [...classNames], rows };
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
  const table = readPredictionCsv(file, classNames);
  const index = new Map(table.classes.map((name, k) => [name, k]));
  const n = table.rows.length;
  const c = table.classes.length;
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  const probs = new Float64Array(n * c);
  table.rows.forEach((r, i) => {
    yTrue[i] = index.get(r.sceneLabel) as number;
    yPred[i] = index.get(r.scenePred) as number;
    probs.set(r.probabilities, i * c);
  });
  const report = classificationReport(yTrue, yPred, c);
  const loss = logLoss(yTrue, probs, options.logLoss);
  return { report, accuracy: report.accuracy, logLoss: loss, text: formatResultTxt(report, report.accuracy, loss, table.classes) };
}

/** Writes `result.txt` atomically. */
export function writeResultTxt(file: string, text: string): void {
  writeFileAtomic(file, text);
}
