/**
 * The inputs of the matching models, computed once per sample and kept as plain arrays:
 *
 * - **audio**: the per-microphone log STFT magnitude (lib/signal/spectrogram), area-resampled to a
 *   small `F × T` grid and laid out channels last, `[F, T, 4]`. The source report fed the full
 *   513 × 196 × 4 spectrogram to its ResNet; on two CPU cores a 64 × 64 grid keeps an epoch in
 *   seconds, and the coarse grid still shows the impact's time (columns), its material (the shape over
 *   rows) and the wall it hit (the level differences between channels).
 * - **trajectory**: the mask-centroid track (x, y, vx, vy) per frame (./trajectory),
 *   resampled to a fixed number of frames: `[frames, 4]`, flattened for the MLP.
 * - **appearance**: what the camera shows of the object, for classifying videos: the mean colour
 *   of its mask pixels and their spread, its area and its bounding-box size (medians over frames). The
 *   source report classified videos with a separate network; colour and silhouette are what tell the
 *   objects apart on camera, and a small MLP on them costs nothing to train.
 *
 * Standardisation statistics are fitted on the training samples only (`fitFeatureScaling`) and stored
 * with the model, so a task folder is scaled exactly like the training data.
 */
import { spectrogram } from '../../signal/spectrogram';
import { trajectoryFeatures } from './trajectory';
import type { CollisionSample } from '../../worlds/collision/types';
import { InputError } from '../../util/errors';

/** How raw samples become model inputs; stored with a trained model. */
export interface MatchingFeatureOptions {
  /** Spectrogram grid: frequency rows × time columns after resampling (default 64 × 64). */
  specSize: [number, number];
  /** FFT size of the STFT (default 1024). */
  nFft: number;
  /**
   * Frequency rows: `log` (default) spaces them geometrically from `minFrequency` to the Nyquist
   * frequency, `linear` evenly from 0. Objects of one material differ by a pitch *factor*, which a
   * log axis turns into a constant shift of a few rows at every mode; a 64-row linear axis (125 Hz
   * a row at 16 kHz) puts the low modes of two such objects in the same row.
   */
  frequencyScale: 'log' | 'linear';
  /** Lowest frequency of the log axis in Hz (default 100). */
  minFrequency: number;
  /** Trajectory frames after resampling (default 32). */
  trajectoryFrames: number;
}

/** Defaults: 64 × 64 log-frequency spectrograms from a 1024-point STFT, 32-frame trajectories. */
export const DEFAULT_FEATURE_OPTIONS: MatchingFeatureOptions = { specSize: [64, 64], nFft: 1024, frequencyScale: 'log', minFrequency: 100, trajectoryFrames: 32 };

/** Number of appearance features per video (see `videoAppearance`). */
export const APPEARANCE_DIM = 9;

/** Model inputs of a set of samples, row-major, one row per sample. */
export interface MatchingFeatures {
  ids: string[];
  /** Class index per sample (-1 when unknown). */
  objects: Int32Array;
  /** `[N, F, T, 4]` spectrograms, channels last (empty when the samples have no audio). */
  audio: Float32Array;
  /** `[N, frames, 4]` trajectories (empty when the samples have no frames). */
  trajectory: Float32Array;
  /** `[N, APPEARANCE_DIM]` appearance features (empty when the samples have no frames). */
  appearance: Float32Array;
  size: number;
  options: MatchingFeatureOptions;
}

/**
 * Area resampling of a row-major `rows × cols` grid to `outRows × outCols`: each output cell is the
 * mean of the source cells it covers, fractional overlaps weighted. Preserves the mean; unlike point
 * sampling it never skips a short impact that falls between output columns.
 */
export function resizeArea(src: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Float32Array {
  if (src.length !== rows * cols) throw new RangeError(`resizeArea: ${src.length} values for a ${rows} × ${cols} grid`);
  const spans = (n: number, out: number) =>
    Array.from({ length: out }, (_, o) => {
      const lo = (o * n) / out;
      const hi = ((o + 1) * n) / out;
      const parts: [number, number][] = [];
      for (let i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) parts.push([i, Math.min(hi, i + 1) - Math.max(lo, i)]);
      return parts;
    });
  const rs = spans(rows, outRows);
  const cs = spans(cols, outCols);
  const out = new Float32Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let s = 0;
      let w = 0;
      for (const [i, wi] of rs[r]) for (const [j, wj] of cs[c]) {
        s += src[i * cols + j] * wi * wj;
        w += wi * wj;
      }
      out[r * outCols + c] = s / w;
    }
  }
  return out;
}

