import assert from 'node:assert/strict';
import { logLoss } from '../../lib/metrics/classification';
import {
  accuracyCI,
  bootstrapCI,
  bootstrapIndexCI,
  logLossCI,
  pairedBootstrap,
  perExampleLogLoss,
  quantileSorted,
} from '../../lib/stats/bootstrap';
import { Rng } from '../../lib/util/rng';
import { close, discordant } from './helpers';

describe('stats/bootstrap', () => {
  it('quantileSorted interpolates linearly (NumPy default)', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
    assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
    assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
    assert.equal(quantileSorted([7], 0.3), 7);
  });

  it('all-equal values give a zero-width interval', () => {
    const r = bootstrapCI([0.42, 0.42, 0.42, 0.42, 0.42], undefined, { resamples: 500, seed: 1 });
    close(r.estimate, 0.42, 1e-15);
    assert.equal(r.lo, r.estimate);
    assert.equal(r.hi, r.estimate);
    assert.equal(r.se, 0);
    assert.equal(r.resamples, 500);
    assert.equal(r.level, 0.95);
  });

  it('large-sample mean: the 95 % interval is about ±1.96σ/√n', () => {
    const rng = new Rng(11);
    const n = 4000;
    const values = Array.from({ length: n }, () => rng.normal(3, 2));
    const r = bootstrapCI(values, undefined, { resamples: 4000, seed: 5 });
    const m = values.reduce((a, b) => a + b, 0) / n;
    const s = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
    const half = (1.959963984540054 * s) / Math.sqrt(n);
    close(r.estimate, m, 1e-12);
    assert.ok(Math.abs((r.hi - r.lo) / 2 / half - 1) < 0.06, `half-width ${(r.hi - r.lo) / 2} vs ${half}`);
    assert.ok(Math.abs((r.hi + r.lo) / 2 - m) < 0.2 * half);
    assert.ok(Math.abs(r.se / (s / Math.sqrt(n)) - 1) < 0.06);
  });

  it('is deterministic given the seed and varies with it', () => {
    const values = [1, 5, 2, 8, 3, 9, 4, 4, 7, 0];
    const a = bootstrapCI(values, undefined, { resamples: 300, seed: 9 });
    const b = bootstrapCI(values, undefined, { resamples: 300, seed: 9 });
    const c = bootstrapCI(values, undefined, { resamples: 300, seed: 10 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(bootstrapCI(values), bootstrapCI(values, undefined, { seed: 0 }));
  });

  it('takes any statistic, e.g. the median', () => {
    const median = (s: Float64Array): number => quantileSorted(Float64Array.from(s).sort(), 0.5);
    const r = bootstrapCI([1, 2, 3, 4, 100], median, { resamples: 200, seed: 2 });
    assert.equal(r.estimate, 3);
    assert.ok(r.lo >= 1 && r.hi <= 100);
  });

  it('bootstrapIndexCI resamples examples jointly across arrays', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const y = [2, 4, 6, 8, 10, 12];
    // y / x is 2 for every example, so every resample's ratio of sums is exactly 2.
    const r = bootstrapIndexCI(6, (idx) => {
      let sx = 0;
      let sy = 0;
      for (const i of idx) {
        sx += x[i];
        sy += y[i];
      }
      return sy / sx;
    }, { resamples: 100 });
    assert.equal(r.lo, 2);
    assert.equal(r.hi, 2);
    assert.throws(() => bootstrapIndexCI(3, () => NaN), /statistic of the original data is NaN/);
    assert.throws(() => bootstrapIndexCI(0, () => 1), RangeError);
    assert.throws(() => bootstrapCI([1, 2], undefined, { resamples: 0 }), RangeError);
    assert.throws(() => bootstrapCI([1, 2], undefined, { level: 95 }), RangeError);
  });

  it('accuracyCI: estimate, binomial width, input forms', () => {
    const n = 2000;
    const correct = Array.from({ length: n }, (_, i) => i % 5 !== 0); // 80 % right
    const r = accuracyCI(correct, { resamples: 3000, seed: 4 });
    assert.equal(r.estimate, 0.8);
    const half = 1.959963984540054 * Math.sqrt((0.8 * 0.2) / n);
    assert.ok(Math.abs((r.hi - r.lo) / 2 / half - 1) < 0.08, `half-width ${(r.hi - r.lo) / 2} vs ${half}`);
    assert.deepEqual(accuracyCI(Uint8Array.from(correct, (c) => (c ? 1 : 0)), { resamples: 3000, seed: 4 }), r);
    assert.deepEqual(accuracyCI(correct.map((c) => (c ? 1 : 0)), { resamples: 3000, seed: 4 }), r);
    assert.throws(() => accuracyCI([1, 2, 0]), /correct\[1\] is 2/);
  });

  it('perExampleLogLoss averages to logLoss; logLossCI brackets it', () => {
    const yTrue = [0, 1, 2, 1];
    const probs = new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.5, 0.25, 0.25]);
    const per = perExampleLogLoss(yTrue, probs);
    close(per[0], -Math.log(Math.fround(0.7) / (Math.fround(0.7) + Math.fround(0.2) + Math.fround(0.1))), 1e-15);
    close(per.reduce((a, b) => a + b, 0) / 4, logLoss(yTrue, probs), 1e-14);
    const rows = [[0.5, 0.5], [0, 1]];
    close(perExampleLogLoss([1, 1], rows)[0], Math.log(2), 1e-15);
    const r = logLossCI(per, { resamples: 500, seed: 1 });
    close(r.estimate, logLoss(yTrue, probs), 1e-14);
    assert.ok(r.lo <= r.estimate && r.estimate <= r.hi);
    assert.throws(() => perExampleLogLoss([3], [[0.5, 0.5]]), /not a class index/);
  });

  describe('pairedBootstrap', () => {
    it('identical classifiers: zero difference, p = 1', () => {
      const a = Uint8Array.from([1, 0, 1, 1, 0, 1]);
      const r = pairedBootstrap(a, a, { resamples: 200, seed: 1 });
      assert.equal(r.diff, 0);
      assert.equal(r.lo, 0);
      assert.equal(r.hi, 0);
      assert.equal(r.p, 1);
    });

    it('a large difference: interval excludes 0 and p = 1/(B + 1)', () => {
      // b = 150, c = 50 over 1000 examples: δ = 0.1, about seven standard errors from 0.
      const { a, b } = discordant(150, 50, 650, 150);
      const r = pairedBootstrap(a, b, { resamples: 999, seed: 3 });
      assert.equal(r.accuracyA, 0.8);
      assert.equal(r.accuracyB, 0.7);
      close(r.diff, 0.1, 1e-15);
      assert.ok(r.lo > 0.07 && r.hi < 0.13);
      assert.equal(r.p, 1 / 1000);
      const flipped = pairedBootstrap(b, a, { resamples: 999, seed: 3 });
      close(flipped.diff, -0.1, 1e-15);
      assert.equal(flipped.p, r.p);
    });

    it('a borderline difference: p near the normal approximation', () => {
      // b = 60, c = 40 of 1000: δ = 0.02, se = √(0.1 − 0.0004)/√1000 → z = 2.004, p ≈ 0.045.
      const { a, b } = discordant(60, 40, 700, 200);
      const r = pairedBootstrap(a, b, { resamples: 20000, seed: 8 });
      assert.ok(r.p > 0.03 && r.p < 0.06, `p = ${r.p}`);
      assert.ok(r.lo < 0.02 && r.lo > -0.005 && r.hi > 0.035);
    });

    it('is deterministic and checks its input', () => {
      const { a, b } = discordant(6, 3, 10, 2);
      assert.deepEqual(pairedBootstrap(a, b, { resamples: 100, seed: 2 }), pairedBootstrap(a, b, { resamples: 100, seed: 2 }));
      assert.throws(() => pairedBootstrap([1, 0], [1]), /2 outcomes for A but 1 for B/);
    });
  });
});
