import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { l2Normalise, localisationWeights, logSumExpPool, twoStreamPool } from '../../lib/mil/models/pooling';
import { RoiAveragePool, roiPoolMatrix } from '../../lib/mil/models/layers';
import { testBackend } from '../helpers/backend';

const close = (a: number, b: number, tol = 1e-5, what = '') => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

describe('MIL pooling', () => {
  before(testBackend);

  it('the localisation softmax sums to 1 over the instances of each clip and class', () => {
    const loc = tf.randomNormal([3, 7, 4], 0, 3, 'float32', 1) as tf.Tensor3D;
    const alpha = localisationWeights(loc);
    const sums = tf.sum(alpha, 1).arraySync() as number[][];
    sums.flat().forEach((s) => close(s, 1, 1e-5, 'Σ_i α_ic'));
    assert.ok((alpha.arraySync() as number[][][]).flat(2).every((a) => a > 0 && a < 1));
  });

  it('two-stream pooling equals Σ_i softmax_i(l)·z on a hand-computed case', () => {
    // One clip, 2 instances, 2 classes. Class 0: l = (0, ln 3) → α = (1/4, 3/4); z = (2, −1) → s = 0.5 − 0.75 = −0.25.
    // Class 1: l = (1, 1) → α = (1/2, 1/2); z = (4, 0) → s = 2.
    const z = tf.tensor3d([[[2, 4], [-1, 0]]]);
    const l = tf.tensor3d([[[0, 1], [Math.log(3), 1]]]);
    const s = twoStreamPool(z, l).arraySync() as number[][];
    close(s[0][0], -0.25, 1e-6, 'class 0');
    close(s[0][1], 2, 1e-6, 'class 1');
    // ℓ2 normalisation: (−0.25, 2) / √(0.0625 + 4).
    const n = l2Normalise(tf.tensor2d(s)).arraySync() as number[][];
    close(n[0][0], -0.25 / Math.sqrt(4.0625), 1e-6);
    close(n[0][1], 2 / Math.sqrt(4.0625), 1e-6);
  });

  it('log-sum-exp pooling lies between the mean and the max, and matches the formula', () => {
    // z = (0, ln 3), r = 1: log((1 + 3)/2) = ln 2.
    close((logSumExpPool(tf.tensor3d([[[0], [Math.log(3)]]]), 1).arraySync() as number[][])[0][0], Math.log(2), 1e-6, 'hand case');
    const z = tf.tensor3d([[[1], [2], [5]]]);
    const soft = (logSumExpPool(z, 0.01).arraySync() as number[][])[0][0];
    const hard = (logSumExpPool(z, 100).arraySync() as number[][])[0][0];
    close(soft, 8 / 3, 0.05, 'r → 0 gives the mean');
    close(hard, 5, 0.02, 'r → ∞ gives the max');
  });

  it('the RoI pooling matrix averages the map cells whose centres fall in each bin', () => {
    // A 4 × 4 map at stride 2 (centres at 1, 3, 5, 7 px). Box [0, 0, 8, 4] → 2 × 2 bins of 4 × 2 px:
    // bin (0, 0) covers x ∈ [0, 4), y ∈ [0, 2): centres (1, 1), (3, 1) → cells (0, 0), (0, 1).
    const m = roiPoolMatrix([[0, 0, 8, 4]], 4, 2);
    assert.equal(m.length, 4 * 16);
    const row = (k: number) => Array.from(m.subarray(k * 16, (k + 1) * 16));
    assert.deepEqual(row(0).map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0), [0, 1]);
    assert.deepEqual(row(3).map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0), [6, 7]);
    for (let k = 0; k < 4; k++) close(row(k).reduce((a, b) => a + b, 0), 1, 1e-6, `row ${k}`);
    // A box smaller than a cell still pools one cell.
    const tiny = roiPoolMatrix([[2.2, 2.2, 2.8, 2.8]], 4, 2);
    for (let k = 0; k < 4; k++) close(Array.from(tiny.subarray(k * 16, (k + 1) * 16)).reduce((a, b) => a + b, 0), 1, 1e-6);
  });

  it('RoiAveragePool applies the matrices to the feature map', () => {
    const map = tf.tensor4d(Array.from({ length: 16 * 2 }, (_, i) => i), [1, 4, 4, 2]);
    const pool = tf.tensor3d(roiPoolMatrix([[0, 0, 8, 4]], 4, 2), [1, 4, 16]);
    const out = new RoiAveragePool({}).apply([map, pool]) as tf.Tensor;
    assert.deepEqual(out.shape, [1, 4, 2]);
    // Bin 0 averages cells 0 and 1: channel 0 values 0 and 2 → 1; channel 1 values 1 and 3 → 2.
    const v = out.arraySync() as number[][][];
    close(v[0][0][0], 1);
    close(v[0][0][1], 2);
  });
});
