/**
 * Pairs for AVTS (Korbar, Tran & Torresani, 2018). A pair is a video window of F frames starting at
 * frame s of clip c and an audio window of the same length; its label says whether they are in sync.
 * With the audio window starting at frame s + δ of clip c′:
 *
 *   positive     c′ = c, δ = 0                                  (y = 1)
 *   easy         c′ ≠ c (audio from another clip), any start     (y = 0)
 *   hard         c′ = c, F ≤ |δ| ≤ hardShift[1]: out of sync, the windows do not overlap
 *   super-hard   c′ = c, shifted by the configured definition:
 *                'overlap' (the paper's reading): superHardShift[0] ≤ |δ| ≤ superHardShift[1] < F,
 *                           out of sync but overlapping the positive window;
 *                'far' (the notes' other reading, "shifted very far"): |δ| in superHardShift, beyond
 *                           the hard range.
 *
 * Shifts are whole video frames (the feature grid, see clips.ts); seconds = frames / fps. Every
 * epoch draws `anchorsPerClip` positive windows per clip (with `requireEvent`, only windows that
 * contain a known sound event, so that sync is decidable) and one negative per positive, whose type
 * follows the epoch's `NegativeMix` exactly: the counts are the mix times the number of negatives,
 * rounded by largest remainder, and assigned to anchors in a seeded random order.
 *
 * `curriculumMix` is the schedule: `before` for epochs ≤ switchEpoch, `after` from then on — the
 * paper's curriculum is easy only, then easy:hard = 3:1; the baseline uses 3:1 from the first epoch.
 */
import { Rng } from '../../util/rng';
import { InputError } from '../../util/errors';
import type { AvClipFeatures } from './clips';
import { cutWindow } from '../../worlds/collision/simulator';
import type { CollisionClip } from '../../worlds/collision/types';

export const PAIR_KINDS = ['positive', 'easy', 'hard', 'superhard'] as const;
export type PairKind = (typeof PAIR_KINDS)[number];
export type NegativeKind = Exclude<PairKind, 'positive'>;
export const NEGATIVE_KINDS: readonly NegativeKind[] = ['easy', 'hard', 'superhard'];

/** One audio/video pair, by clip index and start frame. */
export interface AvPair {
  kind: PairKind;
  /** 1: in sync (positive), 0: not. */
  label: 0 | 1;
  videoClip: number;
  videoStart: number;
  audioClip: number;
  audioStart: number;
  /** audioStart − videoStart in frames for same-clip pairs; NaN for easy negatives. */
  shift: number;
}

/** Which windows and shifts the sampler draws. */
export interface PairConfig {
  /** Window length F in video frames (audio windows have F · specPerFrame spectrogram frames). */
  windowFrames: number;
  /** Positive windows per clip per epoch. */
  anchorsPerClip: number;
  /** [min, max] |δ| of hard negatives in frames; min ≥ windowFrames (no overlap). */
  hardShift: [number, number];
  /** Definition of super-hard negatives (see the module comment). */
  superHard: 'overlap' | 'far';
  /** [min, max] |δ| of super-hard negatives: inside [1, F − 1] for 'overlap', above hardShift[1] for 'far'. */
  superHardShift: [number, number];
  /** Only windows that contain a known event (the clip's `events`) are anchors; clips without events are used as they come. */
  requireEvent: boolean;
}

/** Fractions of the negatives by type (they are normalised; any may be 0). */
export interface NegativeMix {
  easy: number;
  hard: number;
  superhard: number;
}

/** The curriculum: `before` for epochs 1 … switchEpoch, `after` from switchEpoch + 1. */
export interface Curriculum {
  switchEpoch: number;
  before: NegativeMix;
  after: NegativeMix;
}

export const EASY_ONLY: NegativeMix = { easy: 1, hard: 0, superhard: 0 };
export const EASY_HARD_3_1: NegativeMix = { easy: 3, hard: 1, superhard: 0 };

/** The paper's curriculum: easy only, then 3:1 easy:hard after `switchEpoch`. */
export function avtsCurriculum(switchEpoch: number, after: NegativeMix = EASY_HARD_3_1): Curriculum {
  return { switchEpoch, before: EASY_ONLY, after };
}

/** The baseline without curriculum: the same mix from the first epoch. */
export function noCurriculum(mix: NegativeMix = EASY_HARD_3_1): Curriculum {
  return { switchEpoch: 0, before: mix, after: mix };
}

/** The mix of negatives in `epoch` (1-based). */
export function curriculumMix(c: Curriculum, epoch: number): NegativeMix {
  return epoch <= c.switchEpoch ? c.before : c.after;
}

/** Negatives per type for `n` negatives: the normalised mix times n, rounded by largest remainder. */
export function negativeCounts(mix: NegativeMix, n: number): Record<NegativeKind, number> {
  const w = NEGATIVE_KINDS.map((k) => mix[k]);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0) || w.some((v) => !(v >= 0))) throw new InputError('NegativeMix', `fractions must be ≥ 0 and not all 0, got ${JSON.stringify(mix)}`);
  const exact = w.map((v) => (v / total) * n);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]++;
  }
  return { easy: counts[0], hard: counts[1], superhard: counts[2] };
}

