import assert from 'node:assert/strict';
import { concatFloat32 } from '../../lib/util/arrays';

describe('concatFloat32', () => {
  it('joins arrays end to end, empty ones included, into a new array', () => {
    const a = Float32Array.from([1, 2]);
    const out = concatFloat32([a, new Float32Array(0), Float32Array.from([3])]);
    assert.deepEqual([...out], [1, 2, 3]);
    out[0] = 9;
    assert.equal(a[0], 1, 'the inputs are copied, not shared');
    assert.equal(concatFloat32([]).length, 0);
  });
});
