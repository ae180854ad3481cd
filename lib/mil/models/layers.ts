/**
 * The two layers the MIL networks need beyond tfjs's: region-of-interest average pooling on a
 * convolutional feature map (Girshick's RoI pooling, averaging instead of max), and the learned
 * affine map that turns the fused, normalised clip scores into logits.
 */
import * as tf from '@tensorflow/tfjs';
import type { Box } from '../../metrics/localisation';

/**
 * RoI average pooling as a matrix: each proposal is split into `bins × bins` cells, and each cell
 * averages the feature-map positions whose receptive-field centres fall inside it. For a feature
 * map of `mapSize × mapSize` at `stride` pixels, position (u, v) is centred at pixel
 * (stride·u + stride/2, stride·v + stride/2). A cell that contains no centre takes the position
 * nearest to its own centre. Returns `[boxes.length · bins², mapSize²]` row-major; rows sum to 1.
 */
export function roiPoolMatrix(boxes: readonly Box[], mapSize: number, stride: number, bins = 2): Float32Array {
  const cells = mapSize * mapSize;
  const out = new Float32Array(boxes.length * bins * bins * cells);
  const centre = (u: number) => stride * u + stride / 2;
  boxes.forEach((b, r) => {
    const bw = (b[2] - b[0]) / bins;
    const bh = (b[3] - b[1]) / bins;
    for (let by = 0; by < bins; by++) {
      for (let bx = 0; bx < bins; bx++) {
        const row = out.subarray(((r * bins + by) * bins + bx) * cells, ((r * bins + by) * bins + bx + 1) * cells);
        const [x0, x1] = [b[0] + bx * bw, b[0] + (bx + 1) * bw];
        const [y0, y1] = [b[1] + by * bh, b[1] + (by + 1) * bh];
        let count = 0;
        for (let v = 0; v < mapSize; v++) {
          if (centre(v) < y0 || centre(v) >= y1) continue;
          for (let u = 0; u < mapSize; u++) {
            if (centre(u) < x0 || centre(u) >= x1) continue;
            row[v * mapSize + u] = 1;
            count++;
          }
        }
        if (count === 0) {
          const clamp = (p: number) => Math.min(mapSize - 1, Math.max(0, Math.floor(p / stride)));
          row[clamp((y0 + y1) / 2) * mapSize + clamp((x0 + x1) / 2)] = 1;
        } else {
          for (let k = 0; k < cells; k++) row[k] /= count;
        }
      }
    }
  });
  return out;
}

/**
 * Inputs: a feature map `[n, H, W, D]` and pooling matrices `[n, K, H·W]` (`roiPoolMatrix` per
 * frame); output `[n, K, D]`: row k is the average of the map over pooling row k. A batched matrix
 * product, so gradients reach the convolutions below.
 */
export class RoiAveragePool extends tf.layers.Layer {
  static readonly className = 'RoiAveragePool';

  override computeOutputShape(shapes: tf.Shape | tf.Shape[]): tf.Shape {
    const [map, pool] = shapes as tf.Shape[];
    return [map[0], pool[1], map[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [map, pool] = inputs as tf.Tensor[];
      const [n, h, w, d] = map.shape;
      return tf.matMul(pool as tf.Tensor3D, tf.reshape(map, [n, h * w, d]) as tf.Tensor3D);
    });
  }
}

/** y = exp(log κ) · x + b: one learned scale for every class (κ > 0) and a bias per class. */
export class ClassAffine extends tf.layers.Layer {
  static readonly className = 'ClassAffine';
  private logScale!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(readonly initialScale: number, name?: string) {
    super({ name });
  }

  override build(shape: tf.Shape | tf.Shape[]): void {
    const classes = (shape as tf.Shape)[(shape as tf.Shape).length - 1] as number;
    this.logScale = this.addWeight('log_scale', [1], 'float32', tf.initializers.constant({ value: Math.log(this.initialScale) }));
    this.bias = this.addWeight('bias', [classes], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(tf.mul(x, tf.exp(this.logScale.read())), this.bias.read());
    });
  }
}
