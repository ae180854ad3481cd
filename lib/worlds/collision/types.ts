/**
 * The collision world's data types, shared by every family that samples from it (collision
 * matching, AVTS synchronisation): objects colliding in a tilted tray, recorded by four wall
 * microphones and a top-down camera (the Tilt-Bot setting).
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
