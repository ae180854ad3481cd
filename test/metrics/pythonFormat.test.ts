import assert from 'node:assert/strict';
import { formatFixed } from '../../lib/metrics/pythonFormat';

describe('formatFixed (Python ".Nf" formatting)', () => {
  it('rounds exact binary ties to even, unlike toFixed', () => {
    assert.equal((0.125).toFixed(2), '0.13'); // the JavaScript behaviour this module exists to avoid
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(0.5, 0), '0');
    assert.equal(formatFixed(1.5, 0), '2');
    assert.equal(formatFixed(2.5, 0), '2');
  });

  it('rounds the exact binary value, so near-ties go the way the stored double lies', () => {
    assert.equal(formatFixed(2.675, 2), '2.67'); // 2.675 is stored as 2.67499999...
    assert.equal(formatFixed(0.005, 2), '0.01'); // 0.005 is stored as 0.005000000000000000104...
    assert.equal(formatFixed(0.18125, 4), '0.1812'); // stored just below the tie
  });

  it('pads, keeps signs and handles extremes', () => {
    assert.equal(formatFixed(0, 3), '0.000');
    assert.equal(formatFixed(-0, 2), '-0.00');
    assert.equal(formatFixed(-0.0001, 2), '-0.00');
    assert.equal(formatFixed(1, 2), '1.00');
    assert.equal(formatFixed(36.04365338911715, 3), '36.044');
    assert.equal(formatFixed(1e-300, 2), '0.00');
    assert.equal(formatFixed(5e-324, 3), '0.000');
    assert.equal(formatFixed(1e22, 1), '10000000000000000000000.0');
    assert.equal(formatFixed(123.456, 1), '123.5');
    assert.equal(formatFixed(NaN, 2), 'nan');
    assert.equal(formatFixed(-Infinity, 2), '-inf');
  });

  it('rejects a bad digit count', () => {
    assert.throws(() => formatFixed(1, -1), RangeError);
    assert.throws(() => formatFixed(1, 1.5), RangeError);
  });
});
