/**
 * Calibration: does a classifier's confidence match how often it is right? Reliability bins,
 * expected and maximum calibration error, as defined by Guo et al. 2017 ("On Calibration of Modern
 * Neural Networks"): the confidence of a prediction is its largest class probability, predictions
 * are grouped into equal-width confidence bins, and each bin's accuracy is set against its mean
 * confidence.
 */
import type { Labels } from './classification';

/** One equal-width confidence bin, covering (lower, upper] (the first bin also includes 0). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Predictions whose confidence falls in the bin. */
  count: number;
  /** Mean confidence (largest class probability) of those predictions; NaN for an empty bin. */
  confidence: number;
  /** Fraction of those predictions that are correct; NaN for an empty bin. */
  accuracy: number;
}

/** Options of the calibration functions. */
export interface CalibrationOptions {
  /** Number of equal-width bins on [0, 1]; default 15 (Guo et al.'s choice). */
  bins?: number;
}

/**
 * Reliability bins of `probs`, row-major `N × C` (C = probs.length / N), against the true labels.
 * The prediction is the arg-max class (first one on a tie, like `argmax`), its confidence the
 * row's maximum. Bin m (1-based) holds confidences in ((m−1)/M, m/M], as in Guo et al.; a
 * confidence of exactly 0 goes to the first bin. Empty bins are kept (count 0, NaN means) so the
 * result always has `bins` entries.
 */
export function reliabilityBins(probs: Float32Array | Float64Array, yTrue: Labels, options: CalibrationOptions = {}): ReliabilityBin[] {
  const m = options.bins ?? 15;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`reliabilityBins: bins must be a positive integer, got ${m}`);
  const n = yTrue.length;
  if (n === 0) throw new RangeError('reliabilityBins: no examples');
  const c = probs.length / n;
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`reliabilityBins: ${probs.length} probabilities are not ${n} rows of equal length`);
  const count = new Array<number>(m).fill(0);
  const confSum = new Array<number>(m).fill(0);
  const right = new Array<number>(m).fill(0);
  const upper = (b: number): number => (b + 1) / m;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new RangeError(`reliabilityBins: yTrue[${i}] = ${y} is not a class index in [0, ${c})`);
    let best = 0;
    for (let k = 1; k < c; k++) if (probs[i * c + k] > probs[i * c + best]) best = k;
    const conf = probs[i * c + best];
    if (!(conf >= 0 && conf <= 1)) throw new RangeError(`reliabilityBins: row ${i} has maximum probability ${conf}, outside [0, 1]`);
    // ceil(conf·M) − 1, then nudged so the bin edges are exactly the (lower, upper] of the docs
    // despite rounding in conf·M.
    let b = Math.min(m - 1, Math.max(0, Math.ceil(conf * m) - 1));
    if (b < m - 1 && conf > upper(b)) b++;
    if (b > 0 && conf <= b / m) b--;
    count[b]++;
    confSum[b] += conf;
    if (best === y) right[b]++;
  }
  return count.map((k, b) => ({
    lower: b / m,
    upper: upper(b),
    count: k,
    confidence: k > 0 ? confSum[b] / k : NaN,
    accuracy: k > 0 ? right[b] / k : NaN,
  }));
}

/** ECE of precomputed bins: Σ_b (n_b / N) · |acc_b − conf_b| over the non-empty bins. */
export function eceFromBins(bins: readonly ReliabilityBin[]): number {
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (total === 0) throw new RangeError('calibration error of zero examples is undefined');
  let ece = 0;
  for (const b of bins) if (b.count > 0) ece += (b.count / total) * Math.abs(b.accuracy - b.confidence);
  return ece;
}

/** MCE of precomputed bins: the largest |acc_b − conf_b| over the non-empty bins. */
export function mceFromBins(bins: readonly ReliabilityBin[]): number {
  let mce = -Infinity;
  for (const b of bins) if (b.count > 0) mce = Math.max(mce, Math.abs(b.accuracy - b.confidence));
  if (mce === -Infinity) throw new RangeError('calibration error of zero examples is undefined');
  return mce;
}

/**
 * Expected calibration error, Σ_b (n_b / N) · |acc_b − conf_b| over equal-width bins of the
 * maximum probability (Guo et al. 2017, eq. 3). 0 for a perfectly calibrated model; the gap between
 * confidence and accuracy, averaged over predictions.
 */
export function expectedCalibrationError(probs: Float32Array | Float64Array, yTrue: Labels, options: CalibrationOptions = {}): number {
  return eceFromBins(reliabilityBins(probs, yTrue, options));
}

/** Maximum calibration error: the worst bin's |acc_b − conf_b| (Guo et al. 2017, eq. 5). */
export function maxCalibrationError(probs: Float32Array | Float64Array, yTrue: Labels, options: CalibrationOptions = {}): number {
  return mceFromBins(reliabilityBins(probs, yTrue, options));
}
