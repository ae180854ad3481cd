/**
 * Trajectory features from mask sequences: the source report's video feature, which beat 3-D
 * convolutions on the frames — the centroid of each binary mask, joined into a motion track and fed
 * to an MLP.
 *
 * Coordinates: pixel (i, j) covers [i, i+1) × [j, j+1), so a mask's centroid is the mean of
 * (i + 0.5, j + 0.5) over its foreground pixels, in the same coordinates as the simulator's
 * `truth.trajectory`.
 *
 * Frames whose mask is empty (the object left the view or background subtraction failed) get a
 * position by linear interpolation between the nearest non-empty frames before and after; before
 * the first or after the last non-empty frame the nearest known position is carried. Velocities
 * are finite differences in pixels per second: central inside the sequence, one-sided at its ends.
 */
import { InputError } from '../../util/errors';
import type { CollisionSample } from '../../worlds/collision/types';

/** Centroid of one mask (foreground = any non-zero byte); `count` 0 and NaN coordinates when empty. */
export function maskCentroid(mask: Uint8Array, width: number, height: number): { x: number; y: number; count: number } {
  if (mask.length !== width * height) throw new RangeError(`maskCentroid: mask has ${mask.length} bytes, a ${width} × ${height} frame needs ${width * height}`);
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let j = 0; j < height; j++) {
    const row = j * width;
    for (let i = 0; i < width; i++) {
      if (mask[row + i] !== 0) {
        sx += i;
        sy += j;
        count++;
      }
    }
  }
  if (count === 0) return { x: NaN, y: NaN, count: 0 };
  return { x: sx / count + 0.5, y: sy / count + 0.5, count };
}

/** Per-frame centroids with the gaps filled. */
export interface CentroidTrack {
  /** F × 2 (x, y) in pixels, row-major. */
  xy: Float32Array;
  /** 1 where the frame's mask was empty and the position was filled in, else 0. */
  filled: Uint8Array;
}

/**
 * Centroid of every mask of a sample, empty masks filled as the module comment describes.
 * Throws an InputError (naming the sample id) when every mask is empty or there are none.
 */
export function maskCentroids(sample: Pick<CollisionSample, 'id' | 'mask' | 'width' | 'height'>): CentroidTrack {
  const n = sample.mask.length;
  if (n === 0) throw new InputError(sample.id, 'the sample has no mask frames');
  const xy = new Float32Array(2 * n);
  const filled = new Uint8Array(n);
  const known: number[] = [];
  for (let f = 0; f < n; f++) {
    const c = maskCentroid(sample.mask[f], sample.width, sample.height);
    if (c.count === 0) filled[f] = 1;
    else {
      xy[2 * f] = c.x;
      xy[2 * f + 1] = c.y;
      known.push(f);
    }
  }
  if (known.length === 0) throw new InputError(sample.id, `all ${n} masks are empty, so the object's track is unknown`);
  let k = 0;
  for (let f = 0; f < n; f++) {
    if (!filled[f]) continue;
    while (k < known.length && known[k] < f) k++;
    const after = k < known.length ? known[k] : -1;
    const before = k > 0 ? known[k - 1] : -1;
    let a: number;
    let b: number;
    let w: number;
    if (before < 0) [a, b, w] = [after, after, 0];
    else if (after < 0) [a, b, w] = [before, before, 0];
    else [a, b, w] = [before, after, (f - before) / (after - before)];
    xy[2 * f] = xy[2 * a] + w * (xy[2 * b] - xy[2 * a]);
    xy[2 * f + 1] = xy[2 * a + 1] + w * (xy[2 * b + 1] - xy[2 * a + 1]);
  }
  return { xy, filled };
}

/**
 * Velocities (per second) of an F × 2 track sampled at `fps`: central differences
 * (p[f+1] − p[f−1]) · fps / 2 inside, one-sided differences at the ends, 0 for a single frame.
 */
export function trackVelocities(xy: Float32Array, fps: number): Float32Array {
  const n = xy.length / 2;
  const v = new Float32Array(xy.length);
  if (n < 2) return v;
  for (let f = 0; f < n; f++) {
    const a = f === 0 ? 0 : f === n - 1 ? n - 2 : f - 1;
    const b = f === 0 ? 1 : f === n - 1 ? n - 1 : f + 1;
    const scale = fps / (b - a);
    v[2 * f] = (xy[2 * b] - xy[2 * a]) * scale;
    v[2 * f + 1] = (xy[2 * b + 1] - xy[2 * a + 1]) * scale;
  }
  return v;
}

/**
 * Linearly resamples a track of F rows × `cols` to `frames` rows spanning the same time (row i
 * of the result sits at source position i·(F−1)/(frames−1)).
 */
export function resampleRows(data: Float32Array, cols: number, frames: number): Float32Array {
  const n = data.length / cols;
  const out = new Float32Array(frames * cols);
  if (n === 0) throw new RangeError('resampleRows: empty input');
  for (let i = 0; i < frames; i++) {
    const pos = frames === 1 ? 0 : (i * (n - 1)) / (frames - 1);
    const a = Math.min(Math.floor(pos), n - 1);
    const b = Math.min(a + 1, n - 1);
    const w = pos - a;
    for (let c = 0; c < cols; c++) out[i * cols + c] = data[a * cols + c] + w * (data[b * cols + c] - data[a * cols + c]);
  }
  return out;
}

/** Options of `trajectoryFeatures`. */
export interface TrajectoryOptions {
  /** Resample to this many frames (default: keep the sample's frame count). */
  frames?: number;
  /**
   * Scale to the frame size (default true): x' = 2x/width − 1 and y' = 2y/height − 1 lie in
   * [−1, 1]; velocities are scaled by the same 2/width, 2/height (tray half-widths per second), so
   * data sets with different frame sizes or frame rates give comparable numbers.
   */
  normalise?: boolean;
}

/**
 * The trajectory feature of a sample: per frame (x, y, vx, vy) from the mask centroids, as an
 * F × 4 row-major Float32Array. Velocities are computed at the sample's own frame rate, then
 * positions and velocities are resampled together to `frames` rows.
 */
export function trajectoryFeatures(sample: Pick<CollisionSample, 'id' | 'mask' | 'width' | 'height' | 'fps'>, opts: TrajectoryOptions = {}): Float32Array {
  const { xy } = maskCentroids(sample);
  const v = trackVelocities(xy, sample.fps);
  const n = xy.length / 2;
  const normalise = opts.normalise ?? true;
  const sx = normalise ? 2 / sample.width : 1;
  const sy = normalise ? 2 / sample.height : 1;
  const feats = new Float32Array(n * 4);
  for (let f = 0; f < n; f++) {
    feats[4 * f] = normalise ? xy[2 * f] * sx - 1 : xy[2 * f];
    feats[4 * f + 1] = normalise ? xy[2 * f + 1] * sy - 1 : xy[2 * f + 1];
    feats[4 * f + 2] = v[2 * f] * sx;
    feats[4 * f + 3] = v[2 * f + 1] * sy;
  }
  const frames = opts.frames ?? n;
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`trajectoryFeatures: frames must be a positive integer, got ${frames}`);
  return frames === n ? feats : resampleRows(feats, 4, frames);
}
