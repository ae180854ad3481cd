/**
 * Clips for audio-visual temporal synchronisation (AVTS): any continuous recording with audio and
 * frames (`AvClip`), from the collision world (`simulateAvtsClips`, continuous multi-impact clips of
 * `simulateCollisionClip`) or from a user's clip set (fill an `AvClip` per recording, e.g. decoded with
 * ffmpeg). `clipFeatures` turns a clip into the two inputs the encoders read, on one shared time grid:
 *
 *   video   frames scaled to [−0.5, 0.5], optionally average-pooled by `videoPool`: [T_v, H, W, C]
 *   audio   per microphone, log(1 + |STFT|) with hop = (samples per video frame) / `specPerFrame`,
 *           centred frames, bins averaged into `bands` linear bands: [T_v · specPerFrame, bands, mics]
 *
 * Both are time-major, so the window of video frames [s, s + F) and its audio (spectrogram frames
 * [s·k, (s + F)·k), k = specPerFrame) are contiguous slices. Audio frame j is centred on sample
 * j·hop, i.e. on time j / (fps·k), the same clock as the video.
 */
import { spectrogram } from '../../signal/spectrogram';
import { InputError } from '../../util/errors';
import { deriveSeed } from '../../util/rng';
import { simulateCollisionClip } from '../../worlds/collision/simulator';
import { COLLISION_OBJECTS, type CollisionClip } from '../../worlds/collision/types';

/** One continuous recording: audio channels and frames on a common clock starting at 0. */
export interface AvClip {
  id: string;
  /** Audio channels (microphones), equal lengths. */
  audio: Float32Array[];
  sampleRate: number;
  /** Frames, each width × height × channels bytes (row-major, channels last). */
  frames: Uint8Array[];
  width: number;
  height: number;
  /** Colour channels per pixel (1 grey, 3 RGB). */
  channels: number;
  fps: number;
  /** Class index for the downstream task (-1 or absent when unlabelled). */
  label?: number;
  /** Times of sound events in seconds when known (simulated impacts); used to pick windows with an event. */
  events?: number[];
}

/** A collision-world clip as an `AvClip` (RGB frames, label = object, events = impact times). */
export function fromCollisionClip(c: CollisionClip): AvClip {
  return {
    id: c.id,
    audio: c.audio,
    sampleRate: c.sampleRate,
    frames: c.rgb,
    width: c.width,
    height: c.height,
    channels: 3,
    fps: c.fps,
    label: c.object,
    // Audio sample n was recorded at frame time n / sampleRate + audioShift.
    events: c.truth.impacts.map((m) => m.time + (c.truth.audioShift ?? 0)),
  };
}

/** Options of `simulateAvtsClips`. */
export interface AvtsClipOptions {
  seed: number;
  /** Clips per object (the ten collision objects, in label order). */
  perObject: number;
  /** Seconds per clip (default 8). */
  seconds?: number;
  /** Tilts per clip, each sending the object into a wall (default 4). */
  impacts?: number;
  /** Camera frames per second (default 25: 640 audio samples per frame at 16 kHz). */
  fps?: number;
  sampleRate?: number;
  /** Frame size (default 32 × 32). */
  size?: number;
}

/** Clip k of object `obj`: a continuous multi-impact collision-world clip, seeded by (seed, obj, k). */
export function simulateAvtsClip(o: Omit<AvtsClipOptions, 'perObject'>, obj: number, k: number): CollisionClip {
  const c = simulateCollisionClip({
    seed: deriveSeed(o.seed, `avts-clip:${obj}:${k}`),
    object: obj,
    seconds: o.seconds ?? 8,
    impacts: o.impacts ?? 4,
    fps: o.fps ?? 25,
    sampleRate: o.sampleRate ?? 16000,
    width: o.size ?? 32,
    height: o.size ?? 32,
  });
  return { ...c, id: `${COLLISION_OBJECTS[obj]}/${k}` };
}

/** `perObject` clips of each of the ten objects (k-major order: every object once, then again, …). */
export function simulateAvtsClips(o: AvtsClipOptions): CollisionClip[] {
  const out: CollisionClip[] = [];
  for (let k = 0; k < o.perObject; k++) COLLISION_OBJECTS.forEach((_, obj) => out.push(simulateAvtsClip(o, obj, k)));
  return out;
}