/** Checks a pair configuration against the clips' length; throws an InputError naming the problem. */
export function checkPairConfig(c: PairConfig, minFrames = Infinity): void {
  const bad = (key: string, problem: string) => new InputError('PairConfig', problem, key);
  const F = c.windowFrames;
  if (!Number.isInteger(F) || F < 1) throw bad('windowFrames', `must be a positive integer, got ${F}`);
  if (!Number.isInteger(c.anchorsPerClip) || c.anchorsPerClip < 1) throw bad('anchorsPerClip', `must be a positive integer, got ${c.anchorsPerClip}`);
  const [h0, h1] = c.hardShift;
  if (!(Number.isInteger(h0) && Number.isInteger(h1) && h0 >= F && h1 >= h0)) throw bad('hardShift', `must be integers with windowFrames (${F}) ≤ min ≤ max, got [${h0}, ${h1}]`);
  const [s0, s1] = c.superHardShift;
  if (!(Number.isInteger(s0) && Number.isInteger(s1) && s0 >= 1 && s1 >= s0)) throw bad('superHardShift', `must be integers with 1 ≤ min ≤ max, got [${s0}, ${s1}]`);
  if (c.superHard === 'overlap' && s1 >= F) throw bad('superHardShift', `'overlap' super-hard negatives need max < windowFrames (${F}), got ${s1}`);
  if (c.superHard === 'far' && s0 <= h1) throw bad('superHardShift', `'far' super-hard negatives need min > hardShift max (${h1}), got ${s0}`);
  if (c.superHard !== 'overlap' && c.superHard !== 'far') throw bad('superHard', `must be 'overlap' or 'far', got ${String(c.superHard)}`);
  if (minFrames < F + h1 + 1 && minFrames !== Infinity) throw bad('hardShift', `clips of ${minFrames} frames are too short for a window of ${F} frames shifted by up to ${h1}`);
}

/** |δ| range of a negative type under `c` (easy: none). */
export function shiftRange(c: PairConfig, kind: 'hard' | 'superhard'): [number, number] {
  return kind === 'hard' ? c.hardShift : c.superHardShift;
}

/** Window starts of each clip that may be anchors (all, or those with an event inside). */
export function anchorStarts(clips: readonly AvClipFeatures[], c: PairConfig): number[][] {
  return clips.map((clip) => {
    const all = Array.from({ length: clip.frames - c.windowFrames + 1 }, (_, s) => s);
    if (!c.requireEvent || clip.events.length === 0) return all;
    const ok = all.filter((s) => clip.events.some((e) => e >= s + 0.5 && e < s + c.windowFrames - 0.5));
    return ok.length > 0 ? ok : all;
  });
}

/**
 * A shift δ with |δ| in `range` keeping the audio window [s + δ, s + δ + F) inside the clip, drawn
 * uniformly among all valid (|δ|, sign) choices; null when there is none.
 */
export function drawShift(rng: Rng, start: number, frames: number, F: number, range: [number, number]): number | null {
  const valid: number[] = [];
  for (let m = range[0]; m <= range[1]; m++) {
    if (start + m + F <= frames) valid.push(m);
    if (start - m >= 0) valid.push(-m);
  }
  return valid.length ? valid[rng.int(valid.length)] : null;
}

/** A negative of `kind` for the positive (clip, start). */
function negativeFor(kind: NegativeKind, clip: number, start: number, clips: readonly AvClipFeatures[], c: PairConfig, rng: Rng): AvPair {
  const F = c.windowFrames;
  if (kind === 'easy') {
    if (clips.length < 2) throw new InputError('pairs', 'easy negatives need at least two clips');
    let other = rng.int(clips.length - 1);
    if (other >= clip) other++;
    const s = rng.int(clips[other].frames - F + 1);
    return { kind, label: 0, videoClip: clip, videoStart: start, audioClip: other, audioStart: s, shift: NaN };
  }
  const d = drawShift(rng, start, clips[clip].frames, F, shiftRange(c, kind));
  if (d === null) throw new InputError('pairs', `clip ${clips[clip].id} (${clips[clip].frames} frames) has no room for a ${kind} shift in [${shiftRange(c, kind)}] from frame ${start}`);
  return { kind, label: 0, videoClip: clip, videoStart: start, audioClip: clip, audioStart: start + d, shift: d };
}

/**
 * The pairs of one epoch: `anchorsPerClip` positives per clip (anchors drawn from `anchorStarts`)
 * and one negative per positive, typed by `mix` (exact counts, see `negativeCounts`). Returned as
 * [positive, negative] couples in a seeded random order, so consecutive pairs share a video window.
 */
