import assert from 'node:assert/strict';
import { compareMethods, meanCorrectness, pairedDifference, SeedRun, summariseMethods } from '../../../lib/scenes/experiments/seedStats';
import type { SceneRunResult } from '../../../lib/scenes/experiments/sceneRun';

/** A fake run: predictions given, probabilities one-hot-ish (0.9 on the prediction). */
function run(kind: string, seed: number, yTrue: number[], yPred: number[]): SeedRun {
  const C = 2;
  const probs = new Float32Array(yTrue.length * C);
  yPred.forEach((p, i) => {
    probs[i * C + p] = 0.9;
    probs[i * C + (1 - p)] = 0.1;
  });
  const accuracy = yPred.filter((p, i) => p === yTrue[i]).length / yTrue.length;
  return { kind, seed, result: { yTrue: Int32Array.from(yTrue), yPred: Int32Array.from(yPred), probs, accuracy } as unknown as SceneRunResult };
}

describe('comparisons over seeds', () => {
  const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
  const always = [run('A', 0, y, y), run('A', 1, y, y)];
  const half = [run('B', 0, y, [0, 1, 0, 1, 0, 0, 1, 0, 1, 0]), run('B', 1, y, [0, 1, 0, 1, 0, 1, 0, 0, 1, 0])];

  it('averages per-clip correctness over seeds', () => {
    assert.deepEqual(Array.from(meanCorrectness(half)), [1, 1, 1, 1, 1, 0.5, 0.5, 0, 0, 0]);
  });

  it('summarises accuracy over seeds with the t-interval (hand-computed)', () => {
    const [, b] = summariseMethods([...always, ...half], { resamples: 500 });
    // accuracies 0.5 and 0.7: mean 0.6, std 0.1414, t(0.975, 1) = 12.706 → ± 12.706 · 0.1
    assert.equal(b.method, 'B');
    assert.ok(Math.abs(b.accuracyMean - 0.6) < 1e-12);
    assert.ok(Math.abs(b.accuracyStd - Math.SQRT2 / 10) < 1e-12);
    assert.ok(Math.abs(b.accuracyHi - (0.6 + 12.7062047 * 0.1)) < 1e-4);
    // The bootstrap interval over clips brackets the mean.
    assert.ok(b.accuracyBootLo < 0.6 && b.accuracyBootHi > 0.6);
    // Log loss: right clips cost −ln 0.9, wrong ones −ln 0.1.
    const ll0 = (5 * -Math.log(0.9) + 5 * -Math.log(0.1)) / 10;
    const ll1 = (7 * -Math.log(0.9) + 3 * -Math.log(0.1)) / 10;
    assert.ok(Math.abs(b.logLossMean - (ll0 + ll1) / 2) < 1e-6);
  });

  it('finds a large difference significant and identical methods not', () => {
    const rows = compareMethods([...always, ...half, run('C', 0, y, y), run('C', 1, y, y)], { resamples: 2000 });
    const ab = rows.find((r) => r.a === 'A' && r.b === 'B')!;
    assert.ok(Math.abs(ab.diff - 0.4) < 1e-12);
    assert.equal(ab.significant, true);
    assert.ok(ab.lo > 0 && ab.hi <= 0.8);
    const ac = rows.find((r) => r.a === 'A' && r.b === 'C')!;
    assert.equal(ac.diff, 0);
    assert.equal(ac.p, 1);
    assert.equal(ac.significant, false);
    assert.ok(ab.pAdjusted >= ab.p, 'Holm never lowers a p-value');
  });

  it('pairedDifference is deterministic for a seed and its p-value lies in (0, 1]', () => {
    const a = Float64Array.from([1, 1, 1, 0, 1, 0, 1, 1]);
    const b = Float64Array.from([1, 0, 1, 0, 0, 0, 1, 0]);
    const r1 = pairedDifference(a, b, 999, 4);
    assert.deepEqual(r1, pairedDifference(a, b, 999, 4));
    assert.equal(r1.diff, 3 / 8);
    assert.ok(r1.p > 0 && r1.p <= 1);
  });
});
