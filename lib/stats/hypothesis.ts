/**
 * Significance tests for "is classifier A really better than B on this test set?": McNemar's
 * test and the paired bootstrap for one pair, and all pairs of several methods with a multiple-
 * comparison correction.
 */
import { deriveSeed } from '../util/rng';
import { pairedBootstrap } from './bootstrap';
import { CorrectFlags, toCorrectFlags } from './correct';
import { binomialHalfCdf, chiSquare1Sf } from './special';

/** Options of {@link mcnemar}. */
export interface McNemarOptions {
  /**
   * `true`: always the exact binomial test; `false`: always the χ² approximation; default
   * (undefined): exact when b + c < 25, where the χ² approximation is poor.
   */
  exact?: boolean;
}

/** Outcome of McNemar's test. */
export interface McNemarResult {
  /** Examples A classifies correctly and B does not. */
  b: number;
  /** Examples B classifies correctly and A does not. */
  c: number;
  /** All examples (the concordant ones do not enter the test). */
  n: number;
  method: 'exact' | 'chi2';
  /** The continuity-corrected statistic (|b − c| − 1)² / (b + c); NaN for the exact test. */
  statistic: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * McNemar's test of equal accuracy for two classifiers on the same examples (Dietterich 1998
 * recommends it for a single test set). Only discordant examples count: b = #(A right, B wrong),
 * c = #(A wrong, B right); under the null each discordant example is a fair coin.
 *
 * - exact: p = min(1, 2 · Σ_{k ≤ min(b,c)} C(b+c, k) / 2^{b+c}), the two-sided binomial test;
 * - χ²: (|b − c| − 1)² / (b + c) with Edwards' continuity correction, referred to χ² with 1 df.
 *
 * b = c = 0 gives p = 1.
 */
export function mcnemar(aCorrect: CorrectFlags, bCorrect: CorrectFlags, options: McNemarOptions = {}): McNemarResult {
  const a = toCorrectFlags(aCorrect, 'aCorrect');
  const bb = toCorrectFlags(bCorrect, 'bCorrect');
  if (a.length !== bb.length) throw new RangeError(`mcnemar: ${a.length} outcomes for A but ${bb.length} for B`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1 && bb[i] === 0) b++;
    else if (a[i] === 0 && bb[i] === 1) c++;
  }
  return mcnemarFromCounts(b, c, a.length, options);
}

/** McNemar's test from the discordant counts b and c (see {@link mcnemar}); `n` is reported only. */
export function mcnemarFromCounts(b: number, c: number, n = b + c, options: McNemarOptions = {}): McNemarResult {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new RangeError(`mcnemar: counts must be integers >= 0, got b=${b}, c=${c}`);
  const m = b + c;
  const exact = options.exact ?? m < 25;
  if (exact || m === 0) {
    return { b, c, n, method: 'exact', statistic: NaN, p: Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), m)) };
  }
  // max(0, ·) keeps b = c from being "corrected" to a positive statistic.
  const statistic = Math.max(0, Math.abs(b - c) - 1) ** 2 / m;
  return { b, c, n, method: 'chi2', statistic, p: chiSquare1Sf(statistic) };
}

/** Multiple-comparison corrections of {@link adjustPValues}. */
export type Correction = 'holm' | 'bonferroni' | 'none';

/**
 * Adjusted p-values, in the input order. Holm–Bonferroni (Holm 1979): sort ascending, multiply
 * the i-th smallest (1-based) by m − i + 1, cap at 1, and make the sequence non-decreasing with a
 * running maximum; rejecting where the adjusted p ≤ α controls the family-wise error rate at α,
 * like Bonferroni (p·m) but never less powerful.
 */
