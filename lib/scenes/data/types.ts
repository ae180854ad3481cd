/**
 * The typed scene-classification dataset that both the simulator and the course-kit loader
 * produce, so every model, notebook and test reads one shape of data.
 */

/** The ten scene classes of DCASE 2021 Task 1B, in the course kit's (alphabetical) label order. */
export const SCENE_CLASSES = [
  'airport',
  'bus',
  'metro',
  'metro_station',
  'park',
  'public_square',
  'shopping_mall',
  'street_pedestrian',
  'street_traffic',
  'tram',
] as const;

export type SceneClass = (typeof SCENE_CLASSES)[number];

/** One split (train, val or test). Features are row-major `[clip][frame][feature]`. */
export interface SceneSplit {
  /** Clip identifiers (the course's `aid`), one per clip. */
  ids: string[];
  /** Class index (into `SceneDataset.classes`) per clip. */
  labels: Int32Array;
  /** Recording location per clip (the unit DCASE splits by); absent when unknown. */
  locations?: string[];
  /** Frames per clip (T); 1 for a clip-level view. */
  frames: number;
  /** Embedding size per frame and modality (512 for OpenL3). */
  dim: number;
  /** Audio embeddings, length `ids.length * frames * dim`. */
  audio: Float32Array;
  /** Video embeddings, length `ids.length * frames * dim`. */
  video: Float32Array;
}

export type SplitName = 'train' | 'val' | 'test';

/** A complete data set: three splits, the class names, and where it came from. */
export interface SceneDataset {
  classes: string[];
  train: SceneSplit;
  val: SceneSplit;
  test: SceneSplit;
  /** `simulated` for the embedded default, `course-kit` for the real OpenL3 features. */
  source: 'simulated' | 'course-kit';
  /** One line for tables and logs, e.g. "simulated scenes (seed 7, quick profile)". */
  description: string;
}

/** Number of clips in a split. */
export function numClips(split: SceneSplit): number {
  return split.ids.length;
}

/**
 * The clip-level view: each clip's features averaged over its frames (T becomes 1),
 * as the course baseline does before its MLPs.
 */
export function clipLevel(split: SceneSplit): SceneSplit {
  if (split.frames === 1) return split;
  const n = split.ids.length;
  const { frames: t, dim: d } = split;
  const average = (src: Float32Array): Float32Array => {
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let f = 0; f < t; f++) {
        const s = (i * t + f) * d;
        for (let k = 0; k < d; k++) out[o + k] += src[s + k];
      }
      for (let k = 0; k < d; k++) out[o + k] /= t;
    }
    return out;
  };
  return { ...split, frames: 1, audio: average(split.audio), video: average(split.video) };
}

/** Applies the same clip-level view to every split of a data set. */
export function clipLevelDataset(ds: SceneDataset): SceneDataset {
  return { ...ds, train: clipLevel(ds.train), val: clipLevel(ds.val), test: clipLevel(ds.test) };
}

/** Per-feature mean and standard deviation of one modality, fitted on training data only. */
export interface Standardiser {
  mean: Float32Array;
  std: Float32Array;
}

/** Fits per-feature mean/std over every frame of every clip (the course's `global_mean_std`). */
export function fitStandardiser(values: Float32Array, dim: number): Standardiser {
  const rows = values.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < dim; k++) {
      const v = values[r * dim + k];
      mean[k] += v;
      sq[k] += v * v;
    }
  }
  const m = new Float32Array(dim);
  const s = new Float32Array(dim);
  for (let k = 0; k < dim; k++) {
    const mu = mean[k] / rows;
    m[k] = mu;
    s[k] = Math.sqrt(Math.max(sq[k] / rows - mu * mu, 0)) || 1;
  }
  return { mean: m, std: s };
}

/** Returns `(values - mean) / std` per feature, as a new array. */
export function standardise(values: Float32Array, st: Standardiser): Float32Array {
  const dim = st.mean.length;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = i % dim;
    out[i] = (values[i] - st.mean[k]) / st.std[k];
  }
  return out;
}
