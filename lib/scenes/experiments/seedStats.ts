/**
 * Honest comparisons of scene methods trained over several seeds. Two sources of randomness
 * matter: training (initialisation, shuffling, dropout) and the finite test set. Per method we
 * report mean ± std over seeds with the t-interval of the mean (training randomness), and a
 * bootstrap interval over test clips of the seed-averaged accuracy (test-set sampling). Pairs of
 * methods are compared with a paired bootstrap over test clips on the seed-averaged per-clip
 * correctness — clips are the resampling unit, so repeated clips across seeds do not inflate
 * the evidence — with Holm's correction over all pairs.
 */
import { logLoss } from '../../metrics/classification';
import { bootstrapIndexCI, perExampleLogLoss } from '../../stats/bootstrap';
import { seedSummary } from '../../stats/descriptive';
import { adjustPValues } from '../../stats/hypothesis';
import { Rng, deriveSeed } from '../../util/rng';
import type { SweepRun } from './sceneSweep';

/** Per-method summary over seeds. */
export interface MethodSummary {
  method: string;
  seeds: number;
  accuracyMean: number;
  accuracyStd: number;
  /** t-interval of the mean accuracy over seeds. */
  accuracyLo: number;
  accuracyHi: number;
  /** Bootstrap interval over test clips of the seed-averaged accuracy. */
  accuracyBootLo: number;
  accuracyBootHi: number;
  logLossMean: number;
  logLossStd: number;
  logLossLo: number;
  logLossHi: number;
  logLossBootLo: number;
  logLossBootHi: number;
}

/** One pair of methods compared. */
export interface MethodComparison {
  a: string;
  b: string;
  /** Mean accuracy of a minus b (seed-averaged). */
  diff: number;
  lo: number;
  hi: number;
  p: number;
  pAdjusted: number;
  significant: boolean;
}

/** What the analyses need of a sweep's run: its method (`name`, else the registry name `kind`), seed and result. */
export type SeedRun = Pick<SweepRun, 'kind' | 'seed' | 'result'> & { name?: string };

/** The method a run belongs to: its variant's label, else its registry name. */
export function methodOf(r: SeedRun): string {
  return r.name ?? r.kind;
}

/** Runs grouped by method (variant), in first-seen order. */
export function groupRuns<R extends SeedRun>(runs: R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of runs) {
    const m = methodOf(r);
    if (!groups.has(m)) groups.set(m, []);
    groups.get(m)!.push(r);
  }
  return groups;
}

/** Fraction of seeds that got each test clip right. */
export function meanCorrectness(runs: SeedRun[]): Float64Array {
  const n = runs[0].result.yTrue.length;
  const out = new Float64Array(n);
  for (const r of runs) {
    if (r.result.yTrue.length !== n) throw new Error('runs were scored on different test sets');
    for (let i = 0; i < n; i++) out[i] += r.result.yPred[i] === r.result.yTrue[i] ? 1 / runs.length : 0;
  }
  return out;
}

/** Mean ± std, t-interval and bootstrap interval of accuracy and log loss for every method. */
export function summariseMethods(runs: SeedRun[], options: { resamples?: number; seed?: number } = {}): MethodSummary[] {
  const resamples = options.resamples ?? 2000;
  return [...groupRuns(runs)].map(([method, rs]) => {
    const acc = seedSummary(rs.map((r) => r.result.accuracy));
    const ll = seedSummary(rs.map((r) => logLoss(r.result.yTrue, r.result.probs)));
    const correct = meanCorrectness(rs);
    const perClipLoss = rs.map((r) => perExampleLogLoss(r.result.yTrue, r.result.probs));
    const meanLoss = new Float64Array(correct.length);
    perClipLoss.forEach((l) => l.forEach((v, i) => (meanLoss[i] += v / rs.length)));
    const avg = (values: Float64Array) => (idx: Int32Array) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += values[idx[i]];
      return s / idx.length;
    };
    const seed = deriveSeed(options.seed ?? 0, method);
    const accBoot = bootstrapIndexCI(correct.length, avg(correct), { resamples, seed });
    const llBoot = bootstrapIndexCI(correct.length, avg(meanLoss), { resamples, seed: seed + 1 });
    return {
      method,
      seeds: rs.length,
      accuracyMean: acc.mean,
      accuracyStd: acc.std,
      accuracyLo: acc.lo,
      accuracyHi: acc.hi,
      accuracyBootLo: accBoot.lo,
      accuracyBootHi: accBoot.hi,
      logLossMean: ll.mean,
      logLossStd: ll.std,
      logLossLo: ll.lo,
      logLossHi: ll.hi,
      logLossBootLo: llBoot.lo,
      logLossBootHi: llBoot.hi,
    };
  });
}

/**
 * Paired bootstrap of the accuracy difference between two vectors of per-clip correctness
 * (fractions allowed): percentile interval and the two-sided p-value of "no difference",
 * p = (1 + #{|δ* − δ| ≥ |δ|}) / (B + 1).
 */
export function pairedDifference(a: Float64Array, b: Float64Array, resamples: number, seed: number): { diff: number; lo: number; hi: number; p: number } {
  const n = a.length;
  if (b.length !== n) throw new Error('paired comparison needs the same test clips');
  const d = new Float64Array(n);
  let diff = 0;
  for (let i = 0; i < n; i++) {
    d[i] = a[i] - b[i];
    diff += d[i] / n;
  }
  const rng = new Rng(seed);
  const reps = new Float64Array(resamples);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)];
    reps[r] = s / n;
    if (Math.abs(reps[r] - diff) >= Math.abs(diff) - 1e-12) extreme++;
  }
  reps.sort();
  return { diff, lo: reps[Math.floor(0.025 * (resamples - 1))], hi: reps[Math.ceil(0.975 * (resamples - 1))], p: (1 + extreme) / (resamples + 1) };
}

/**
 * Every pair of methods compared (see the module comment), Holm-corrected at `alpha`. The smallest
 * p-value a bootstrap can give is 1/(B+1): with many pairs, B must be large enough (e.g. 10 000
 * for 45 pairs) for Holm's first threshold α/m to be reachable at all.
 */
export function compareMethods(runs: SeedRun[], options: { resamples?: number; seed?: number; alpha?: number } = {}): MethodComparison[] {
  const groups = [...groupRuns(runs)].map(([method, rs]) => ({ method, correct: meanCorrectness(rs) }));
  const rows: Omit<MethodComparison, 'pAdjusted' | 'significant'>[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const r = pairedDifference(groups[i].correct, groups[j].correct, options.resamples ?? 2000, deriveSeed(options.seed ?? 0, `${groups[i].method}|${groups[j].method}`));
      rows.push({ a: groups[i].method, b: groups[j].method, ...r });
    }
  }
  const adjusted = adjustPValues(rows.map((r) => r.p), 'holm');
  const alpha = options.alpha ?? 0.05;
  return rows.map((r, k) => ({ ...r, pAdjusted: adjusted[k], significant: adjusted[k] <= alpha }));
}
