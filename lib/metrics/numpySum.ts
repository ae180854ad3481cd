/**
 * Floating-point sums in NumPy's order. scikit-learn averages with `np.sum`/`np.mean`, which add
 * by pairwise blocks rather than left to right; reproducing that order keeps averages identical to
 * the last bit, so a value on a rounding tie (0.125 printed with two digits) rounds the same way.
 */

/** NumPy's block size below which a block is summed with eight interleaved accumulators. */
const BLOCK = 128;

/** The sum of `values[start .. start+length)` in the order of NumPy's `pairwise_sum` for float64. */
export function numpySum(values: ArrayLike<number>, start = 0, length = values.length - start): number {
  if (length < 8) {
    let res = 0;
    for (let i = 0; i < length; i++) res += values[start + i];
    return res;
  }
  if (length <= BLOCK) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[start + j];
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < length; i++) res += values[start + i];
    return res;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, length - half);
}

/** `np.mean` of a float64 vector: the NumPy-ordered sum divided by the count. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
