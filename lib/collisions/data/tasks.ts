/**
 * Builds the course's three test tasks from labelled samples (e.g. simulated ones):
 *   1. audio classification: the audio items, shuffled, labels hidden;
 *   2. complete matching: audio and video items of the same episodes, each shuffled separately;
 *      every audio item has exactly one video;
 *   3. incomplete matching: as 2, but some audio items lose their video (their answer is −1) and,
 *      optionally, some videos lose their audio.
 * Items carry no label (object −1) and no truth; the answers are returned beside them.
 */
import { Rng, deriveSeed } from '../../util/rng';
import type { CollisionSample, CollisionTaskFolder } from './types';

/** Options of `makeCollisionTask`. */
export interface CollisionTaskOptions {
  seed: number;
  /** Task 3: fraction of episodes whose video is left out, so their audio answers −1 (default 0.2). */
  unmatchedAudio?: number;
  /** Task 3: fraction of other episodes whose audio is left out (an extra, unmatched video; default 0). */
  unmatchedVideo?: number;
}

/** Item names as a task folder stores them: `audio_0000`, … (four digits, more when needed). */
export function taskItemId(kind: 'audio' | 'video', index: number, count: number): string {
  return `${kind}_${String(index).padStart(Math.max(4, String(Math.max(count - 1, 0)).length), '0')}`;
}

function audioItem(s: CollisionSample, id: string): CollisionSample {
  return { id, object: -1, audio: s.audio, sampleRate: s.sampleRate, width: 0, height: 0, rgb: [], mask: [], fps: 0 };
}

function videoItem(s: CollisionSample, id: string): CollisionSample {
  return { id, object: -1, audio: [], sampleRate: 0, width: s.width, height: s.height, rgb: s.rgb, mask: s.mask, fps: s.fps };
}

/**
 * Builds a task folder from labelled samples (deterministic per seed). Items are renamed by
 * position (`audio_0000`, `video_0000`, … as `writeTaskFolder` writes them), because a source id
 * such as `strawberry/3` would give the answer away. Arrays are shared with the samples, not copied.
 */
export function makeCollisionTask(samples: readonly CollisionSample[], task: 1 | 2 | 3, opts: CollisionTaskOptions): CollisionTaskFolder {
  if (samples.length === 0) throw new RangeError('makeCollisionTask: no samples');
  for (const s of samples) {
    if (s.object < 0) throw new RangeError(`makeCollisionTask: sample ${s.id} has no label`);
    if (s.audio.length === 0) throw new RangeError(`makeCollisionTask: sample ${s.id} has no audio`);
    if (task !== 1 && s.rgb.length === 0) throw new RangeError(`makeCollisionTask: sample ${s.id} has no frames`);
  }
  const rng = new Rng(deriveSeed(opts.seed, `collision-task-${task}`));
  const n = samples.length;
  let withAudio = samples.map((_, i) => i);
  let withVideo = task === 1 ? [] : samples.map((_, i) => i);
  if (task === 3) {
    const fa = opts.unmatchedAudio ?? 0.2;
    const fv = opts.unmatchedVideo ?? 0;
    if (!(fa >= 0 && fv >= 0 && fa + fv < 1)) throw new RangeError(`makeCollisionTask: unmatchedAudio + unmatchedVideo must be in [0, 1), got ${fa} + ${fv}`);
    const order = rng.permutation(n);
    const na = Math.round(fa * n);
    const nv = Math.round(fv * n);
    if (na + nv >= n) throw new RangeError(`makeCollisionTask: ${n} samples leave no matched pair with these fractions`);
    const noVideo = new Set(order.slice(0, na));
    const noAudio = new Set(order.slice(na, na + nv));
    withAudio = withAudio.filter((i) => !noAudio.has(i));
    withVideo = withVideo.filter((i) => !noVideo.has(i));
  }
  const audioOrder = rng.shuffle(withAudio.slice());
  const videoOrder = rng.shuffle(withVideo.slice());
  const videoPos = new Map(videoOrder.map((s, i) => [s, i]));
  return {
    task,
    audio: audioOrder.map((i, k) => audioItem(samples[i], taskItemId('audio', k, audioOrder.length))),
    video: videoOrder.map((i, k) => videoItem(samples[i], taskItemId('video', k, videoOrder.length))),
    answers: {
      audioObjects: audioOrder.map((i) => samples[i].object),
      audioToVideo: audioOrder.map((i) => videoPos.get(i) ?? -1),
      videoObjects: videoOrder.map((i) => samples[i].object),
    },
  };
}
