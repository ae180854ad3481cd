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

/** One recorded episode: 4-channel audio around an impact and the camera's frames. */
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
  /** Object centre per frame in pixels, F × 2 (x, y) row-major. */
  trajectory: Float32Array;
  /** Impacts with the tray walls: time in seconds from the start of the audio, position in pixels, normal speed. */
  impacts: { time: number; x: number; y: number; speed: number; wall: number }[];
}
