/**
 * Test-time robustness of scene models: corrupt one modality of a clip-level split (Gaussian
 * noise, or remove it) and measure how the score falls. The transforms return new splits and leave
 * their input untouched; feature arrays they do not change are shared with the input, not copied.
 */
import type { SceneSplit } from '../data/types';
import type { Modality } from '../models/registry';
import { deriveSeed, Rng } from '../../util/rng';

/** A modality to corrupt, or both at once. */
export type CorruptedModality = Modality | 'both';

function modalities(m: CorruptedModality): Modality[] {
  if (m === 'both') return ['audio', 'video'];
  if (m === 'audio' || m === 'video') return [m];
  throw new RangeError(`unknown modality "${String(m)}"; expected audio, video or both`);
}

/**
 * Adds N(0, std²) noise to every feature of `modality`. The features are standardised (per-
 * feature mean 0, std 1 on train), so `std` is in units of a feature's own spread: std = 1 makes
 * the signal-to-noise ratio about 1. Each modality's noise comes from its own stream derived from
 * `seed`, and the noise for a given seed is the same draw z scaled by `std` — so the points of a
 * curve over `std` differ only in the noise level, not in the luck of the draw.
 */
export function addModalityNoise(split: SceneSplit, modality: CorruptedModality, std: number, seed: number): SceneSplit {
  if (!(Number.isFinite(std) && std >= 0)) throw new RangeError(`addModalityNoise: std must be finite and >= 0, got ${std}`);
  const out: SceneSplit = { ...split };
  for (const m of modalities(modality)) {
    const src = split[m];
    const noisy = new Float32Array(src.length);
    new Rng(deriveSeed(seed, m)).fillNormal(noisy);
    for (let i = 0; i < src.length; i++) noisy[i] = src[i] + std * noisy[i];
    out[m] = noisy;
  }
  return out;
}

/**
 * Removes `modality` by replacing its features with a constant: zeros by default, which after the
 * course's standardisation (train-split mean and std) is exactly the train mean — the
 * least-informative input, equivalent to mean imputation of a missing stream. For features that
 * are not standardised pass `fill`, the per-feature values to use instead (e.g. the train mean,
 * length `dim`).
 */
export function dropModality(split: SceneSplit, modality: CorruptedModality, options: { fill?: ArrayLike<number> } = {}): SceneSplit {
  const { fill } = options;
  if (fill !== undefined && fill.length !== split.dim) throw new RangeError(`dropModality: fill has ${fill.length} values for ${split.dim} features`);
  const out: SceneSplit = { ...split };
  for (const m of modalities(modality)) {
    const blank = new Float32Array(split[m].length);
    if (fill !== undefined) for (let i = 0; i < blank.length; i++) blank[i] = fill[i % split.dim];
    out[m] = blank;
  }
  return out;
}

/** Options of {@link robustnessCurve}. */
export interface RobustnessCurveOptions {
  /** Noise seed; default 0. */
  seed?: number;
  /** Independent noise draws per level, averaged; default 1. */
  repeats?: number;
  /** Series name; default the modality (e.g. "audio noise"). */
  name?: string;
}

/** A score as a function of the noise level, ready for `robustnessCurves`. */
export interface RobustnessSeries {
  name: string;
  /** The noise standard deviations. */
  x: number[];
  /** Mean score over the repeats at each level. */
  y: number[];
  /** Every repeat's score per level, `runs[level][repeat]` (one entry at std 0: no noise to redraw). */
  runs: number[][];
}

/**
 * Evaluates `evaluate` (e.g. a trained model's test accuracy) on `split` with noise of each
 * standard deviation in `stds` added to `modality`; std 0 evaluates the clean split. Levels are
 * evaluated one after another (a model may not be safe to run concurrently). Repeat r draws with
 * seed `deriveSeed(seed, "repeat r")`, the same at every level (common random numbers), so the
 * curve is smooth in the level.
 */
export async function robustnessCurve(
  evaluate: (split: SceneSplit) => Promise<number>,
  split: SceneSplit,
  modality: CorruptedModality,
  stds: readonly number[],
  options: RobustnessCurveOptions = {},
): Promise<RobustnessSeries> {
  const repeats = options.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`robustnessCurve: repeats must be a positive integer, got ${repeats}`);
  modalities(modality);
  stds.forEach((s, i) => {
    if (!(Number.isFinite(s) && s >= 0)) throw new RangeError(`robustnessCurve: stds[${i}] is ${s}; expected a finite value >= 0`);
  });
  const runs: number[][] = [];
  for (const std of stds) {
    const scores: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const seed = deriveSeed(options.seed ?? 0, `repeat ${r}`);
      const corrupted = std === 0 ? split : addModalityNoise(split, modality, std, seed);
      const score = await evaluate(corrupted);
      if (!Number.isFinite(score)) throw new RangeError(`robustnessCurve: evaluate returned ${score} at std ${std}`);
      scores.push(score);
      // One evaluation of the clean split is enough: it is the same for every repeat.
      if (std === 0) break;
    }
    runs.push(scores);
  }
  return {
    name: options.name ?? `${modality} noise`,
    x: [...stds],
    y: runs.map((s) => s.reduce((a, b) => a + b, 0) / s.length),
    runs,
  };
}
