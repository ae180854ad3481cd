/**
 * Summaries of a handful of numbers — typically one test score per training seed — with the
 * confidence interval of their mean.
 */
import { bootstrapCI, BootstrapInterval } from './bootstrap';
import { studentTQuantile } from './special';

/** Count, mean and sample standard deviation of some values. */
export interface MeanStd {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1, NumPy's `ddof=1`); NaN for a single value. */
  std: number;
}

function checkValues(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) throw new RangeError(`${what} of zero values is undefined`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value [${i}] is ${values[i]}`);
  }
}

/**
 * Mean and sample standard deviation (n − 1 divisor: the values are a sample of seeds or runs,
 * and the unbiased variance is what the t-interval needs). Two passes, so a large common offset
 * does not cancel the variance away. Throws on an empty or non-finite input.
 */
export function meanStd(values: ArrayLike<number>): MeanStd {
  checkValues(values, 'meanStd');
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  if (n === 1) return { n, mean, std: NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { n, mean, std: Math.sqrt(ss / (n - 1)) };
}

/** Options of {@link seedSummary}. */
export interface SeedSummaryOptions {
  /** Confidence level of the interval; default 0.95. */
  level?: number;
  /**
   * Also compute a percentile bootstrap interval over the seeds (see {@link SeedSummary.bootstrap}).
   * Off by default.
   */
  bootstrap?: { resamples?: number; seed?: number };
}

/** One metric across seeds: mean, spread and the confidence interval of the mean. */
export interface SeedSummary extends MeanStd {
  /** Standard error of the mean, std / √n. */
  sem: number;
  /** Lower bound of the t-interval of the mean (NaN with one seed). */
  lo: number;
  /** Upper bound of the t-interval of the mean (NaN with one seed). */
  hi: number;
  level: number;
  /** Degrees of freedom of the t-interval, n − 1. */
  df: number;
  /** The critical value t_{(1+level)/2, n−1}, e.g. 2.776 for 5 seeds at 95 %. */
  tCritical: number;
  /**
   * Percentile bootstrap interval over the seeds, when asked for. With 5 seeds it is only a
   * rough companion to the t-interval: resampling 5 values has 126 distinct outcomes and
   * underestimates the spread by a factor √((n−1)/n), so it comes out narrower than it should.
   */
  bootstrap?: BootstrapInterval;
}

/**
 * Summarises one metric measured on several seeds (e.g. test accuracy of five trainings).
 *
 * The interval is Student's t-interval, mean ± t_{(1+level)/2, n−1} · s/√n, with the exact t
 * quantile for n − 1 degrees of freedom. With the 5–10 seeds a report can afford, the seed-to-seed
 * scores are the sample and the t-interval is the right small-sample tool (it assumes roughly
 * normal scores, which averages over thousands of test clips are); a bootstrap over so few seeds is
 * too narrow, so it is only an optional extra. Note what the interval covers: variation from
 * training randomness (initialisation, shuffling, dropout) on this one test set, not the test-set
 * sampling error — for that use {@link accuracyCI} on the test clips.
 */
export function seedSummary(runs: ArrayLike<number>, options: SeedSummaryOptions = {}): SeedSummary {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`seedSummary: level must be in (0, 1), got ${level}`);
  const ms = meanStd(runs);
  const df = ms.n - 1;
  const sem = ms.std / Math.sqrt(ms.n);
  const tCritical = df > 0 ? studentTQuantile((1 + level) / 2, df) : NaN;
  const half = tCritical * sem;
  const summary: SeedSummary = { ...ms, sem, lo: ms.mean - half, hi: ms.mean + half, level, df, tCritical };
  if (options.bootstrap) {
    summary.bootstrap = bootstrapCI(runs, undefined, { level, resamples: options.bootstrap.resamples, seed: options.bootstrap.seed });
  }
  return summary;
}
