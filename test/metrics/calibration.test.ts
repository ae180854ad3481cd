import assert from 'node:assert/strict';
import {
  eceFromBins,
  expectedCalibrationError,
  maxCalibrationError,
  mceFromBins,
  reliabilityBins,
} from '../../lib/metrics/calibration';

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);
}

// Three classes, five predictions. Confidence / predicted class / truth:
//   0.9  / 0 / 0  right      (0.5, 1] bin
//   0.7  / 0 / 1  wrong      (0.5, 1] bin
//   0.4  / 1 / 1  right      [0, 0.5] bin (tie 0.4/0.4: the first class wins)
//   0.4  / 2 / 0  wrong      [0, 0.5] bin
//   0.45 / 1 / 2  wrong      [0, 0.5] bin (tie again)
const PROBS = new Float64Array([0.9, 0.05, 0.05, 0.7, 0.2, 0.1, 0.2, 0.4, 0.4, 0.3, 0.3, 0.4, 0.1, 0.45, 0.45]);
const Y = [0, 1, 1, 0, 2];

describe('metrics/calibration', () => {
  it('reliabilityBins on a hand-computed two-bin example', () => {
    const bins = reliabilityBins(PROBS, Y, { bins: 2 });
    assert.equal(bins.length, 2);
    assert.deepEqual([bins[0].lower, bins[0].upper, bins[1].lower, bins[1].upper], [0, 0.5, 0.5, 1]);
    assert.equal(bins[0].count, 3);
    close(bins[0].confidence, (0.4 + 0.4 + 0.45) / 3);
    close(bins[0].accuracy, 1 / 3);
    assert.equal(bins[1].count, 2);
    close(bins[1].confidence, 0.8);
    assert.equal(bins[1].accuracy, 0.5);
  });

  it('ECE = 3/5·|1/3 − 1.25/3| + 2/5·|0.5 − 0.8| = 0.05 + 0.12 = 0.17; MCE = 0.3', () => {
    close(expectedCalibrationError(PROBS, Y, { bins: 2 }), 0.17);
    close(maxCalibrationError(PROBS, Y, { bins: 2 }), 0.3);
    const bins = reliabilityBins(PROBS, Y, { bins: 2 });
    close(eceFromBins(bins), 0.17);
    close(mceFromBins(bins), 0.3);
  });

  it('defaults to 15 bins and keeps empty ones with NaN means', () => {
    const bins = reliabilityBins(PROBS, Y);
    assert.equal(bins.length, 15);
    assert.equal(bins.reduce((s, b) => s + b.count, 0), 5);
    const empty = bins.find((b) => b.count === 0)!;
    assert.ok(Number.isNaN(empty.confidence) && Number.isNaN(empty.accuracy));
    // With 15 bins the confidences split as {0.4, 0.4} in (1/3, 0.4] (0.4 = 6/15 is an upper edge),
    // {0.45} in (0.4, 7/15], {0.7} and {0.9} alone.
    const ece = (2 * Math.abs(0.5 - 0.4) + Math.abs(0 - 0.45) + Math.abs(0 - 0.7) + Math.abs(1 - 0.9)) / 5;
    close(expectedCalibrationError(PROBS, Y), ece);
  });

  it('bin edges are (lower, upper] exactly, despite rounding in conf·M', () => {
    // 0.3·10 and 0.7·10 round above 3 and 7 in floating point; they still belong to (0.2, 0.3] and (0.6, 0.7].
    const probs = new Float64Array([0.3, 0.7, 0.7, 0.3, 1, 0, 0.5, 0.5]);
    const bins = reliabilityBins(probs, [1, 0, 0, 1], { bins: 10 });
    assert.deepEqual(bins.map((b) => b.count), [0, 0, 0, 0, 1, 0, 2, 0, 0, 1]);
    // A confidence of exactly 0 (all-zero row) goes to the first bin.
    assert.equal(reliabilityBins(new Float64Array([0, 0]), [0], { bins: 4 })[0].count, 1);
  });

  it('a perfectly calibrated model has ECE 0; Float32 input works', () => {
    // Four predictions at confidence 0.75, three right.
    const probs = new Float32Array([0.75, 0.25, 0.75, 0.25, 0.25, 0.75, 0.25, 0.75]);
    close(expectedCalibrationError(probs, [0, 0, 1, 0]), 0);
    close(maxCalibrationError(probs, [0, 0, 1, 1]), 0.25);
  });

  it('rejects bad input', () => {
    assert.throws(() => reliabilityBins(PROBS, Y, { bins: 0 }), RangeError);
    assert.throws(() => reliabilityBins(PROBS, [0, 1]), /are not 2 rows/);
    assert.throws(() => reliabilityBins(PROBS, [0, 1, 1, 0, 3]), /not a class index/);
    assert.throws(() => reliabilityBins(new Float64Array([1.5, -0.5]), [0]), /outside \[0, 1\]/);
    assert.throws(() => reliabilityBins(new Float64Array(0), []), /no examples/);
    assert.throws(() => eceFromBins([]), RangeError);
  });
});