/** How clips become encoder inputs. */
export interface AvFeatureOptions {
  /** FFT size of the spectrogram (power of two, default 256). */
  nFft: number;
  /** Spectrogram frames per video frame (default 4). */
  specPerFrame: number;
  /** Linear frequency bands the nFft/2 lowest bins are averaged into (default 32). */
  bands: number;
  /** Average-pool frames by this factor in both directions (default 1). */
  videoPool: number;
}

export const DEFAULT_AV_FEATURES: AvFeatureOptions = { nFft: 256, specPerFrame: 4, bands: 32, videoPool: 1 };

/** A clip's encoder inputs on the shared time grid (see the module comment). */
export interface AvClipFeatures {
  id: string;
  label: number;
  /** Video frames T_v. */
  frames: number;
  /** [T_v, H, W, C], time-major. */
  video: Float32Array;
  videoShape: [number, number, number];
  /** [T_v · k, bands, mics], time-major; standardised by `standardiseAudio`. */
  audio: Float32Array;
  audioShape: [number, number];
  /** Event times in video frames (fractional), when known. */
  events: number[];
  fps: number;
}

/** Video and audio inputs of one clip (see the module comment). */
export function clipFeatures(clip: AvClip, opts: AvFeatureOptions = DEFAULT_AV_FEATURES): AvClipFeatures {
  const where = `clip ${clip.id}`;
  const perFrame = clip.sampleRate / clip.fps;
  const hop = perFrame / opts.specPerFrame;
  if (!Number.isInteger(hop)) throw new InputError(where, `sampleRate / fps / specPerFrame must be an integer hop, got ${clip.sampleRate} / ${clip.fps} / ${opts.specPerFrame}`);
  if (clip.frames.length === 0 || clip.audio.length === 0) throw new InputError(where, 'needs frames and audio');
  const T = Math.min(clip.frames.length, Math.floor(clip.audio[0].length / perFrame));
  // Video: pool, scale to [−0.5, 0.5].
  const p = opts.videoPool;
  if (!Number.isInteger(p) || p < 1 || clip.width % p !== 0 || clip.height % p !== 0) throw new InputError(where, `videoPool ${p} must divide the frame size ${clip.width} × ${clip.height}`);
  const W = clip.width / p;
  const H = clip.height / p;
  const C = clip.channels;
  const video = new Float32Array(T * H * W * C);
  const norm = 1 / (255 * p * p);
  for (let t = 0; t < T; t++) {
    const f = clip.frames[t];
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) s += f[((y * p + dy) * clip.width + x * p + dx) * C + c];
          video[((t * H + y) * W + x) * C + c] = s * norm - 0.5;
        }
  }
  // Audio: centred log spectrogram per microphone, bins pooled into bands, time-major.
  const spec = spectrogram(clip.audio, { nFft: opts.nFft, hop, center: true, scale: 'log1p' });
  const [mics, bins, specFrames] = spec.shape;
  const Ta = T * opts.specPerFrame;
  if (specFrames < Ta) throw new InputError(where, `spectrogram has ${specFrames} frames, fewer than ${Ta}`);
  const per = Math.floor((bins - 1) / opts.bands);
  if (per < 1) throw new InputError(where, `${opts.bands} bands need at least as many bins (nFft/2 = ${bins - 1})`);
  const audio = new Float32Array(Ta * opts.bands * mics);
  for (let m = 0; m < mics; m++)
    for (let b = 0; b < opts.bands; b++)
      for (let t = 0; t < Ta; t++) {
        let s = 0;
        for (let k = 0; k < per; k++) s += spec.data[(m * bins + b * per + k) * specFrames + t];
        audio[(t * opts.bands + b) * mics + m] = s / per;
      }
  return {
    id: clip.id,
    label: clip.label ?? -1,
    frames: T,
    video,
    videoShape: [H, W, C],
    audio,
    audioShape: [opts.bands, mics],
    events: (clip.events ?? []).map((s) => s * clip.fps),
    fps: clip.fps,
  };
}

/** Mean and standard deviation of the audio inputs (fitted on training clips only). */
export interface AudioStats {
  mean: number;
  std: number;
}

export function audioStats(clips: readonly AvClipFeatures[]): AudioStats {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (const c of clips) for (const v of c.audio) {
    n++;
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 1e-12)) };
}

/** Standardises every clip's audio in place with `stats`. */
export function standardiseAudio(clips: AvClipFeatures[], stats: AudioStats): void {
  for (const c of clips) for (let i = 0; i < c.audio.length; i++) c.audio[i] = (c.audio[i] - stats.mean) / stats.std;
}
