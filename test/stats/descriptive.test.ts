import assert from 'node:assert/strict';
import { meanStd, seedSummary } from '../../lib/stats/descriptive';
import { close } from './helpers';

describe('stats/descriptive', () => {
  it('meanStd uses the n − 1 divisor', () => {
    // Σ(x − 5)² = 32 over 8 values: sample variance 32/7.
    const r = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(r.n, 8);
    assert.equal(r.mean, 5);
    close(r.std, Math.sqrt(32 / 7), 1e-15);
    assert.equal(meanStd(new Float32Array([3, 3, 3])).std, 0);
    assert.ok(Number.isNaN(meanStd([0.8]).std));
  });

  it('meanStd keeps the variance under a large common offset', () => {
    close(meanStd([1e9 + 1, 1e9 + 2, 1e9 + 3]).std, 1, 1e-9);
  });

  it('meanStd rejects empty and non-finite input', () => {
    assert.throws(() => meanStd([]), RangeError);
    assert.throws(() => meanStd([1, NaN]), /value \[1\] is NaN/);
  });

  it('seedSummary: five seeds give mean ± t_{0.975,4}·s/√5', () => {
    // Deviations −0.01, 0.01, −0.02, 0, 0.02: Σd² = 0.001, s² = 0.00025.
    const s = seedSummary([0.8, 0.82, 0.79, 0.81, 0.83]);
    close(s.mean, 0.81, 1e-15);
    close(s.std, Math.sqrt(0.00025), 1e-14);
    close(s.sem, Math.sqrt(0.00025 / 5), 1e-14);
    assert.equal(s.df, 4);
    close(s.tCritical, 2.776445105197799, 1e-13);
    const half = 2.776445105197799 * Math.sqrt(0.00025 / 5);
    close(s.lo, 0.81 - half, 1e-13);
    close(s.hi, 0.81 + half, 1e-13);
    assert.equal(s.level, 0.95);
    assert.equal(s.bootstrap, undefined);
  });

  it('seedSummary: other levels, one seed, and the optional bootstrap', () => {
    const s90 = seedSummary([1, 2, 3], { level: 0.9 });
    // t_{0.95,2} = 0.9/√(2·0.95·0.05) = 2.919986, s = 1.
    close(s90.hi - s90.mean, (0.9 / Math.sqrt(0.095)) / Math.sqrt(3), 1e-13);
    const one = seedSummary([0.7]);
    assert.equal(one.mean, 0.7);
    assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi));
    const b = seedSummary([0.8, 0.82, 0.79, 0.81, 0.83], { bootstrap: { resamples: 2000, seed: 3 } });
    assert.ok(b.bootstrap);
    assert.ok(b.bootstrap.lo >= 0.79 && b.bootstrap.hi <= 0.83);
    // The bootstrap over five seeds is narrower than the t-interval (see the docs).
    assert.ok(b.bootstrap.hi - b.bootstrap.lo < b.hi - b.lo);
    assert.throws(() => seedSummary([1, 2], { level: 1 }), RangeError);
  });
});
