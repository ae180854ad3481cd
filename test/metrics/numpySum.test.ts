import assert from 'node:assert/strict';
import { numpyMean, numpySum } from '../../lib/metrics/numpySum';

const BIG = 2 ** 53; // adding 1 to it is lost, adding 2 is not: shows the order of additions

describe('numpySum', () => {
  it('adds fewer than eight values left to right', () => {
    assert.equal(numpySum([BIG, 1, 1]), BIG);
    assert.equal(numpySum([1, 2, 3.5]), 6.5);
    assert.equal(numpySum([]), 0);
  });

  it('pairs eight values as ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7))', () => {
    // Left to right this is BIG: each +1 is rounded away; pairwise the two ones meet first.
    assert.equal(numpySum([BIG, 0, 1, 1, 0, 0, 0, 0]), BIG + 2);
  });

  it('folds longer blocks into eight accumulators, then adds the tail left to right', () => {
    const a = new Array(16).fill(0);
    a[0] = BIG;
    a[10] = 1; // accumulator 2
    a[11] = 1; // accumulator 3
    assert.equal(numpySum(a), BIG + 2);
    const tail = [BIG, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    // r0 = BIG+1 → BIG; the tail (indices 16, 17) is then added one at a time and lost too.
    assert.equal(numpySum(tail), BIG);
  });

  it('splits arrays longer than 128 into halves', () => {
    const a = [BIG, ...new Array(127).fill(0), ...new Array(128).fill(1)];
    assert.equal(numpySum(a), BIG + 128);
  });

  it('sums a sub-range', () => {
    assert.equal(numpySum([100, 1, 2, 3, 100], 1, 3), 6);
  });

  it('numpyMean divides the sum by the count', () => {
    assert.equal(numpyMean([0.125, 0.6, 0, 0]), 0.18125);
  });
});
