/**
 * A clip's instances, the bags of multiple-instance learning: its 960 ms audio segments (log-mel)
 * and the region proposals of its frames (1 fps), with the frames they are pooled from. Features of
 * a set are kept as flat typed arrays (no tensors), so the raw audio can be dropped as soon as a
 * chunk of clips is simulated, and batches are built on demand.
 */
import { concatFloat32 } from '../../util/arrays';
import type { Box } from '../../metrics/localisation';
import { deriveSeed } from '../../util/rng';
import { simulateMilClip } from '../data/simulator';
import { DEFAULT_MIL_SIM, MIL_CLASSES } from '../data/simulator';
import type { MilClip, MilDistractor, MilEvent, MilSimOptions } from '../data/types';
import { audioSegments, DEFAULT_SEGMENT_OPTIONS, framesPerSegment, SegmentOptions } from './audioSegments';
import { DEFAULT_PROPOSAL_OPTIONS, ProposalOptions, proposeRegions } from './proposals';

/** A clip's ground truth, kept for evaluation (never used in training). */
export interface MilTruth {
  id: string;
  events: MilEvent[];
  synchronised: boolean;
  distractorSounds: string[];
  distractorObjects: MilDistractor[];
}

/** Options of instance extraction. */
export interface InstanceOptions {
  segments: SegmentOptions;
  proposals: ProposalOptions;
}

export const DEFAULT_INSTANCE_OPTIONS: InstanceOptions = { segments: DEFAULT_SEGMENT_OPTIONS, proposals: DEFAULT_PROPOSAL_OPTIONS };

/** The instances of a set of clips. Shapes are row-major, the clip first. */
export interface MilFeatures {
  size: number;
  classNames: string[];
  /** [N, C] clip labels (0/1). */
  labels: Uint8Array;
  /** [N, S, M, L]: S segments of M mel bands × L frames (log-mel, not standardised). */
  audio: Float32Array;
  /** [N, F, H, W, 3] RGB frames in [0, 1]. */
  frames: Float32Array;
  /** [N, F, R, 4] proposal boxes (pixel edges). */
  boxes: Float32Array;
  /** [N, F, R] objectness of each proposal. */
  objectness: Float32Array;
  dims: { segments: number; mels: number; segmentFrames: number; frames: number; frameSize: number; proposals: number };
  truth: MilTruth[];
  options: InstanceOptions;
}

/** Instances of simulated clips. */
export function extractInstances(clips: readonly MilClip[], o: InstanceOptions = DEFAULT_INSTANCE_OPTIONS): MilFeatures {
  if (clips.length === 0) throw new RangeError('extractInstances: no clips');
  const S = o.segments.segments;
  const M = o.segments.nMels;
  const L = framesPerSegment(o.segments);
  const H = clips[0].frameSize;
  const F = clips[0].frames.length / (H * H * 3);
  const R = o.proposals.topK;
  const N = clips.length;
  const C = clips[0].labels.length;
  const f: MilFeatures = {
    size: N,
    classNames: MIL_CLASSES.map((c) => c.name),
    labels: new Uint8Array(N * C),
    audio: new Float32Array(N * S * M * L),
    frames: new Float32Array(N * F * H * H * 3),
    boxes: new Float32Array(N * F * R * 4),
    objectness: new Float32Array(N * F * R),
    dims: { segments: S, mels: M, segmentFrames: L, frames: F, frameSize: H, proposals: R },
    truth: [],
    options: o,
  };
  clips.forEach((clip, n) => {
    f.labels.set(clip.labels, n * C);
    f.audio.set(audioSegments(clip.audio, clip.sampleRate, o.segments), n * S * M * L);
    f.frames.set(clip.frames, n * F * H * H * 3);
    for (let k = 0; k < F; k++) {
      const p = proposeRegions(clip.frames.subarray(k * H * H * 3, (k + 1) * H * H * 3), H, o.proposals);
      for (let r = 0; r < R; r++) {
        // A frame with fewer windows than R repeats its last proposal (never happens at 32 × 32).
        const b = p.boxes[Math.min(r, p.boxes.length - 1)];
        f.boxes.set(b, ((n * F + k) * R + r) * 4);
        f.objectness[(n * F + k) * R + r] = p.scores[Math.min(r, p.scores.length - 1)];
      }
    }
    f.truth.push({ id: clip.id, events: clip.events, synchronised: clip.synchronised, distractorSounds: clip.distractorSounds, distractorObjects: clip.distractorObjects });
  });
  return f;
}

/** Simulates `count` clips of a set and extracts their instances, `chunk` clips at a time (the raw audio is not kept). */
export function simulateInstances(sim: Partial<MilSimOptions>, count: number, o: InstanceOptions = DEFAULT_INSTANCE_OPTIONS, chunk = 50): MilFeatures {
  const opts: MilSimOptions = { ...DEFAULT_MIL_SIM, ...sim };
  const parts: MilFeatures[] = [];
  for (let start = 0; start < count; start += chunk) {
    const clips = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => simulateMilClip(opts, start + i));
    parts.push(extractInstances(clips, o));
  }
  return concatInstances(parts);
}

/** Joins instance sets extracted with the same options. */
export function concatInstances(parts: readonly MilFeatures[]): MilFeatures {
  const join = (key: 'audio' | 'frames' | 'boxes' | 'objectness') => concatFloat32(parts.map((p) => p[key]));
  const labels = new Uint8Array(parts.reduce((s, p) => s + p.labels.length, 0));
  let off = 0;
  for (const p of parts) {
    labels.set(p.labels, off);
    off += p.labels.length;
  }
  return { ...parts[0], size: parts.reduce((s, p) => s + p.size, 0), labels, audio: join('audio'), frames: join('frames'), boxes: join('boxes'), objectness: join('objectness'), truth: parts.flatMap((p) => p.truth) };
}

/** The proposals of clip n, frame k. */
export function clipProposals(f: MilFeatures, n: number, k: number): Box[] {
  const { frames: F, proposals: R } = f.dims;
  return Array.from({ length: R }, (_, r) => Array.from(f.boxes.subarray(((n * F + k) * R + r) * 4, ((n * F + k) * R + r + 1) * 4)) as unknown as Box);
}

/** Per-mel-band mean and standard deviation of the log-mel audio over a (training) set. */
export interface AudioNorm {
  mean: Float32Array;
  std: Float32Array;
}

export function fitAudioNorm(f: MilFeatures): AudioNorm {
  const { mels: M, segmentFrames: L } = f.dims;
  const sum = new Float64Array(M);
  const sq = new Float64Array(M);
  const rows = f.audio.length / (M * L);
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < M; m++) {
      for (let t = 0; t < L; t++) {
        const v = f.audio[(r * M + m) * L + t];
        sum[m] += v;
        sq[m] += v * v;
      }
    }
  }
  const n = rows * L;
  const mean = Float32Array.from(sum, (s) => s / n);
  const std = Float32Array.from(sq, (s, m) => Math.sqrt(Math.max(1e-8, s / n - mean[m] ** 2)));
  return { mean, std };
}

/** Seeds of the three splits of one experiment seed (disjoint clip streams). */
export function splitSeeds(seed: number): { train: number; val: number; test: number } {
  return { train: deriveSeed(seed, 'mil-train'), val: deriveSeed(seed, 'mil-val'), test: deriveSeed(seed, 'mil-test') };
}
