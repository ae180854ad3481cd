/**
 * The case of tfjs's `Sum` that both column-sum kernels take over (lib/backend/wasmColumnSum.ts,
 * lib/backend/webgpu/columnSum.ts): a float32 sum over exactly the leading axes 0..k−1 of a tensor
 * of rank > k (every bias gradient), read as column sums of x viewed as [rows, cols].
 */
import * as tf from '@tensorflow/tfjs';

/** x as [rows, cols] and the shape of the sum (keepDims honoured). */
export interface ColumnSumCase {
  rows: number;
  cols: number;
  outShape: number[];
}

/** The column-sum view of `Sum(x, axis, keepDims)`, or null where the sum is another reduction. */
export function columnSumCase(x: tf.TensorInfo, attrs: { axis: number | number[]; keepDims: boolean }): ColumnSumCase | null {
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading) return null;
  return {
    rows: x.shape.slice(0, k).reduce((a, b) => a * b, 1),
    cols: x.shape.slice(k).reduce((a, b) => a * b, 1),
    outShape: attrs.keepDims ? x.shape.map((s, d) => (d < k ? 1 : s)) : x.shape.slice(k),
  };
}
