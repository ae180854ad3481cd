import assert from 'node:assert/strict';
import { adjustPValues, mcnemar, mcnemarFromCounts, pairwiseTests } from '../../lib/stats/hypothesis';
import { pairedBootstrap } from '../../lib/stats/bootstrap';
import { erfc } from '../../lib/stats/special';
import { deriveSeed } from '../../lib/util/rng';
import { close, discordant } from './helpers';

describe('stats/hypothesis', () => {
  describe('mcnemar', () => {
    it('exact: b = 3, c = 10 → p = 2·Σ_{k≤3} C(13,k)/2¹³ = 0.09228515625', () => {
      const { a, b } = discordant(3, 10, 20, 5);
      const r = mcnemar(a, b);
      assert.equal(r.b, 3);
      assert.equal(r.c, 10);
      assert.equal(r.n, 38);
      assert.equal(r.method, 'exact');
      assert.ok(Number.isNaN(r.statistic));
      assert.equal(r.p, (2 * (1 + 13 + 78 + 286)) / 8192);
      close(r.p, 0.09228515625, 1e-15);
      // The test is symmetric in A and B.
      assert.equal(mcnemar(b, a).p, r.p);
    });

    it('χ²: b = 30, c = 12 → (|30−12|−1)²/42 = 6.881, p = 0.008711', () => {
      const { a, b } = discordant(30, 12, 100, 10);
      const r = mcnemar(a, b);
      assert.equal(r.method, 'chi2');
      close(r.statistic, 289 / 42, 1e-15);
      close(r.p, 0.008711912962379598, 1e-13);
      assert.equal(r.p.toFixed(6), '0.008712');
    });

    it('the exact option overrides the b + c < 25 rule both ways', () => {
      // Exact at b + c = 42: 2·P(Bin(42, ½) ≤ 12).
      close(mcnemarFromCounts(30, 12, 42, { exact: true }).p, 0.007915897334896727, 1e-12);
      // χ² at b + c = 13: (|3 − 10| − 1)²/13 = 36/13, p = erfc(√(18/13)).
      const r = mcnemarFromCounts(3, 10, 13, { exact: false });
      assert.equal(r.method, 'chi2');
      close(r.statistic, 36 / 13, 1e-15);
      close(r.p, erfc(Math.sqrt(18 / 13)), 1e-15);
      close(r.p, 0.0960923294556734, 1e-13);
      // b + c = 25 is the first χ² case by default.
      assert.equal(mcnemarFromCounts(20, 5).method, 'chi2');
      assert.equal(mcnemarFromCounts(19, 5).method, 'exact');
    });

    it('no discordant examples, or b = c, gives p = 1', () => {
      assert.equal(mcnemar([1, 0, 1], [1, 0, 1]).p, 1);
      assert.equal(mcnemarFromCounts(0, 0, 10, { exact: false }).p, 1);
      assert.equal(mcnemarFromCounts(5, 5).p, 1);
      const equal = mcnemarFromCounts(40, 40);
      assert.equal(equal.statistic, 0);
      assert.equal(equal.p, 1);
    });

    it('checks its input', () => {
      assert.throws(() => mcnemar([1, 0], [1]), /2 outcomes for A but 1 for B/);
      assert.throws(() => mcnemar([true, 'x' as unknown as boolean], [true, false]), /aCorrect\[1\]/);
      assert.throws(() => mcnemarFromCounts(-1, 2), RangeError);
    });
  });

  describe('adjustPValues', () => {
    it('Holm on a hand example', () => {
      // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
      const adj = adjustPValues([0.01, 0.04, 0.03, 0.005], 'holm');
      [0.03, 0.06, 0.06, 0.02].forEach((v, i) => close(adj[i], v, 1e-15));
    });

    it('caps at 1; Bonferroni multiplies by m; none passes through', () => {
      assert.deepEqual(adjustPValues([0.5, 0.6], 'holm'), [1, 1]);
      const bon = adjustPValues([0.01, 0.04, 0.3], 'bonferroni');
      [0.03, 0.12, 0.9].forEach((v, i) => close(bon[i], v, 1e-15));
      assert.deepEqual(adjustPValues([0.01, 0.2], 'none'), [0.01, 0.2]);
      assert.deepEqual(adjustPValues([]), []);
      assert.throws(() => adjustPValues([1.5]), RangeError);
    });

    it('Holm is never larger than Bonferroni', () => {
      const p = [0.001, 0.02, 0.013, 0.2, 0.04];
      const holm = adjustPValues(p, 'holm');
      const bon = adjustPValues(p, 'bonferroni');
      holm.forEach((h, i) => assert.ok(h <= bon[i] + 1e-15));
    });
  });

  describe('pairwiseTests', () => {
    // A beats C clearly, A vs B and B vs C are small differences.
    const ab = discordant(12, 4, 60, 24);
    const methods = [
      { name: 'A', correct: ab.a },
      { name: 'B', correct: ab.b },
      { name: 'C', correct: Uint8Array.from(ab.a, (v, i) => (i < 30 ? 0 : v)) },
    ];

    it('McNemar on every pair with Holm adjustment', () => {
      const rows = pairwiseTests(methods);
      assert.deepEqual(rows.map((r) => [r.a, r.b]), [['A', 'B'], ['A', 'C'], ['B', 'C']]);
      const raw = [mcnemar(methods[0].correct, methods[1].correct).p, mcnemar(methods[0].correct, methods[2].correct).p, mcnemar(methods[1].correct, methods[2].correct).p];
      assert.deepEqual(rows.map((r) => r.p), raw);
      assert.deepEqual(rows.map((r) => r.pAdjusted), adjustPValues(raw, 'holm'));
      assert.deepEqual(rows.map((r) => r.significant), rows.map((r) => r.pAdjusted <= 0.05));
      close(rows[0].accuracyA, 0.72, 1e-15);
      close(rows[0].accuracyB, 0.64, 1e-15);
      close(rows[0].diff, 0.08, 1e-15);
      assert.equal(rows[0].test, 'mcnemar');
      // C is A with the first 30 examples made wrong; A is right on 12 + 14 of them: b = 26, c = 0.
      const ac = mcnemar(methods[0].correct, methods[2].correct);
      assert.equal(ac.b, 26);
      assert.equal(ac.c, 0);
      assert.equal(rows[1].significant, true);
    });

    it('bootstrap p-values, seeded per pair', () => {
      const rows = pairwiseTests(methods, { test: 'bootstrap', resamples: 500, seed: 7 });
      assert.equal(rows[0].test, 'bootstrap');
      assert.deepEqual(rows, pairwiseTests(methods, { test: 'bootstrap', resamples: 500, seed: 7 }));
      rows.forEach((r) => assert.ok(r.p > 0 && r.p <= 1));
      assert.ok(rows[1].p < 0.01);
      const direct = pairedBootstrap(methods[0].correct, methods[2].correct, { resamples: 500, seed: deriveSeed(7, 'A\u0000C') });
      assert.equal(rows[1].p, direct.p);
    });

    it('alpha and correction options; bad input', () => {
      const none = pairwiseTests(methods, { correction: 'none', alpha: 0.1 });
      none.forEach((r) => {
        assert.equal(r.pAdjusted, r.p);
        assert.equal(r.significant, r.p <= 0.1);
      });
      assert.throws(() => pairwiseTests([methods[0], methods[0]]), /appears twice/);
      assert.throws(() => pairwiseTests([methods[0], { name: 'short', correct: [1, 0] }]), /has 2 outcomes/);
      assert.throws(() => pairwiseTests(methods, { alpha: 0 }), RangeError);
      assert.deepEqual(pairwiseTests([methods[0]]), []);
    });
  });
});
