/**
 * The course's task folders for collision matching. The world's types (samples, clips, truth, the
 * object list) live in lib/worlds/collision and are re-exported here for the matching code.
 */
export { COLLISION_OBJECTS } from '../../worlds/collision/types';
export type { CollisionSample, CollisionTruth, CollisionImpact, CollisionClip } from '../../worlds/collision/types';
import type { CollisionSample } from '../../worlds/collision/types';

/**
 * A task folder of the course (see data/README.md, "Collision matching"): task 1 classifies each
 * audio item; task 2 matches every audio item to its video one-to-one; task 3 does the same where
 * some audio items have no video (answer -1).
 */
export interface CollisionTaskFolder {
  task: 1 | 2 | 3;
  /** Audio items (`audio_0000`, …), object -1, no frames. */
  audio: CollisionSample[];
  /** Video items (`video_0000`, …), object -1, no audio; empty for task 1. */
  video: CollisionSample[];
  /** The answers, when known (simulated folders carry them; real ones do not). */
  answers?: CollisionTaskAnswers;
}

/** Ground truth of a task folder, by position in `audio` / `video`. */
export interface CollisionTaskAnswers {
  /** Class index of each audio item. */
  audioObjects: number[];
  /** Index into `video` of each audio item's video, or -1 (task 3, and always -1 for task 1). */
  audioToVideo: number[];
  /** Class index of each video item. */
  videoObjects: number[];
}