export function adjustPValues(pValues: readonly number[], correction: Correction = 'holm'): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value [${i}] is ${p}; expected a number in [0, 1]`);
  });
  const m = pValues.length;
  if (correction === 'none') return [...pValues];
  if (correction === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));
  if (correction !== 'holm') throw new RangeError(`unknown correction "${String(correction)}"`);
  // Stable sort: equal p-values keep their input order, so the result does not depend on chance.
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** One method's per-example outcomes on the shared test examples. */
export interface MethodOutcomes {
  name: string;
  /** Right/wrong per test example; every method must cover the same examples in the same order. */
  correct: CorrectFlags;
}

/** Options of {@link pairwiseTests}. */
export interface PairwiseOptions {
  /** `mcnemar` (default) or `bootstrap` (the paired bootstrap's p-value). */
  test?: 'mcnemar' | 'bootstrap';
  /** Family-wise significance level; default 0.05. */
  alpha?: number;
  /** Default `holm`. */
  correction?: Correction;
  /** Passed to McNemar's test. */
  exact?: boolean;
  /** Bootstrap resamples (test `bootstrap`); default 10 000. */
  resamples?: number;
  /** Bootstrap seed; each pair gets its own stream derived from it and the two names. */
  seed?: number;
}

/** One pair of methods compared. */
export interface PairwiseRow {
  a: string;
  b: string;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA − accuracyB. */
  diff: number;
  /** Unadjusted two-sided p-value. */
  p: number;
  /** p-value after the multiple-comparison correction. */
  pAdjusted: number;
  /** pAdjusted ≤ alpha. */
  significant: boolean;
  test: 'mcnemar' | 'bootstrap';
}

/**
 * Every pair (i < j, input order) of methods compared on the same test examples, with p-values
 * corrected for the number of pairs (10 methods make 45 tests; uncorrected, about two would be
 * "significant" at 5 % by chance alone).
 *
 * `correct` may be one seed's test outcomes or several seeds' concatenated. Pooling seeds
 * multiplies the number of examples but repeats the same clips, so the examples are not
 * independent and p-values come out too small; treat pooled results as descriptive, and prefer
 * one representative seed or a per-seed test with the seed spread reported by `seedSummary`.
 */
export function pairwiseTests(methods: readonly MethodOutcomes[], options: PairwiseOptions = {}): PairwiseRow[] {
  const test = options.test ?? 'mcnemar';
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`pairwiseTests: alpha must be in (0, 1), got ${alpha}`);
  if (test !== 'mcnemar' && test !== 'bootstrap') throw new RangeError(`pairwiseTests: unknown test "${String(test)}"`);
  const names = new Set<string>();
  for (const m of methods) {
    if (names.has(m.name)) throw new RangeError(`pairwiseTests: method "${m.name}" appears twice`);
    names.add(m.name);
  }
  const flags = methods.map((m) => toCorrectFlags(m.correct, `${m.name}.correct`));
  flags.forEach((f, i) => {
    if (f.length !== flags[0].length) throw new RangeError(`pairwiseTests: "${methods[i].name}" has ${f.length} outcomes, "${methods[0].name}" has ${flags[0].length}`);
    if (f.length === 0) throw new RangeError(`pairwiseTests: "${methods[i].name}" has no outcomes`);
  });
  const acc = flags.map((f) => f.reduce((s, v) => s + v, 0) / f.length);
  const rows: Omit<PairwiseRow, 'pAdjusted' | 'significant'>[] = [];
  for (let i = 0; i < methods.length; i++) {
    for (let j = i + 1; j < methods.length; j++) {
      const p =
        test === 'mcnemar'
          ? mcnemar(flags[i], flags[j], { exact: options.exact }).p
          : pairedBootstrap(flags[i], flags[j], {
              resamples: options.resamples,
              seed: deriveSeed(options.seed ?? 0, `${methods[i].name}\u0000${methods[j].name}`),
            }).p;
      rows.push({ a: methods[i].name, b: methods[j].name, accuracyA: acc[i], accuracyB: acc[j], diff: acc[i] - acc[j], p, test });
    }
  }
  const adjusted = adjustPValues(rows.map((r) => r.p), options.correction ?? 'holm');
  return rows.map((r, k) => ({ ...r, pAdjusted: adjusted[k], significant: adjusted[k] <= alpha }));
}
