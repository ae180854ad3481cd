/**
 * Modal-conflict analysis (source report 001, §3.2): where does fusion beat each modality alone,
 * which classes get confused, and when audio and video disagree, which one does the fused model
 * follow? Pure functions on predictions and classification reports.
 */
import type { Labels, PrecisionRecallF1 } from '../../metrics/classification';

/** Just the per-class part of a `ClassificationReport` (or `PrecisionRecallF1`). */
export type PerClassReport = Pick<PrecisionRecallF1, 'perClass'>;

/** Options of {@link perClassSideBySide}. */
export interface SideBySideOptions {
  /** Column prefixes for the two reports; default `['M', 'A']` (multimodal, audio-only). */
  labels?: [string, string];
  /**
   * `true`: the Type column holds the 1-based class number, as in the source tables (1 = airport
   * … 10 = tram); default false: the class name.
   */
  numbered?: boolean;
  /** Round the scores to this many decimals (the source tables use 2); default: unrounded. */
  digits?: number;
}

/** One row of {@link perClassSideBySide}: `Type`, then `<label>-P`, `<label>-R`, `<label>-F` twice. */
export type SideBySideRow = Record<string, string | number>;

function checkReport(report: PerClassReport, classNames: readonly string[], what: string): void {
  if (report.perClass.length !== classNames.length) {
    throw new RangeError(`${what} has ${report.perClass.length} classes but ${classNames.length} class names were given`);
  }
}

/**
 * Per-class precision, recall and F1 of a multimodal model beside a unimodal one, in the layout
 * of the source's tables 2 and 3: Type, M-P, M-R, M-F, A-P, A-R, A-F (pass `labels: ['M', 'V']` for
 * the video table). Rows follow `classNames`.
 */
export function perClassSideBySide(
  classNames: readonly string[],
  multimodalReport: PerClassReport,
  unimodalReport: PerClassReport,
  options: SideBySideOptions = {},
): SideBySideRow[] {
  const [m, u] = options.labels ?? ['M', 'A'];
  if (m === u) throw new RangeError(`perClassSideBySide: the two labels must differ, both are "${m}"`);
  checkReport(multimodalReport, classNames, 'the multimodal report');
  checkReport(unimodalReport, classNames, 'the unimodal report');
  const round = (v: number): number => (options.digits === undefined ? v : Number(v.toFixed(options.digits)));
  return classNames.map((name, k) => {
    const a = multimodalReport.perClass[k];
    const b = unimodalReport.perClass[k];
    return {
      Type: options.numbered ? k + 1 : name,
      [`${m}-P`]: round(a.precision),
      [`${m}-R`]: round(a.recall),
      [`${m}-F`]: round(a.f1),
      [`${u}-P`]: round(b.precision),
      [`${u}-R`]: round(b.recall),
      [`${u}-F`]: round(b.f1),
    };
  });
}

/** Per-class F1 of the fused model against the better of the two unimodal models. */
export interface FusionGain {
  className: string;
  classIndex: number;
  fusedF1: number;
  audioF1: number;
  videoF1: number;
  /** The unimodal model with the higher F1 on this class (audio on a tie). */
  bestUnimodal: 'audio' | 'video';
  bestUnimodalF1: number;
  /** fusedF1 − bestUnimodalF1: positive where fusion adds something neither modality has alone. */
  gain: number;
}

/**
 * Per-class F1 gain of fusion over the best unimodal model, largest gain first (ties keep class
 * order). Measured against the *best* modality rather than each one, because beating the weaker
 * modality is easy; a positive gain means the combination helps.
 */
export function fusionGains(classNames: readonly string[], fused: PerClassReport, audio: PerClassReport, video: PerClassReport): FusionGain[] {
  checkReport(fused, classNames, 'the fused report');
  checkReport(audio, classNames, 'the audio report');
  checkReport(video, classNames, 'the video report');
  const rows = classNames.map((className, k): FusionGain => {
    const fusedF1 = fused.perClass[k].f1;
    const audioF1 = audio.perClass[k].f1;
    const videoF1 = video.perClass[k].f1;
    const bestUnimodal = audioF1 >= videoF1 ? 'audio' : 'video';
    const bestUnimodalF1 = Math.max(audioF1, videoF1);
    return { className, classIndex: k, fusedF1, audioF1, videoF1, bestUnimodal, bestUnimodalF1, gain: fusedF1 - bestUnimodalF1 };
  });
  return rows.sort((x, y) => y.gain - x.gain || x.classIndex - y.classIndex);
}

/** One off-diagonal cell of a confusion matrix. */
export interface ConfusionPair {
  true: string;
  predicted: string;
  trueIndex: number;
  predictedIndex: number;
  count: number;
  /** count / (clips of the true class): the share of that class lost to this confusion. */
  rate: number;
}

/**
 * The `k` largest off-diagonal cells of `confusion[true][predicted]`, sorted by count (or by rate
 * with `by: 'rate'`), the other key and then (true, predicted) order breaking ties. Zero cells are
 * left out, so fewer than `k` pairs may come back.
 */