/**
 * Weights that average FFT bins into `rows` geometric bands from `fMin` to the Nyquist frequency:
 * band r covers [fMin·q^r, fMin·q^{r+1}) with q = (f_Nyquist / fMin)^{1/rows}, and bin k covers
 * [(k − ½)Δ, (k + ½)Δ) with Δ = sampleRate / nFft; each band averages the bins it overlaps, weighted
 * by the overlap. Narrow low bands inside one bin simply take that bin's value.
 */
export function logBandWeights(bins: number, sampleRate: number, rows: number, fMin: number): [number, number][][] {
  const nyquist = sampleRate / 2;
  if (!(fMin > 0 && fMin < nyquist)) throw new RangeError(`logBandWeights: minFrequency ${fMin} Hz must lie in (0, ${nyquist}) Hz`);
  const delta = nyquist / (bins - 1);
  const q = Math.pow(nyquist / fMin, 1 / rows);
  return Array.from({ length: rows }, (_, r) => {
    const lo = fMin * Math.pow(q, r);
    const hi = fMin * Math.pow(q, r + 1);
    const parts: [number, number][] = [];
    for (let k = Math.max(0, Math.floor(lo / delta - 0.5)); k <= Math.min(bins - 1, Math.ceil(hi / delta + 0.5)); k++) {
      const w = Math.min(hi, (k + 0.5) * delta) - Math.max(lo, (k - 0.5) * delta);
      if (w > 0) parts.push([k, w]);
    }
    const total = parts.reduce((s, [, w]) => s + w, 0);
    return parts.map(([k, w]) => [k, w / total] as [number, number]);
  });
}

/**
 * The audio input of one sample: `[F, T, channels]` (channels last), the log STFT magnitude
 * resampled to F frequency rows (log or linear, see `MatchingFeatureOptions`) and T time columns.
 */
export function audioInput(sample: Pick<CollisionSample, 'id' | 'audio' | 'sampleRate'>, options: MatchingFeatureOptions = DEFAULT_FEATURE_OPTIONS): Float32Array {
  if (sample.audio.length === 0) throw new InputError(sample.id, 'has no audio');
  const [F, T] = options.specSize;
  const len = sample.audio[0].length;
  // A hop giving about 2T frames, so the time resampling averages rather than interpolates.
  const hop = Math.max(1, Math.floor(len / (2 * T)));
  const spec = spectrogram(sample.audio, { nFft: options.nFft, hop });
  const [C, bins, frames] = spec.shape;
  const bands = options.frequencyScale === 'log' ? logBandWeights(bins, sample.sampleRate, F, options.minFrequency) : null;
  const out = new Float32Array(F * T * C);
  for (let c = 0; c < C; c++) {
    let channel = spec.data.subarray(c * bins * frames, (c + 1) * bins * frames);
    let rows = bins;
    if (bands) {
      const banded = new Float32Array(F * frames);
      bands.forEach((parts, r) => {
        for (const [k, w] of parts) for (let t = 0; t < frames; t++) banded[r * frames + t] += w * channel[k * frames + t];
      });
      channel = banded;
      rows = F;
    }
    const grid = resizeArea(channel, rows, frames, F, T);
    for (let i = 0; i < F * T; i++) out[i * C + c] = grid[i];
  }
  return out;
}

/**
 * Appearance of the object in a video (`APPEARANCE_DIM` numbers): mean R, G, B of the mask pixels
 * (0–1), their standard deviation per channel, the mask area as a fraction of the frame, and the
 * bounding box's width and height as fractions of the frame — medians over the frames with a
 * non-empty mask (robust to frames where background subtraction failed).
 */
