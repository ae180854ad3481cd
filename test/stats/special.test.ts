import assert from 'node:assert/strict';
import {
  betaIncomplete,
  binomialHalfCdf,
  chiSquare1Sf,
  chiSquareSf,
  erf,
  erfc,
  lnGamma,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  studentTSf,
} from '../../lib/stats/special';
import { close } from './helpers';

describe('stats/special', () => {
  it('lnGamma matches factorials and Γ(½) = √π', () => {
    let fact = 1;
    for (let n = 1; n <= 20; n++) {
      close(lnGamma(n), Math.log(fact), 1e-13);
      fact *= n;
    }
    close(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
    // Γ(x+1) = xΓ(x) through the reflection branch.
    close(lnGamma(0.1), lnGamma(1.1) - Math.log(0.1), 1e-13);
    assert.throws(() => lnGamma(0), RangeError);
  });

  it('erf / erfc at known values, including the deep tail', () => {
    assert.equal(erfc(0), 1);
    close(erfc(1), 0.15729920705028513, 1e-14);
    close(erf(0.5), 0.5204998778130465, 1e-14);
    close(erfc(-1), 2 - 0.15729920705028513, 1e-14);
    // Relative precision in the tail: erfc(3) = 2.2090496998585441e-5, erfc(10) = 2.0884875837625447e-45.
    close(erfc(3) / 2.2090496998585441e-5, 1, 1e-13);
    close(erfc(10) / 2.0884875837625447e-45, 1, 1e-12);
    close(erf(0.3) + erfc(0.3), 1, 1e-15);
  });

  it('normal CDF and quantile', () => {
    close(normalCdf(0), 0.5, 1e-15);
    close(normalQuantile(0.975), 1.959963984540054, 1e-14);
    close(normalQuantile(0.001), -3.090232306167813, 1e-13);
    close(normalQuantile(1e-10), -6.361340902404056, 1e-13);
    for (const p of [1e-6, 0.01, 0.2, 0.5, 0.77, 0.999]) close(normalCdf(normalQuantile(p)), p, 1e-14);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
  });

  it('incomplete beta: closed forms I_x(1,1) = x, I_x(a,1) = xᵃ, and the binomial identity', () => {
    close(betaIncomplete(0.37, 1, 1), 0.37, 1e-14);
    close(betaIncomplete(0.6, 3.5, 1), 0.6 ** 3.5, 1e-14);
    close(betaIncomplete(0.2, 1, 4), 1 - 0.8 ** 4, 1e-14);
    // I_x(2, 5) = P(Bin(6, x) ≥ 2) = 1 − (1−x)⁶ − 6x(1−x)⁵ = 0.579825 at x = 0.3.
    close(betaIncomplete(0.3, 2, 5), 0.579825, 1e-13);
    // Symmetry I_x(a,b) = 1 − I_{1−x}(b,a) across the branch point.
    close(betaIncomplete(0.8, 2.5, 7), 1 - betaIncomplete(0.2, 7, 2.5), 1e-14);
  });

  describe('Student t', () => {
    it('t_{0.975,4} = 2.776445105197799 (the 5-seed critical value)', () => {
      close(studentTQuantile(0.975, 4), 2.776445105197799, 1e-13);
      // Closed form for 4 df: α = 4p(1−p), q = cos(⅓ arccos √α)/√α, t = 2√(q − 1).
      for (const p of [0.6, 0.9, 0.95, 0.99, 0.9995]) {
        const a = 4 * p * (1 - p);
        const q = Math.cos(Math.acos(Math.sqrt(a)) / 3) / Math.sqrt(a);
        close(studentTQuantile(p, 4), 2 * Math.sqrt(q - 1), 1e-12);
      }
      close(studentTQuantile(0.025, 4), -2.776445105197799, 1e-13);
    });

    it('matches the 1, 2 and 3 degree-of-freedom closed forms', () => {
      close(studentTQuantile(0.975, 1), Math.tan(0.475 * Math.PI), 1e-14);
      close(studentTQuantile(0.975, 2), 0.95 / Math.sqrt(2 * 0.975 * 0.025), 1e-14);
      // 3 df: F(t) = ½ + (θ + sinθ cosθ)/π with θ = atan(t/√3).
      const f3 = (t: number): number => {
        const th = Math.atan(t / Math.sqrt(3));
        return 0.5 + (th + Math.sin(th) * Math.cos(th)) / Math.PI;
      };
      for (const t of [-4, -0.3, 0, 0.5, 1.6377, 3, 12]) close(studentTCdf(t, 3), f3(t), 1e-14);
      for (const p of [0.55, 0.9, 0.975, 0.999]) close(f3(studentTQuantile(p, 3)), p, 1e-14);
      // 2 df: F(t) = ½ + t / (2√(2 + t²)).
      for (const t of [0.1, 1, 5]) close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14);
    });

    it('matches the finite-sum CDF for integer df (Abramowitz & Stegun 26.7.3–4)', () => {
      // θ = atan(t/√ν); odd ν: F = ½ + [θ + sinθ(cosθ + ⅔cos³θ + …)]/π;
      // even ν: F = ½ + ½ sinθ (1 + ½cos²θ + (1·3)/(2·4)cos⁴θ + …).
      const finiteSumCdf = (t: number, nu: number): number => {
        const th = Math.atan(t / Math.sqrt(nu));
        const c = Math.cos(th);
        if (nu % 2 === 1) {
          let term = c;
          let sum = nu > 1 ? c : 0;
          for (let k = 3; k <= nu - 2; k += 2) sum += term *= ((k - 1) / k) * c * c;
          return 0.5 + (th + Math.sin(th) * sum) / Math.PI;
        }
        let term = 1;
        let sum = 1;
        for (let k = 2; k <= nu - 2; k += 2) sum += term *= ((k - 1) / k) * c * c;
        return 0.5 + 0.5 * Math.sin(th) * sum;
      };
      for (const nu of [1, 3, 4, 5, 9, 10, 30]) {
        for (const t of [-3, 0.2, 1, 2.5, 8]) close(studentTCdf(t, nu), finiteSumCdf(t, nu), 1e-13);
        for (const p of [0.9, 0.975, 0.995]) close(finiteSumCdf(studentTQuantile(p, nu), nu), p, 1e-14);
      }
      // Table values: t_{0.975,9} = 2.262157, t_{0.995,30} = 2.749996.
      close(studentTQuantile(0.975, 9), 2.2621571627982, 1e-12);
      close(studentTQuantile(0.995, 30), 2.749995653567, 1e-12);
    });

    it('limits and bad input', () => {
      close(studentTQuantile(0.975, Infinity), 1.959963984540054, 1e-14);
      close(studentTQuantile(0.975, 1e6), 1.959963984540054, 1e-5);
      assert.equal(studentTQuantile(0.5, 7), 0);
      close(studentTSf(0, 5), 0.5, 1e-15);
      close(studentTCdf(1.5, 7) + studentTSf(1.5, 7), 1, 1e-15);
      assert.throws(() => studentTQuantile(0.9, 0), RangeError);
      assert.throws(() => studentTQuantile(1.2, 3), RangeError);
    });
  });

  it('χ² survival: 1 df via erfc (3.841 → 0.05), 2 and 4 df closed forms', () => {
    close(chiSquare1Sf(3.841458820694124), 0.05, 1e-13);
    close(chiSquare1Sf(289 / 42), 0.008711912962379598, 1e-13);
    close(chiSquareSf(289 / 42, 1), chiSquare1Sf(289 / 42), 1e-14);
    close(chiSquareSf(5, 2), Math.exp(-2.5), 1e-14);
    close(chiSquareSf(6.25, 4), Math.exp(-3.125) * (1 + 3.125), 1e-14);
    assert.equal(chiSquare1Sf(0), 1);
  });

  it('binomial(n, ½) CDF: exact sums and the incomplete-beta branch', () => {
    assert.equal(binomialHalfCdf(3, 13), (1 + 13 + 78 + 286) / 8192);
    assert.equal(binomialHalfCdf(0, 5), 1 / 32);
    assert.equal(binomialHalfCdf(5, 5), 1);
    assert.equal(binomialHalfCdf(-1, 5), 0);
    // Symmetry P(X ≤ k) + P(X ≤ n−k−1) = 1 on both branches.
    close(binomialHalfCdf(480, 1000) + binomialHalfCdf(519, 1000), 1, 1e-13);
    close(binomialHalfCdf(4900, 10000) + binomialHalfCdf(5099, 10000), 1, 1e-12);
    close(binomialHalfCdf(4900, 10000), 0.023292763852473617, 1e-11);
  });
});