export function topConfusionPairs(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
  k = 10,
  options: { by?: 'count' | 'rate' } = {},
): ConfusionPair[] {
  const n = classNames.length;
  if (confusion.length !== n) throw new RangeError(`topConfusionPairs: ${confusion.length} rows for ${n} classes`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topConfusionPairs: k must be an integer >= 0, got ${k}`);
  const pairs: ConfusionPair[] = [];
  confusion.forEach((row, t) => {
    if (row.length !== n) throw new RangeError(`topConfusionPairs: row ${t} has ${row.length} columns, expected ${n}`);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`topConfusionPairs: cell [${t}][${p}] is ${count}`);
      if (t !== p && count > 0) pairs.push({ true: classNames[t], predicted: classNames[p], trueIndex: t, predictedIndex: p, count, rate: count / total });
    });
  });
  const byRate = options.by === 'rate';
  pairs.sort((x, y) => {
    const primary = byRate ? y.rate - x.rate : y.count - x.count;
    const secondary = byRate ? y.count - x.count : y.rate - x.rate;
    return primary || secondary || x.trueIndex - y.trueIndex || x.predictedIndex - y.predictedIndex;
  });
  return pairs.slice(0, k);
}

/** How the two unimodal models split the test clips. */
export interface DisagreementCounts {
  /** Both audio and video right. */
  bothRight: number;
  /** Audio right, video wrong. */
  audioOnly: number;
  /** Video right, audio wrong. */
  videoOnly: number;
  /** Both wrong (whether or not they agree on the wrong class). */
  neither: number;
  total: number;
}

function checkLengths(what: string, yTrue: Labels, ...preds: Labels[]): void {
  for (const p of preds) {
    if (p.length !== yTrue.length) throw new RangeError(`${what}: ${yTrue.length} true labels but a prediction array of ${p.length}`);
  }
}

/**
 * Counts of clips that both unimodal models get right, only audio, only video, or neither. The two
 * "only" cells are the modal conflicts: clips where fusion has something to gain, and the ceiling
 * of any fusion is bothRight + audioOnly + videoOnly (an oracle picking the right modality).
 */
export function disagreementMatrix(yTrue: Labels, audioPred: Labels, videoPred: Labels): DisagreementCounts {
  checkLengths('disagreementMatrix', yTrue, audioPred, videoPred);
  const out: DisagreementCounts = { bothRight: 0, audioOnly: 0, videoOnly: 0, neither: 0, total: yTrue.length };
  for (let i = 0; i < yTrue.length; i++) {
    const a = audioPred[i] === yTrue[i];
    const v = videoPred[i] === yTrue[i];
    if (a && v) out.bothRight++;
    else if (a) out.audioOnly++;
    else if (v) out.videoOnly++;
    else out.neither++;
  }
  return out;
}

/** How often the fused model is right on one group of clips. */
export interface ResolutionCell {
  clips: number;
  fusedRight: number;
  /** fusedRight / clips; NaN when the group is empty. */
  rate: number;
}

/** Fused accuracy on each cell of the {@link disagreementMatrix}. */
export interface Resolution {
  /** Both modalities right: how often fusion keeps it (below 1 means fusion breaks agreement). */
  bothRight: ResolutionCell;
  /** Only audio right: how often fusion sides with audio. */
  audioOnly: ResolutionCell;
  /** Only video right: how often fusion sides with video. */
  videoOnly: ResolutionCell;
  /** Both wrong: how often fusion is right anyway (something neither modality shows alone). */
  neither: ResolutionCell;
  /** Exactly one modality right (audioOnly and videoOnly together): conflicts resolved correctly. */
  conflicts: ResolutionCell;
}

/**
 * For each disagreement group, how often the fused model is right. The conflict rows say which
 * modality fusion trusts when they disagree; the `neither` row measures genuine complementarity.
 */
export function resolution(yTrue: Labels, audioPred: Labels, videoPred: Labels, fusedPred: Labels): Resolution {
  checkLengths('resolution', yTrue, audioPred, videoPred, fusedPred);
  const clips = [0, 0, 0, 0];
  const right = [0, 0, 0, 0];
  for (let i = 0; i < yTrue.length; i++) {
    const a = audioPred[i] === yTrue[i];
    const v = videoPred[i] === yTrue[i];
    const g = a && v ? 0 : a ? 1 : v ? 2 : 3;
    clips[g]++;
    if (fusedPred[i] === yTrue[i]) right[g]++;
  }
  const cell = (n: number, r: number): ResolutionCell => ({ clips: n, fusedRight: r, rate: n > 0 ? r / n : NaN });
  return {
    bothRight: cell(clips[0], right[0]),
    audioOnly: cell(clips[1], right[1]),
    videoOnly: cell(clips[2], right[2]),
    neither: cell(clips[3], right[3]),
    conflicts: cell(clips[1] + clips[2], right[1] + right[2]),
  };
}
