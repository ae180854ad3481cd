/**
 * Types of the audio-visual event simulator (lib/mil/data/simulator.ts): clips with clip-level
 * labels for training and the ground truth (sound intervals, visible frames, boxes) kept for
 * evaluating localisation only.
 */
import type { Box } from '../../metrics/localisation';

/** Shapes an event's or a distractor's visual object can take. */
export type ObjectShape = 'square' | 'rect' | 'bar' | 'circle' | 'triangle' | 'cross';

/** How an object looks: shape, RGB colour in [0, 1] and size in pixels (before per-clip scaling). */
export interface ObjectLook {
  shape: ObjectShape;
  colour: [number, number, number];
  size: [width: number, height: number];
}

/** One event class: what it sounds like (described) and what it looks like. */
export interface MilClass {
  name: string;
  /** One line on the synthesised sound. */
  sound: string;
  look: ObjectLook;
}

/** One event of a clip. Times in seconds; frame k shows second [k, k + 1). */
export interface MilEvent {
  cls: number;
  /** The sound's [onset, offset], or null when the event is silent (visual only). */
  audio: [number, number] | null;
  /** Frames where the object is visible (empty when it is off-screen: audio only). */
  frames: number[];
  /** The object's box in each visible frame, `[x0, y0, x1, y1]` in pixel edges. */
  boxes: Box[];
  /** Centre of the visible span minus centre of the sound, when the event has both (0 when synchronised). */
  offset: number | null;
}

/** A distractor object (not an event class) and where it shows. */
export interface MilDistractor {
  kind: string;
  frames: number[];
  boxes: Box[];
}

/** One simulated clip. */
export interface MilClip {
  id: string;
  /** Mono audio at `sampleRate`. */
  audio: Float32Array;
  sampleRate: number;
  /** `frames × size × size × 3` RGB in [0, 1], row-major (frame, y, x, channel). */
  frames: Float32Array;
  frameSize: number;
  /** Clip-level labels: 1 for every class with an event in the clip (the only supervision). */
  labels: Uint8Array;
  /** Ground truth for evaluation. */
  events: MilEvent[];
  /** True when every event that is both heard and seen is seen while it is heard. */
  synchronised: boolean;
  distractorSounds: string[];
  distractorObjects: MilDistractor[];
}

/** Options of the simulator. Every default is what the notebook uses. */
export interface MilSimOptions {
  seed: number;
  clips: number;
  /** First clip index (clips are generated independently by index, so a set can be made in chunks). */
  start: number;
  seconds: number;
  sampleRate: number;
  /** Frames per second (1, as in the paper's proposals). */
  fps: number;
  /** Frames are size × size pixels. */
  frameSize: number;
  /** Probability that a clip is synchronised. */
  pSync: number;
  /** Probability that an event is only heard (its object off-screen) and only seen (silent). */
  pAudioOnly: number;
  pVisualOnly: number;
  /** Probabilities of 1, 2, 3 events in a clip. */
  eventCounts: [number, number, number];
  /** Event sound peak level relative to the background noise, uniform in [lo, hi] dB. */
  snrDb: [number, number];
  /** Per-pixel noise standard deviation of the frames. */
  pixelNoise: number;
  /** Distractor sounds and objects per clip: uniform integers in [0, max]. */
  maxDistractorSounds: number;
  maxDistractorObjects: number;
}