export function videoAppearance(sample: Pick<CollisionSample, 'id' | 'rgb' | 'mask' | 'width' | 'height'>): Float32Array {
  const { width: W, height: H } = sample;
  const per: number[][] = [];
  sample.mask.forEach((mask, f) => {
    const rgb = sample.rgb[f];
    let n = 0;
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    let x0 = W;
    let x1 = -1;
    let y0 = H;
    let y1 = -1;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        if (mask[p] === 0) continue;
        n++;
        for (let c = 0; c < 3; c++) {
          const v = rgb ? rgb[3 * p + c] / 255 : 0;
          sum[c] += v;
          sq[c] += v * v;
        }
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    if (n === 0) return;
    const mean = sum.map((s) => s / n);
    const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c] ** 2)));
    per.push([...mean, ...std, n / (W * H), (x1 - x0 + 1) / W, (y1 - y0 + 1) / H]);
  });
  if (per.length === 0) throw new InputError(sample.id, `all ${sample.mask.length} masks are empty, so the object is never seen`);
  const out = new Float32Array(APPEARANCE_DIM);
  for (let k = 0; k < APPEARANCE_DIM; k++) {
    const v = per.map((p) => p[k]).sort((a, b) => a - b);
    const m = v.length >> 1;
    out[k] = v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
  return out;
}

/**
 * Computes the model inputs of `samples`. Audio features are computed for samples with audio,
 * trajectory and appearance for samples with frames; a set must be homogeneous (all with audio, or
 * none; all with frames, or none), as training sets and task folders are.
 */
export function extractFeatures(samples: readonly CollisionSample[], options: MatchingFeatureOptions = DEFAULT_FEATURE_OPTIONS): MatchingFeatures {
  const n = samples.length;
  const withAudio = samples.filter((s) => s.audio.length > 0).length;
  const withFrames = samples.filter((s) => s.mask.length > 0).length;
  if (withAudio !== 0 && withAudio !== n) throw new InputError(samples.find((s) => s.audio.length === 0)!.id, 'has no audio while other samples of the set do');
  if (withFrames !== 0 && withFrames !== n) throw new InputError(samples.find((s) => s.mask.length === 0)!.id, 'has no frames while other samples of the set do');
  const [F, T] = options.specSize;
  const audio = new Float32Array(withAudio ? n * F * T * 4 : 0);
  const trajectory = new Float32Array(withFrames ? n * options.trajectoryFrames * 4 : 0);
  const appearance = new Float32Array(withFrames ? n * APPEARANCE_DIM : 0);
  samples.forEach((s, i) => {
    if (withAudio) {
      if (s.audio.length !== 4) throw new InputError(s.id, `has ${s.audio.length} audio channels; the models expect 4 microphones`);
      audio.set(audioInput(s, options), i * F * T * 4);
    }
    if (withFrames) {
      trajectory.set(trajectoryFeatures(s, { frames: options.trajectoryFrames }), i * options.trajectoryFrames * 4);
      appearance.set(videoAppearance(s), i * APPEARANCE_DIM);
    }
  });
  return { ids: samples.map((s) => s.id), objects: Int32Array.from(samples.map((s) => s.object)), audio, trajectory, appearance, size: n, options };
}

/** Per-column (or global) mean and standard deviation, fitted on training data. */
export interface FeatureScaling {
  mean: number[];
  std: number[];
}

/**
 * Fits mean and std over rows of `cols` columns (`cols` = 1: one scalar over everything). A column
 * with zero spread gets std 1, so it is centred but not blown up.
 */
export function fitFeatureScaling(values: Float32Array, cols: number): FeatureScaling {
  const rows = values.length / cols;
  if (!Number.isInteger(rows) || rows === 0) throw new RangeError(`fitFeatureScaling: ${values.length} values do not form rows of ${cols}`);
  const mean = new Array<number>(cols).fill(0);
  const sq = new Array<number>(cols).fill(0);
  for (let i = 0; i < values.length; i++) {
    mean[i % cols] += values[i];
    sq[i % cols] += values[i] * values[i];
  }
  const std = mean.map((s, c) => {
    const m = s / rows;
    const v = Math.max(0, sq[c] / rows - m * m);
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  return { mean: mean.map((s) => s / rows), std };
}

/** (x − mean) / std column-wise, into a new array. */
export function applyFeatureScaling(values: Float32Array, s: FeatureScaling): Float32Array {
  const cols = s.mean.length;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - s.mean[i % cols]) / s.std[i % cols];
  return out;
}
