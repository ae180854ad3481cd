/**
 * The typed collision data set shared by the simulator, the course-layout reader/writer and the
 * matching experiments: objects colliding in a tilted tray, recorded by four wall microphones and a
 * top-down camera (the Tilt-Bot setting).
 */

/** The course's ten objects, in its (alphabetical) label order. */
export const COLLISION_OBJECTS = [
  '061_foam_brick',
  'green_basketball',
  'salt_cylinder',
  'shiny_toy_gun',
  'stanley_screwdriver',
  'strawberry',
  'toothpaste_box',
  'toy_elephant',
  'whiteboard_spray',
  'yellow_block',
] as const;

/**
 * One recorded episode: 4-channel audio around an impact and the camera's frames. Task inputs
 * carry one modality only: an audio item has no frames (`rgb`, `mask` empty, `width` = `height`
 * = `fps` = 0) and a video item has no audio (`audio` empty, `sampleRate` 0).
 */
export interface CollisionSample {
  /** e.g. `green_basketball/3` (course layout `<object>/<k>`), or the task file name. */
  id: string;
  /** Class index into COLLISION_OBJECTS; -1 when unknown (task inputs). */
  object: number;
  /** Audio per microphone (4 channels: walls in the order left, right, top, bottom), equal lengths. */
  audio: Float32Array[];
  sampleRate: number;
  /** Frame size in pixels. */
  width: number;
  height: number;
  /** RGB frames, each width × height × 3 bytes, row-major. */
  rgb: Uint8Array[];
  /** Binary masks (0 or 255), each width × height bytes. */
  mask: Uint8Array[];
  /** Camera frame rate (frames per second). */
  fps: number;
  /** Ground truth the simulator knows and real data lacks. */
  truth?: CollisionTruth;
}

/** What really happened in a simulated episode. */
export interface CollisionTruth {
  /**
   * Object centre (area centroid) per frame in pixels, F × 2 (x, y) row-major. Pixel (i, j)
   * covers [i, i+1) × [j, j+1), so the image spans [0, width] × [0, height].
   */
  trajectory: Float32Array;
  /** Impacts with the tray walls: time in seconds from the start of the audio, position in pixels, normal speed. */
  impacts: CollisionImpact[];
  /**
   * Seconds by which the audio is shifted against the frames: audio sample n was recorded at frame
   * time n / sampleRate + audioShift. 0 (or absent) when audio and frames are aligned; set by
   * `cutWindow` for synchronisation experiments.
   */
  audioShift?: number;
  /** Where the frames start in the simulated episode or clip (seconds), for reference. */
  windowStart?: number;
}

/** One impact of the object with a tray wall. */
export interface CollisionImpact {
  /** Seconds from the start of the audio (at the impact point, before any travel to a microphone). */
  time: number;
  /** Object centre at the impact, in pixels (the same coordinates as `trajectory`). */
  x: number;
  y: number;
  /** Normal speed towards the wall just before the impact, metres per second. */
  speed: number;
  /** The wall hit: 0 left, 1 right, 2 top, 3 bottom (the microphone order). */
  wall: number;
  /** Where the object touched the wall (the sound source), in pixels. */
  contact?: { x: number; y: number };
}

/** A continuous simulated recording with several impacts (from `simulateCollisionClip`). */
export interface CollisionClip extends CollisionSample {
  truth: CollisionTruth;
}

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