export function samplePairs(clips: readonly AvClipFeatures[], c: PairConfig, mix: NegativeMix, rng: Rng, starts = anchorStarts(clips, c)): AvPair[] {
  checkPairConfig(c);
  const anchors: [number, number][] = [];
  clips.forEach((_, i) => {
    for (let k = 0; k < c.anchorsPerClip; k++) anchors.push([i, starts[i][rng.int(starts[i].length)]]);
  });
  const order = rng.permutation(anchors.length);
  const counts = negativeCounts(mix, anchors.length);
  const kinds: NegativeKind[] = NEGATIVE_KINDS.flatMap((k) => Array<NegativeKind>(counts[k]).fill(k));
  const out: AvPair[] = [];
  order.forEach((a, j) => {
    const [clip, start] = anchors[a];
    out.push({ kind: 'positive', label: 1, videoClip: clip, videoStart: start, audioClip: clip, audioStart: start, shift: 0 });
    out.push(negativeFor(kinds[j], clip, start, clips, c, rng));
  });
  return out;
}

/**
 * Fixed evaluation pairs: `anchorsPerClip` positives per clip, each with one negative of every type
 * (easy, hard and super-hard under `c`'s definition). Seeded by `rng`.
 */
export function evaluationPairs(clips: readonly AvClipFeatures[], c: PairConfig, rng: Rng): AvPair[] {
  checkPairConfig(c);
  const starts = anchorStarts(clips, c);
  const out: AvPair[] = [];
  clips.forEach((_, clip) => {
    for (let k = 0; k < c.anchorsPerClip; k++) {
      const start = starts[clip][rng.int(starts[clip].length)];
      out.push({ kind: 'positive', label: 1, videoClip: clip, videoStart: start, audioClip: clip, audioStart: start, shift: 0 });
      for (const kind of NEGATIVE_KINDS) out.push(negativeFor(kind, clip, start, clips, c, rng));
    }
  });
  return out;
}

/**
 * Shift sweep: for `anchorsPerClip` positives per clip, one pair at every shift in `shifts` (frames,
 * positive or negative; 0 is the positive) that fits in the clip. For accuracy against |δ|.
 */
export function shiftSweepPairs(clips: readonly AvClipFeatures[], c: PairConfig, shifts: readonly number[], rng: Rng): AvPair[] {
  const starts = anchorStarts(clips, c);
  const F = c.windowFrames;
  const out: AvPair[] = [];
  clips.forEach((clip, i) => {
    for (let k = 0; k < c.anchorsPerClip; k++) {
      const start = starts[i][rng.int(starts[i].length)];
      for (const m of shifts) {
        const d = rng.uniform() < 0.5 ? m : -m;
        const dd = start + d >= 0 && start + d + F <= clip.frames ? d : -d;
        if (start + dd < 0 || start + dd + F > clip.frames) continue;
        const kind: PairKind = dd === 0 ? 'positive' : Math.abs(dd) < F ? 'superhard' : 'hard';
        out.push({ kind, label: dd === 0 ? 1 : 0, videoClip: i, videoStart: start, audioClip: i, audioStart: start + dd, shift: dd });
      }
    }
  });
  return out;
}

/** The video window [s, s + F) of a clip: [F, H, W, C] row-major (a view-free copy). */
export function videoWindow(clip: AvClipFeatures, start: number, F: number): Float32Array {
  const per = clip.videoShape[0] * clip.videoShape[1] * clip.videoShape[2];
  if (start < 0 || start + F > clip.frames) throw new RangeError(`videoWindow: frames [${start}, ${start + F}) leave clip ${clip.id} (${clip.frames} frames)`);
  return clip.video.subarray(start * per, (start + F) * per);
}

/** The audio of video frames [s, s + F): [F · k, bands, mics] with k = spectrogram frames per video frame. */
export function audioWindow(clip: AvClipFeatures, start: number, F: number): Float32Array {
  const k = clip.audio.length / (clip.frames * clip.audioShape[0] * clip.audioShape[1]);
  const per = k * clip.audioShape[0] * clip.audioShape[1];
  if (start < 0 || start + F > clip.frames) throw new RangeError(`audioWindow: frames [${start}, ${start + F}) leave clip ${clip.id} (${clip.frames} frames)`);
  return clip.audio.subarray(start * per, (start + F) * per);
}

/**
 * The raw windows of a pair cut from collision-world clips with `cutWindow`: `video` holds the
 * frames [s, s + F) (and their audio), `audio` the audio window the pair uses — shifted by δ in the
 * same clip, or from another clip for easy negatives — whose `truth.impacts` are the impacts heard.
 */
export function cutPair(pair: AvPair, clips: readonly CollisionClip[], F: number): { video: CollisionClip; audio: CollisionClip } {
  const v = clips[pair.videoClip];
  const fps = v.fps;
  const video = cutWindow(v, pair.videoStart / fps, F / fps);
  const audio =
    pair.audioClip === pair.videoClip
      ? cutWindow(v, pair.videoStart / fps, F / fps, { audioShiftSeconds: (pair.audioStart - pair.videoStart) / fps })
      : cutWindow(clips[pair.audioClip], pair.audioStart / fps, F / fps);
  return { video, audio };
}
