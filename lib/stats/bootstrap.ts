/**
 * Percentile bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13): resample the test
 * examples with replacement, recompute the statistic, and read the interval off the quantiles of
 * the recomputed values. Every resampling draws from a seeded {@link Rng}, so an interval is
 * reproducible to the last digit.
 */
import { FLOAT64_EPS, Labels, Probabilities } from '../metrics/classification';
import { Rng } from '../util/rng';
import { CorrectFlags, toCorrectFlags } from './correct';

/** Options shared by the bootstrap functions. */
export interface BootstrapOptions {
  /** Number of resamples; default 10 000 (enough for stable 95 % percentile bounds). */
  resamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
  /** Seed of the resampling; default 0 (a fixed stream, so results never vary between calls). */
  seed?: number;
}

/** A bootstrap confidence interval. */
export interface BootstrapInterval {
  /** The statistic on the original data. */
  estimate: number;
  /** Lower percentile bound, the (1 − level)/2 quantile of the resampled statistics. */
  lo: number;
  /** Upper percentile bound, the (1 + level)/2 quantile. */
  hi: number;
  level: number;
  /** Standard deviation of the resampled statistics (the bootstrap standard error). */
  se: number;
  resamples: number;
}

function resolve(options: BootstrapOptions): { resamples: number; level: number; seed: number } {
  const resamples = options.resamples ?? 10000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { resamples, level, seed };
}

/**
 * The q-quantile of ascending `sorted` values with linear interpolation between order statistics
 * (NumPy's default `method='linear'`, Hyndman & Fan type 7).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of zero values is undefined');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile needs 0 <= q <= 1, got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  // Written as a + (b − a)·f so equal neighbours give exactly their value.
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

function summarise(estimate: number, replicates: Float64Array, level: number): BootstrapInterval {
  replicates.sort();
  // Variance of values shifted by the first one: exact 0 when all replicates are equal, and no
  // cancellation when they sit far from 0 with a small spread.
  const n = replicates.length;
  const shift = replicates[0];
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const d = replicates[i] - shift;
    s1 += d;
    s2 += d * d;
  }
  const ss = Math.max(0, s2 - (s1 * s1) / n);
  return {
    estimate,
    lo: quantileSorted(replicates, (1 - level) / 2),
    hi: quantileSorted(replicates, (1 + level) / 2),
    level,
    se: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    resamples: n,
  };
}

/**
 * Bootstrap over example indices, for statistics of per-example data held in several arrays
 * (labels and probabilities, two models' predictions, ...). `statistic` receives the indices of one
 * resample of `0 .. n−1` (the identity for the estimate) and reads whatever it closes over; the
 * index buffer is reused, so it must not be kept. Throws if the statistic is not finite.
 */
export function bootstrapIndexCI(n: number, statistic: (indices: Int32Array) => number, options: BootstrapOptions = {}): BootstrapInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bootstrap needs at least one example, got n = ${n}`);
  const { resamples, level, seed } = resolve(options);
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const estimate = statistic(indices);
  if (!Number.isFinite(estimate)) throw new RangeError(`bootstrap: the statistic of the original data is ${estimate}`);
  const rng = new Rng(seed);
  const replicates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    const v = statistic(indices);
    if (!Number.isFinite(v)) throw new RangeError(`bootstrap: the statistic of resample ${r} is ${v}`);
    replicates[r] = v;
  }
  return summarise(estimate, replicates, level);
}

/** Arithmetic mean, the default bootstrap statistic. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Percentile bootstrap interval of `statistic` (default: the mean) over `values`, one value per
 * example (or per seed). `statistic` receives a reused buffer holding one resample. For data
 * spread over several arrays use {@link bootstrapIndexCI}. All-equal values give a zero-width
 * interval.
 */
export function bootstrapCI(
  values: ArrayLike<number>,
  statistic: (sample: Float64Array) => number = mean,
  options: BootstrapOptions = {},
): BootstrapInterval {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`bootstrapCI: value [${i}] is ${values[i]}`);
  }
  const sample = new Float64Array(values.length);
  return bootstrapIndexCI(
    values.length,
    (idx) => {
      for (let i = 0; i < idx.length; i++) sample[i] = values[idx[i]];
      return statistic(sample);
    },
    options,
  );
}

/**
 * Accuracy over the test examples with its percentile bootstrap interval: the uncertainty that
 * comes from having this finite test set (3,645 clips: about ±1.3 points at 80 %).
 */
export function accuracyCI(correct: CorrectFlags, options: BootstrapOptions = {}): BootstrapInterval {
  const flags = toCorrectFlags(correct);
  const n = flags.length;
  return bootstrapIndexCI(
    n,
    (idx) => {
      let right = 0;
      for (let i = 0; i < idx.length; i++) right += flags[idx[i]];
      return right / n;
    },
    options,
  );
}

/** Mean log loss over the test examples with its percentile bootstrap interval. */
export function logLossCI(perExampleLoss: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  return bootstrapCI(perExampleLoss, mean, options);
}

/**
 * −ln p(true class) per example, with the same clipping and optional row renormalisation as
 * `logLoss` in lib/metrics/classification.ts (whose value is the mean of these), for
 * {@link logLossCI}. `probs` is row-major `N × C` or one row per example.
 */
export function perExampleLogLoss(yTrue: Labels, probs: Probabilities, options: { eps?: number; renormalize?: boolean } = {}): Float64Array {
  const eps = options.eps ?? FLOAT64_EPS;
  const renormalize = options.renormalize ?? true;
  const n = yTrue.length;
  if (n === 0) throw new RangeError('log loss of zero examples is undefined');
  const flat = probs instanceof Float32Array || probs instanceof Float64Array;
  const c = flat ? probs.length / n : (probs as readonly ArrayLike<number>[])[0].length;
  if (!Number.isInteger(c) || c < 2 || (flat ? probs.length !== n * c : probs.length !== n)) {
    throw new RangeError(`probabilities of length ${probs.length} do not hold ${n} rows of at least two classes`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r: ArrayLike<number> = flat ? (probs as Float32Array | Float64Array).subarray(i * c, (i + 1) * c) : (probs as readonly ArrayLike<number>[])[i];
    if (r.length !== c) throw new RangeError(`probability row ${i} has ${r.length} entries, expected ${c}`);
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new RangeError(`yTrue[${i}] = ${y} is not a class index in [0, ${c})`);
    let total = 0;
    let mine = 0;
    for (let k = 0; k < c; k++) {
      if (!Number.isFinite(r[k])) throw new RangeError(`probability [${i}][${k}] is ${r[k]}`);
      const p = Math.min(Math.max(r[k], eps), 1 - eps);
      total += p;
      if (k === y) mine = p;
    }
    out[i] = -Math.log(renormalize ? mine / total : mine);
  }
  return out;
}

/** Result of {@link pairedBootstrap}: accuracy of A minus accuracy of B on the same examples. */
export interface PairedBootstrapResult extends BootstrapInterval {
  accuracyA: number;
  accuracyB: number;
  /** accuracyA − accuracyB (equal to `estimate`). */
  diff: number;
  /** Two-sided p-value of "no difference" (see {@link pairedBootstrap}). */
  p: number;
}

/**
 * Paired bootstrap of the accuracy difference between two classifiers scored on the same test
 * examples: each resample draws examples (both models' outcomes together, which keeps their
 * correlation) and records the difference. The interval is the percentile interval of the
 * differences. The p-value tests "no difference" by shifting the bootstrap distribution to the
 * null (Efron & Tibshirani 1993, §16.4; Berg-Kirkpatrick et al. 2012): p = (1 + #{|δ* − δ| ≥ |δ|})
 * / (B + 1), the +1 counting the observed data so p is never 0. Comparisons are made on integer
 * counts, so ties are exact.
 */
export function pairedBootstrap(aCorrect: CorrectFlags, bCorrect: CorrectFlags, options: BootstrapOptions = {}): PairedBootstrapResult {
  const a = toCorrectFlags(aCorrect, 'aCorrect');
  const b = toCorrectFlags(bCorrect, 'bCorrect');
  if (a.length !== b.length) throw new RangeError(`pairedBootstrap: ${a.length} outcomes for A but ${b.length} for B`);
  const n = a.length;
  const d = new Int8Array(n);
  let observed = 0;
  let rightA = 0;
  let rightB = 0;
  for (let i = 0; i < n; i++) {
    d[i] = a[i] - b[i];
    observed += d[i];
    rightA += a[i];
    rightB += b[i];
  }
  const { resamples, level, seed } = resolve(options);
  if (n === 0) throw new RangeError('pairedBootstrap needs at least one example');
  const rng = new Rng(seed);
  const replicates = new Float64Array(resamples);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[rng.int(n)];
    replicates[r] = sum / n;
    if (Math.abs(sum - observed) >= Math.abs(observed)) extreme++;
  }
  const interval = summarise(observed / n, replicates, level);
  return {
    ...interval,
    accuracyA: rightA / n,
    accuracyB: rightB / n,
    diff: interval.estimate,
    p: (1 + extreme) / (interval.resamples + 1),
  };
}
