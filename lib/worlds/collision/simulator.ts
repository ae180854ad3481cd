/**
 * The embedded collision simulator: the ten course objects sliding in a tilted tray (the Tilt-Bot
 * setting), filmed from above and recorded by a microphone at the middle of each wall. It stands
 * in for the course's Tilt-Bot recordings, which we cannot download, and knows what real data
 * does not: the true trajectory and every impact.
 *
 * The model, kept simple on purpose:
 *  - Tray: a square of side `traySize` (0.6 m) seen from above; image x to the right, y down.
 *    Walls and microphones are numbered left, right, top, bottom; each microphone sits at the
 *    middle of its wall, `MIC_HEIGHT` above the tray floor.
 *  - Objects: a fixed top-down silhouette made of rectangles, ellipses and polygons (distinct
 *    shape, size and colours per object), placed with a random orientation that stays fixed while
 *    it moves; collisions use the silhouette's axis-aligned extent, so a drawn object touches the
 *    wall exactly when it hits it.
 *  - Physics (2-D, time step 1/4000 s): tilting the tray by α towards direction φ gives a driving
 *    acceleration g·sin α (× 5/7 for rolling objects) along φ; Coulomb friction μ·g·cos α opposes
 *    the motion (static friction 1.2 μ holds an object at rest); walls push back the component of
 *    the drive into them. A wall hit faster than 3 cm/s is an impact: the normal velocity is
 *    reversed and scaled by the material's restitution; slower contacts just stop.
 *  - Impact sound: the sum of the material's damped modes (frequency × object pitch),
 *    y(t) = Σ_m A·a_m·e^{−d_m t}·sin(2π f_m t), plus a short exponentially decaying noise click;
 *    A ∝ normal impact speed. Each microphone hears it with gain r₀ / r and delay r / c, r being
 *    the 3-D distance from the contact point to the microphone (c = 343 m/s).
 *    Sliding adds a faint scrape (low-passed noise ∝ speed), and every channel has white
 *    background noise.
 *  - Frames: the tray background (a lighting gradient and fixed grain, a darker rim) with the
 *    object drawn in its colours, plus sensor noise; masks are the object's exact pixels.
 *
 * `simulateCollisions` gives course-style samples: a 4-second window around the main impact
 * (the course's `audio_data.pkl`) with the frames of the same window. `simulateCollisionClip`
 * gives one continuous recording with several impacts, from which `cutWindow` cuts aligned or
 * audio-shifted windows for synchronisation experiments. Everything is deterministic per seed.
 */
import { Rng, deriveSeed } from '../../util/rng';
import { COLLISION_OBJECTS, type CollisionClip, type CollisionImpact, type CollisionSample, type CollisionTruth } from './types';

// ---------------------------------------------------------------------------------------------
// Materials and objects.

/** Materials of the course objects. */
export type CollisionMaterial = 'foam' | 'rubber' | 'cardboard' | 'plastic' | 'metal' | 'wood';

/** One vibration mode of an impact sound. */
export interface ImpactMode {
  /** Frequency in Hz (before the object's pitch factor). */
  freq: number;
  /** Exponential decay rate in 1/s (amplitude ∝ e^{−decay·t}). */
  decay: number;
  /** Relative amplitude. */
  amp: number;
}

/** Acoustic and mechanical properties of a material. */
export interface MaterialSpec {
  modes: ImpactMode[];
  /** Broadband contact click: relative amplitude and decay rate (1/s). */
  click: { amp: number; decay: number };
  /** Coefficient of restitution against the tray wall. */
  restitution: number;
  /** Kinetic (sliding) friction coefficient on the tray floor; static friction is 1.2 × this. */
  friction: number;
  /** Level of the sliding noise per metre per second of speed. */
  scrape: number;
}

/**
 * Material table. Soft materials ring low and die fast (foam: ~10 ms), hard ones ring high and
 * long (metal: ~200 ms), so the audio alone carries the object's identity, as on the real robot.
 */
export const COLLISION_MATERIALS: Readonly<Record<CollisionMaterial, MaterialSpec>> = {
  foam: {
    modes: [
      { freq: 190, decay: 95, amp: 1 },
      { freq: 430, decay: 130, amp: 0.5 },
      { freq: 820, decay: 170, amp: 0.25 },
    ],
    click: { amp: 0.25, decay: 900 },
    restitution: 0.15,
    friction: 0.45,
    scrape: 0.012,
  },
  rubber: {
    modes: [
      { freq: 250, decay: 28, amp: 1 },
      { freq: 590, decay: 40, amp: 0.55 },
      { freq: 1150, decay: 60, amp: 0.3 },
    ],
    click: { amp: 0.2, decay: 700 },
    restitution: 0.7,
    friction: 0.5,
    scrape: 0.008,
  },
  cardboard: {
    modes: [
      { freq: 380, decay: 75, amp: 1 },
      { freq: 870, decay: 95, amp: 0.6 },
      { freq: 1700, decay: 130, amp: 0.35 },
    ],
    click: { amp: 0.5, decay: 1100 },
    restitution: 0.3,
    friction: 0.4,
    scrape: 0.02,
  },
  plastic: {
    modes: [
      { freq: 1050, decay: 30, amp: 1 },
      { freq: 2400, decay: 42, amp: 0.6 },
      { freq: 4100, decay: 60, amp: 0.35 },
    ],
    click: { amp: 0.6, decay: 1500 },
    restitution: 0.45,
    friction: 0.3,
    scrape: 0.015,
  },
  metal: {
    modes: [
      { freq: 1750, decay: 5, amp: 1 },
      { freq: 3850, decay: 7, amp: 0.6 },
      { freq: 6100, decay: 10, amp: 0.4 },
    ],
    click: { amp: 0.8, decay: 2000 },
    restitution: 0.35,
    friction: 0.25,
    scrape: 0.015,
  },
  wood: {
    modes: [
      { freq: 720, decay: 38, amp: 1 },
      { freq: 1650, decay: 52, amp: 0.55 },
      { freq: 3000, decay: 75, amp: 0.3 },
    ],
    click: { amp: 0.6, decay: 1400 },
    restitution: 0.4,
    friction: 0.35,
    scrape: 0.02,
  },
};

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/**
 * One piece of an object's top-down silhouette, in object coordinates (metres; u along the
 * object's length, v across). Later parts are drawn over earlier ones.
 */
export type ShapePart =
  | { kind: 'rect'; cu: number; cv: number; lu: number; lv: number; colour: Rgb }
  | { kind: 'ellipse'; cu: number; cv: number; ru: number; rv: number; colour: Rgb }
  | { kind: 'polygon'; points: readonly (readonly [number, number])[]; colour: Rgb };

/** A simulated course object. */
export interface CollisionObjectSpec {
  name: (typeof COLLISION_OBJECTS)[number];
  /** The silhouette in words (what makes it recognisable from above). */
  shape: string;
  material: CollisionMaterial;
  /** Its main colour (the first part's). */
  colour: Rgb;
  /** The silhouette, centred on its area centroid (the point the physics moves). */
  parts: readonly ShapePart[];
  /** Multiplies the material's modal frequencies (small objects ring higher). */
  pitch: number;
  /** True for objects that roll rather than slide (lower resistance, 5/7 of the drive). */
  rolls: boolean;
}

interface RawObject {
  shape: string;
  material: CollisionMaterial;
  parts: ShapePart[];
  pitch: number;
  rolls?: boolean;
}

const rect = (cu: number, cv: number, lu: number, lv: number, colour: Rgb): ShapePart => ({ kind: 'rect', cu, cv, lu, lv, colour });
const ellipse = (cu: number, cv: number, ru: number, rv: number, colour: Rgb): ShapePart => ({ kind: 'ellipse', cu, cv, ru, rv, colour });

/** The ten objects (sizes roughly those of the real YCB-like items, in metres). */
const RAW_OBJECTS: Record<(typeof COLLISION_OBJECTS)[number], RawObject> = {
  '061_foam_brick': { shape: 'rectangle', material: 'foam', pitch: 1.0, parts: [rect(0, 0, 0.075, 0.05, [225, 95, 45])] },
  green_basketball: { shape: 'circle', material: 'rubber', pitch: 1.0, rolls: true, parts: [ellipse(0, 0, 0.045, 0.045, [40, 160, 70])] },
  salt_cylinder: {
    shape: 'capsule (a cylinder lying down)',
    material: 'cardboard',
    pitch: 0.9,
    parts: [rect(0, 0, 0.09, 0.07, [40, 80, 190]), ellipse(-0.045, 0, 0.02, 0.035, [40, 80, 190]), ellipse(0.045, 0, 0.02, 0.035, [230, 230, 235])],
  },
  shiny_toy_gun: {
    shape: 'L shape',
    material: 'plastic',
    pitch: 0.8,
    parts: [rect(0, 0, 0.15, 0.035, [185, 190, 205]), rect(-0.05, 0.045, 0.035, 0.07, [160, 165, 180])],
  },
  stanley_screwdriver: {
    shape: 'handle and thin shaft',
    material: 'metal',
    pitch: 1.0,
    parts: [rect(-0.045, 0, 0.09, 0.032, [230, 170, 20]), rect(0.05, 0, 0.1, 0.014, [110, 110, 120])],
  },
  strawberry: {
    shape: 'triangle with a leafy top',
    material: 'plastic',
    pitch: 1.6,
    parts: [
      { kind: 'polygon', points: [[0.032, 0], [-0.02, 0.027], [-0.02, -0.027]], colour: [205, 25, 50] },
      rect(-0.024, 0, 0.012, 0.036, [60, 150, 50]),
    ],
  },
  toothpaste_box: {
    shape: 'long thin box',
    material: 'cardboard',
    pitch: 0.75,
    parts: [rect(0, 0, 0.19, 0.045, [240, 240, 245]), rect(0.06, 0, 0.04, 0.045, [200, 30, 40])],
  },
  toy_elephant: {
    shape: 'oval body with a round head',
    material: 'rubber',
    pitch: 1.3,
    parts: [ellipse(-0.01, 0, 0.05, 0.035, [140, 145, 160]), ellipse(0.05, 0, 0.025, 0.025, [150, 155, 170])],
  },
  whiteboard_spray: {
    shape: 'can with a cap',
    material: 'metal',
    pitch: 0.85,
    parts: [rect(0, 0, 0.11, 0.045, [30, 150, 160]), rect(0.068, 0, 0.026, 0.034, [240, 240, 240])],
  },
  yellow_block: { shape: 'square', material: 'wood', pitch: 1.2, parts: [rect(0, 0, 0.05, 0.05, [245, 215, 40])] },
};

/** Tests a point (object coordinates, metres) against one part. */
function insidePart(p: ShapePart, u: number, v: number): boolean {
  switch (p.kind) {
    case 'rect':
      return Math.abs(u - p.cu) <= p.lu / 2 && Math.abs(v - p.cv) <= p.lv / 2;
    case 'ellipse': {
      const a = (u - p.cu) / p.ru;
      const b = (v - p.cv) / p.rv;
      return a * a + b * b <= 1;
    }
    case 'polygon': {
      // Convex polygon: inside when the point is on the same side of every edge.
      let sign = 0;
      const pts = p.points;
      for (let i = 0; i < pts.length; i++) {
        const [x0, y0] = pts[i];
        const [x1, y1] = pts[(i + 1) % pts.length];
        const c = (x1 - x0) * (v - y0) - (y1 - y0) * (u - x0);
        if (c !== 0) {
          if (sign === 0) sign = Math.sign(c);
          else if (Math.sign(c) !== sign) return false;
        }
      }
      return true;
    }
  }
}

/** Local bounding box of a part: [uMin, uMax, vMin, vMax]. */
function partBox(p: ShapePart): [number, number, number, number] {
  switch (p.kind) {
    case 'rect':
      return [p.cu - p.lu / 2, p.cu + p.lu / 2, p.cv - p.lv / 2, p.cv + p.lv / 2];
    case 'ellipse':
      return [p.cu - p.ru, p.cu + p.ru, p.cv - p.rv, p.cv + p.rv];
    case 'polygon': {
      const us = p.points.map((q) => q[0]);
      const vs = p.points.map((q) => q[1]);
      return [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
    }
  }
}

function shiftPart(p: ShapePart, du: number, dv: number): ShapePart {
  switch (p.kind) {
    case 'rect':
      return { ...p, cu: p.cu - du, cv: p.cv - dv };
    case 'ellipse':
      return { ...p, cu: p.cu - du, cv: p.cv - dv };
    case 'polygon':
      return { ...p, points: p.points.map(([a, b]) => [a - du, b - dv] as const) };
  }
}

/**
 * Re-centres a silhouette on its area centroid (measured on a fine grid), so the physics moves the
 * same point a mask's centroid measures.
 */
function centreParts(parts: ShapePart[]): ShapePart[] {
  const boxes = parts.map(partBox);
  const u0 = Math.min(...boxes.map((b) => b[0]));
  const u1 = Math.max(...boxes.map((b) => b[1]));
  const v0 = Math.min(...boxes.map((b) => b[2]));
  const v1 = Math.max(...boxes.map((b) => b[3]));
  const n = 400;
  let su = 0;
  let sv = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const u = u0 + ((i + 0.5) / n) * (u1 - u0);
    for (let j = 0; j < n; j++) {
      const v = v0 + ((j + 0.5) / n) * (v1 - v0);
      if (parts.some((p) => insidePart(p, u, v))) {
        su += u;
        sv += v;
        count++;
      }
    }
  }
  return parts.map((p) => shiftPart(p, su / count, sv / count));
}

/** The ten simulated objects, in COLLISION_OBJECTS (label) order. */
export const COLLISION_OBJECT_SPECS: readonly CollisionObjectSpec[] = COLLISION_OBJECTS.map((name) => {
  const raw = RAW_OBJECTS[name];
  return {
    name,
    shape: raw.shape,
    material: raw.material,
    colour: raw.parts[0].colour,
    parts: centreParts(raw.parts),
    pitch: raw.pitch,
    rolls: raw.rolls ?? false,
  };
});

// ---------------------------------------------------------------------------------------------
// Constants and options.

/** Height of the microphones above the tray floor (m); keeps the 1/r gain finite at the wall. */
export const MIC_HEIGHT = 0.05;
/** Speed of sound in air (m/s). */
export const SPEED_OF_SOUND = 343;
/** Distance at which a microphone's gain is 1 (m). */
const REF_DISTANCE = 0.1;
/** Amplitude of the sound per m/s of impact speed at the reference distance. */
const IMPACT_GAIN = 0.15;
/** Slower wall contacts are not impacts (they make no sound and do not bounce). */
const MIN_IMPACT_SPEED = 0.03;
/** Physics time step (s). */
const DT = 1 / 4000;
const GRAVITY = 9.81;
/** Rolling resistance coefficient of rolling objects. */
const ROLLING_FRICTION = 0.03;

/** Microphone positions (metres, image axes) for a tray of side `traySize`: left, right, top, bottom. */
export function microphonePositions(traySize = 0.6): [number, number][] {
  const h = traySize / 2;
  return [
    [0, h],
    [traySize, h],
    [h, 0],
    [h, traySize],
  ];
}

/** Recording settings shared by samples and clips. */
export interface CollisionRecordingOptions {
  /** Audio sample rate in Hz (default 16000; the course's recordings use 44100). */
  sampleRate?: number;
  /** Camera frames per second (default 30). */
  fps?: number;
  /** Frame size in pixels (default 64 × 64); the frame shows the whole tray. */
  width?: number;
  height?: number;
  /** Side of the square tray in metres (default 0.6). */
  traySize?: number;
  /** Standard deviation of the white background noise per audio channel (default 0.002). */
  noiseStd?: number;
  /** Sensor noise of the frames: uniform in ±pixelNoise grey levels per channel (default 3). */
  pixelNoise?: number;
}

/** Options of `simulateCollisions`. */
export interface CollisionSimOptions extends CollisionRecordingOptions {
  seed: number;
  /** Samples per object. */
  perObject: number;
  /** Class indices to simulate (default all ten). */
  objects?: readonly number[];
  /** Length of each sample's audio and video window in seconds (default 4, as the course). */
  seconds?: number;
  /** Range of the main impact's time inside the window, seconds (default [1.2, 2.0]). */
  impactAt?: readonly [number, number];
}

/** Options of `simulateCollisionClip`. */
export interface CollisionClipOptions extends CollisionRecordingOptions {
  seed: number;
  /** Clip length in seconds (default 10). */
  seconds?: number;
  /** Number of tilts, each sending the object into a wall: at least this many impacts (≥ 3, default 4). */
  impacts?: number;
  /** Class index of the object (default: drawn from the seed). */
  object?: number;
}

interface Recording {
  sampleRate: number;
  fps: number;
  width: number;
  height: number;
  traySize: number;
  noiseStd: number;
  pixelNoise: number;
}

function recordingDefaults(o: CollisionRecordingOptions): Recording {
  const r: Recording = {
    sampleRate: o.sampleRate ?? 16000,
    fps: o.fps ?? 30,
    width: o.width ?? 64,
    height: o.height ?? 64,
    traySize: o.traySize ?? 0.6,
    noiseStd: o.noiseStd ?? 0.002,
    pixelNoise: o.pixelNoise ?? 3,
  };
  const positive: (keyof Recording)[] = ['sampleRate', 'fps', 'width', 'height', 'traySize'];
  for (const k of positive) {
    if (!(Number.isFinite(r[k]) && r[k] > 0)) throw new RangeError(`collision simulator: ${k} must be positive, got ${r[k]}`);
  }
  if (!Number.isInteger(r.width) || !Number.isInteger(r.height)) throw new RangeError('collision simulator: width and height must be integers');
  if (!(r.noiseStd >= 0) || !(r.pixelNoise >= 0)) throw new RangeError('collision simulator: noiseStd and pixelNoise must be ≥ 0');
  return r;
}

// ---------------------------------------------------------------------------------------------
// Physics.

/** Offsets from the centre to the silhouette's axis-aligned box at orientation θ (metres). */
interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

function extentAt(spec: CollisionObjectSpec, theta: number): Extent {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const e: Extent = { xMin: Infinity, xMax: -Infinity, yMin: Infinity, yMax: -Infinity };
  const addPoint = (u: number, v: number): void => {
    const x = c * u - s * v;
    const y = s * u + c * v;
    e.xMin = Math.min(e.xMin, x);
    e.xMax = Math.max(e.xMax, x);
    e.yMin = Math.min(e.yMin, y);
    e.yMax = Math.max(e.yMax, y);
  };
  for (const p of spec.parts) {
    if (p.kind === 'rect') {
      for (const du of [-p.lu / 2, p.lu / 2]) for (const dv of [-p.lv / 2, p.lv / 2]) addPoint(p.cu + du, p.cv + dv);
    } else if (p.kind === 'polygon') {
      for (const [u, v] of p.points) addPoint(u, v);
    } else {
      // Rotated ellipse: half-extents √(a²cos²θ + b²sin²θ) along x and √(a²sin²θ + b²cos²θ) along y.
      const x = c * p.cu - s * p.cv;
      const y = s * p.cu + c * p.cv;
      const hx = Math.sqrt(p.ru * p.ru * c * c + p.rv * p.rv * s * s);
      const hy = Math.sqrt(p.ru * p.ru * s * s + p.rv * p.rv * c * c);
      e.xMin = Math.min(e.xMin, x - hx);
      e.xMax = Math.max(e.xMax, x + hx);
      e.yMin = Math.min(e.yMin, y - hy);
      e.yMax = Math.max(e.yMax, y + hy);
    }
  }
  return e;
}

/** A constant tilt from `time` on: the driving acceleration and the friction deceleration. */
interface Tilt {
  time: number;
  ax: number;
  ay: number;
  friction: number;
}

/** Impact in metres, episode time. */
interface RawImpact {
  time: number;
  x: number;
  y: number;
  cx: number;
  cy: number;
  speed: number;
  wall: number;
}

interface Motion {
  /** Centre position at step i (time i·DT). */
  xs: Float64Array;
  ys: Float64Array;
  impacts: RawImpact[];
}

/** The drive and friction of tilting by `angle` (rad) towards direction `phi` (rad, image axes). */
function makeTilt(time: number, angle: number, phi: number, spec: CollisionObjectSpec): Tilt {
  const mu = spec.rolls ? ROLLING_FRICTION : COLLISION_MATERIALS[spec.material].friction;
  const drive = GRAVITY * Math.sin(angle) * (spec.rolls ? 5 / 7 : 1);
  return { time, ax: drive * Math.cos(phi), ay: drive * Math.sin(phi), friction: mu * GRAVITY * Math.cos(angle) };
}

/** A tilt angle that reliably overcomes static friction for this object (radians). */
function tiltAngle(spec: CollisionObjectSpec, rng: Rng): number {
  const mu = spec.rolls ? ROLLING_FRICTION : COLLISION_MATERIALS[spec.material].friction;
  const deg = (Math.atan(1.2 * mu) * 180) / Math.PI + rng.range(6, 16);
  return (Math.min(deg, 40) * Math.PI) / 180;
}

/**
 * Integrates the motion from rest at (x0, y0) for `duration` seconds under a schedule of tilts
 * (the tray is level before the first). Semi-implicit Euler; wall crossings are located inside
 * the step by linear interpolation, which puts impact times within a fraction of DT.
 */
function simulateMotion(spec: CollisionObjectSpec, ext: Extent, tilts: Tilt[], x0: number, y0: number, duration: number, tray: number): Motion {
  const material = COLLISION_MATERIALS[spec.material];
  const e = material.restitution;
  const steps = Math.ceil(duration / DT);
  const xs = new Float64Array(steps + 1);
  const ys = new Float64Array(steps + 1);
  const impacts: RawImpact[] = [];
  const lo = { x: -ext.xMin, y: -ext.yMin };
  const hi = { x: tray - ext.xMax, y: tray - ext.yMax };
  const tol = 1e-9;
  let x = x0;
  let y = y0;
  let vx = 0;
  let vy = 0;
  let k = -1;
  xs[0] = x;
  ys[0] = y;
  for (let i = 0; i < steps; i++) {
    const t = i * DT;
    while (k + 1 < tilts.length && tilts[k + 1].time <= t) k++;
    let gx = k >= 0 ? tilts[k].ax : 0;
    let gy = k >= 0 ? tilts[k].ay : 0;
    const fr = k >= 0 ? tilts[k].friction : GRAVITY * material.friction;
    // A wall takes up the part of the drive that pushes into it.
    if ((x <= lo.x + tol && gx < 0) || (x >= hi.x - tol && gx > 0)) gx = 0;
    if ((y <= lo.y + tol && gy < 0) || (y >= hi.y - tol && gy > 0)) gy = 0;
    const speed = norm(vx, vy);
    let ax: number;
    let ay: number;
    if (speed < 1e-4) {
      const g = norm(gx, gy);
      if (g <= 1.2 * fr) {
        vx = 0;
        vy = 0;
        xs[i + 1] = x;
        ys[i + 1] = y;
        continue;
      }
      ax = gx - (fr * gx) / g;
      ay = gy - (fr * gy) / g;
    } else {
      ax = gx - (fr * vx) / speed;
      ay = gy - (fr * vy) / speed;
    }
    const nvx = vx + ax * DT;
    const nvy = vy + ay * DT;
    // Friction can stop an object but never send it backwards.
    if (speed >= 1e-4 && nvx * vx + nvy * vy < 0 && norm(gx, gy) <= 1.2 * fr) {
      vx = 0;
      vy = 0;
    } else {
      vx = nvx;
      vy = nvy;
    }
    let nx = x + vx * DT;
    let ny = y + vy * DT;
    const hit = (wall: number, frac: number, speedN: number): boolean => {
      if (speedN <= MIN_IMPACT_SPEED) return false;
      const ix = x + frac * (nx - x);
      const iy = y + frac * (ny - y);
      const cx = wall === 0 ? 0 : wall === 1 ? tray : ix;
      const cy = wall === 2 ? 0 : wall === 3 ? tray : iy;
      impacts.push({ time: t + frac * DT, x: ix, y: iy, cx, cy, speed: speedN, wall });
      return true;
    };
    if (nx < lo.x) {
      const frac = (x - lo.x) / (x - nx);
      if (hit(0, frac, -vx)) {
        vx = -e * vx;
        nx = lo.x + (lo.x - nx) * e;
      } else {
        vx = 0;
        nx = lo.x;
      }
    } else if (nx > hi.x) {
      const frac = (hi.x - x) / (nx - x);
      if (hit(1, frac, vx)) {
        vx = -e * vx;
        nx = hi.x - (nx - hi.x) * e;
      } else {
        vx = 0;
        nx = hi.x;
      }
    }
    if (ny < lo.y) {
      const frac = (y - lo.y) / (y - ny);
      if (hit(2, frac, -vy)) {
        vy = -e * vy;
        ny = lo.y + (lo.y - ny) * e;
      } else {
        vy = 0;
        ny = lo.y;
      }
    } else if (ny > hi.y) {
      const frac = (hi.y - y) / (ny - y);
      if (hit(3, frac, vy)) {
        vy = -e * vy;
        ny = hi.y - (ny - hi.y) * e;
      } else {
        vy = 0;
        ny = hi.y;
      }
    }
    x = Math.min(Math.max(nx, lo.x), hi.x);
    y = Math.min(Math.max(ny, lo.y), hi.y);
    xs[i + 1] = x;
    ys[i + 1] = y;
  }
  return { xs, ys, impacts };
}

// Math.hypot guards against overflow we cannot meet here and is several times slower.
const norm = (a: number, b: number): number => Math.sqrt(a * a + b * b);
const norm3 = (a: number, b: number, c: number): number => Math.sqrt(a * a + b * b + c * c);

/** Position at time t by linear interpolation of the motion record. */
function positionAt(m: Motion, t: number): [number, number] {
  const f = Math.min(Math.max(t / DT, 0), m.xs.length - 1);
  const i = Math.min(Math.floor(f), m.xs.length - 2);
  const a = f - i;
  return [m.xs[i] + a * (m.xs[i + 1] - m.xs[i]), m.ys[i] + a * (m.ys[i + 1] - m.ys[i])];
}

// ---------------------------------------------------------------------------------------------
// Audio.

/** Per-episode acoustic identity of the object: its modes with a small random detuning. */
interface Voice {
  modes: ImpactMode[];
  click: { amp: number; decay: number };
  scrape: number;
}

function makeVoice(spec: CollisionObjectSpec, sampleRate: number, rng: Rng): Voice {
  const m = COLLISION_MATERIALS[spec.material];
  const modes = m.modes
    .map((md) => ({ ...md, freq: md.freq * spec.pitch * (1 + 0.02 * rng.normal()) }))
    // Modes above 0.45 × the sample rate would alias.
    .filter((md) => md.freq < 0.45 * sampleRate);
  return { modes, click: m.click, scrape: m.scrape };
}

/**
 * Renders the audio of [w0, w0 + n/sampleRate) of an episode: impact sounds at every microphone
 * with distance gain and delay, sliding noise, and background noise.
 */
function renderAudio(motion: Motion, voice: Voice, w0: number, n: number, rec: Recording, rng: Rng): Float32Array[] {
  const sr = rec.sampleRate;
  const mics = microphonePositions(rec.traySize);
  const acc = mics.map(() => new Float64Array(n));
  const wEnd = w0 + n / sr;
  const minDecay = Math.min(...voice.modes.map((m) => m.decay), voice.click.decay);
  const tail = 7 / minDecay; // e^-7 ≈ 0.1% of the initial amplitude
  for (const imp of motion.impacts) {
    if (imp.time >= wEnd || imp.time + tail < w0) continue;
    // Where on the object it is hit changes how strongly each mode rings.
    const modeAmps = voice.modes.map((m) => m.amp * rng.range(0.6, 1.4));
    const clickLen = Math.ceil((7 / voice.click.decay) * sr);
    const click = new Float64Array(clickLen);
    for (let j = 0; j < clickLen; j++) click[j] = rng.normal() * Math.exp((-voice.click.decay * j) / sr);
    for (let c = 0; c < mics.length; c++) {
      const r = norm3(imp.cx - mics[c][0], imp.cy - mics[c][1], MIC_HEIGHT);
      const gain = (IMPACT_GAIN * imp.speed * REF_DISTANCE) / r;
      const tStart = imp.time + r / SPEED_OF_SOUND - w0; // onset at this microphone, window time
      const n0 = Math.max(0, Math.ceil(tStart * sr));
      const out = acc[c];
      voice.modes.forEach((md, mi) => {
        const amp = gain * modeAmps[mi];
        const nEnd = Math.min(n, Math.ceil((tStart + 7 / md.decay) * sr));
        if (n0 >= nEnd) return;
        // y_n = amp·e^{−d τ}·sin(ω τ), τ = n/sr − tStart, by the two-term recurrence
        // y_{n+1} = 2 r cos(ω/sr) y_n − r² y_{n−1}, seeded with two exact values.
        const w = 2 * Math.PI * md.freq;
        const val = (k: number): number => {
          const tau = k / sr - tStart;
          return amp * Math.exp(-md.decay * tau) * Math.sin(w * tau);
        };
        const rr = Math.exp(-md.decay / sr);
        const c1 = 2 * rr * Math.cos(w / sr);
        const c2 = rr * rr;
        let yPrev = val(n0);
        out[n0] += yPrev;
        if (n0 + 1 >= nEnd) return;
        let y = val(n0 + 1);
        out[n0 + 1] += y;
        for (let k = n0 + 2; k < nEnd; k++) {
          const next = c1 * y - c2 * yPrev;
          out[k] += next;
          yPrev = y;
          y = next;
        }
      });
      const ca = gain * voice.click.amp;
      const skip = Math.max(0, -Math.ceil(tStart * sr));
      for (let j = skip; j < clickLen && n0 + j - skip < n; j++) out[n0 + j - skip] += ca * click[j];
    }
  }
  // Sliding noise: low-passed noise ∝ speed, heard with the 1/r gain of the object's position.
  if (voice.scrape > 0) {
    const noise = normalStream(rng);
    const { xs, ys } = motion;
    const last = xs.length - 2;
    let lp = 0;
    for (let k = 0; k < n; k++) {
      lp = 0.6 * lp + 0.4 * noise();
      // Speed and position of the physics step this sample falls in (no interpolation needed
      // for a gain that changes over centimetres).
      const i = Math.min(Math.max(Math.floor((w0 + k / sr) / DT), 0), last);
      const speed = norm(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) / DT;
      if (speed < 1e-3) continue;
      const s = voice.scrape * speed * lp * REF_DISTANCE;
      for (let c = 0; c < mics.length; c++) acc[c][k] += s / norm3(xs[i] - mics[c][0], ys[i] - mics[c][1], MIC_HEIGHT);
    }
  }
  return acc.map((a) => {
    const noise = normalStream(rng);
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) out[k] = a[k] + rec.noiseStd * noise();
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Frames.

interface Look {
  background: Uint8Array;
  colours: Rgb[];
  theta: number;
}

function makeLook(spec: CollisionObjectSpec, theta: number, rec: Recording, rng: Rng): Look {
  const { width: w, height: h } = rec;
  const bg = new Uint8Array(w * h * 3);
  const base = [196 + rng.range(-10, 10), 188 + rng.range(-10, 10), 172 + rng.range(-10, 10)];
  const gdir = rng.range(0, 2 * Math.PI);
  const gx = Math.cos(gdir);
  const gy = Math.sin(gdir);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const rim = i === 0 || j === 0 || i === w - 1 || j === h - 1;
      const light = 10 * (gx * (i / w - 0.5) + gy * (j / h - 0.5));
      const grain = rng.range(-4, 4);
      for (let ch = 0; ch < 3; ch++) {
        const v = rim ? base[ch] * 0.55 : base[ch] + light + grain;
        bg[3 * (j * w + i) + ch] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  const colours = spec.parts.map((p) => p.colour.map((c) => Math.max(0, Math.min(255, Math.round(c + rng.range(-8, 8))))) as unknown as Rgb);
  return { background: bg, colours, theta };
}

/** Draws one frame with the object centred at (x, y) metres; returns RGB and mask. */
function renderFrame(spec: CollisionObjectSpec, ext: Extent, look: Look, x: number, y: number, rec: Recording, noiseSeed: number): { rgb: Uint8Array; mask: Uint8Array } {
  const { width: w, height: h, traySize } = rec;
  const sx = w / traySize;
  const sy = h / traySize;
  const rgb = look.background.slice();
  const mask = new Uint8Array(w * h);
  const c = Math.cos(look.theta);
  const s = Math.sin(look.theta);
  const i0 = Math.max(0, Math.floor((x + ext.xMin) * sx) - 1);
  const i1 = Math.min(w - 1, Math.ceil((x + ext.xMax) * sx) + 1);
  const j0 = Math.max(0, Math.floor((y + ext.yMin) * sy) - 1);
  const j1 = Math.min(h - 1, Math.ceil((y + ext.yMax) * sy) + 1);
  const parts = spec.parts;
  for (let j = j0; j <= j1; j++) {
    const dy = (j + 0.5) / sy - y;
    for (let i = i0; i <= i1; i++) {
      const dx = (i + 0.5) / sx - x;
      // World offset → object coordinates (rotation by −θ).
      const u = c * dx + s * dy;
      const v = -s * dx + c * dy;
      for (let p = parts.length - 1; p >= 0; p--) {
        if (insidePart(parts[p], u, v)) {
          const col = look.colours[p];
          const o = 3 * (j * w + i);
          rgb[o] = col[0];
          rgb[o + 1] = col[1];
          rgb[o + 2] = col[2];
          mask[j * w + i] = 255;
          break;
        }
      }
    }
  }
  if (rec.pixelNoise > 0) {
    // Sensor noise: a walk through the shared uniform table (random start, odd stride, so no
    // value repeats within a frame); the clamped view saturates at 0 and 255.
    const table = uniformTable();
    const clamped = new Uint8ClampedArray(rgb.buffer, rgb.byteOffset, rgb.length);
    const amp = 2 * rec.pixelNoise;
    const m = UNIFORM_TABLE_SIZE - 1;
    let idx = noiseSeed & m;
    const stride = ((noiseSeed >>> 16) * 2 + 1) & m;
    for (let k = 0; k < rgb.length; k++) {
      clamped[k] = rgb[k] + amp * (table[idx] - 0.5);
      idx = (idx + stride) & m;
    }
  }
  return { rgb, mask };
}

const UNIFORM_TABLE_SIZE = 1 << 16;
let uniformTableCache: Float32Array | undefined;

/** A fixed table of uniform [0, 1) values (seeded), shared by every frame's sensor noise. */
function uniformTable(): Float32Array {
  if (!uniformTableCache) {
    const rng = new Rng(0x51a7e);
    uniformTableCache = new Float32Array(UNIFORM_TABLE_SIZE);
    for (let i = 0; i < UNIFORM_TABLE_SIZE; i++) uniformTableCache[i] = rng.uniform();
  }
  return uniformTableCache;
}

const NORMAL_TABLE_SIZE = 1 << 18;
let normalTableCache: Float32Array | undefined;

/**
 * A fixed table of standard normal values (seeded). Background and sliding noise read it with a
 * random start and odd stride per channel: drawing hundreds of thousands of fresh normals per
 * sample would dominate the simulator's run time.
 */
function normalTable(): Float32Array {
  if (!normalTableCache) normalTableCache = new Rng(0x6e015e).fillNormal(new Float32Array(NORMAL_TABLE_SIZE));
  return normalTableCache;
}

/** A reader of the normal table: `next()` walks it from a random start with a random odd stride. */
function normalStream(rng: Rng): () => number {
  const table = normalTable();
  const m = NORMAL_TABLE_SIZE - 1;
  let idx = rng.int(NORMAL_TABLE_SIZE);
  const stride = (2 * rng.int(NORMAL_TABLE_SIZE / 2) + 1) & m;
  return () => {
    const v = table[idx];
    idx = (idx + stride) & m;
    return v;
  };
}

/** Frames and truth trajectory (pixels) of [w0, w0 + count/fps). */
function renderFrames(spec: CollisionObjectSpec, ext: Extent, look: Look, motion: Motion, w0: number, count: number, rec: Recording, rng: Rng): { rgb: Uint8Array[]; mask: Uint8Array[]; trajectory: Float32Array } {
  const rgb: Uint8Array[] = [];
  const mask: Uint8Array[] = [];
  const trajectory = new Float32Array(count * 2);
  const sx = rec.width / rec.traySize;
  const sy = rec.height / rec.traySize;
  for (let k = 0; k < count; k++) {
    const [x, y] = positionAt(motion, w0 + k / rec.fps);
    const f = renderFrame(spec, ext, look, x, y, rec, Math.floor(rng.uniform() * 2 ** 32));
    rgb.push(f.rgb);
    mask.push(f.mask);
    trajectory[2 * k] = x * sx;
    trajectory[2 * k + 1] = y * sy;
  }
  return { rgb, mask, trajectory };
}

/** Impacts of [w0, w0 + seconds), in pixels and window time. */
function windowImpacts(motion: Motion, w0: number, seconds: number, rec: Recording): CollisionImpact[] {
  const sx = rec.width / rec.traySize;
  const sy = rec.height / rec.traySize;
  return motion.impacts
    .filter((m) => m.time >= w0 && m.time < w0 + seconds)
    .map((m) => ({ time: m.time - w0, x: m.x * sx, y: m.y * sy, speed: m.speed, wall: m.wall, contact: { x: m.cx * sx, y: m.cy * sy } }));
}

// ---------------------------------------------------------------------------------------------
// Public entry points.

/** Distance from (x, y) along direction φ to the boundary of the allowed box. */
function distanceToWall(x: number, y: number, phi: number, lo: [number, number], hi: [number, number]): number {
  const dx = Math.cos(phi);
  const dy = Math.sin(phi);
  const tx = dx > 1e-9 ? (hi[0] - x) / dx : dx < -1e-9 ? (lo[0] - x) / dx : Infinity;
  const ty = dy > 1e-9 ? (hi[1] - y) / dy : dy < -1e-9 ? (lo[1] - y) / dy : Infinity;
  return Math.min(tx, ty);
}

/**
 * Simulates one course-style sample: the object rests, the tray tilts at 3 s, it slides into a
 * wall (the main impact, the fastest), perhaps bounces and slides on; the window of `seconds`
 * puts the main impact `impactAt` seconds in.
 */
function simulateSample(objectIndex: number, k: number, seed: number, rec: Recording, seconds: number, impactAt: readonly [number, number]): CollisionSample {
  const spec = COLLISION_OBJECT_SPECS[objectIndex];
  const id = `${spec.name}/${k}`;
  const rng = new Rng(deriveSeed(seed, id));
  const tOn = 3;
  const duration = tOn + 2.5 + seconds;
  for (let attempt = 0; attempt < 50; attempt++) {
    const theta = rng.range(0, Math.PI);
    const ext = extentAt(spec, theta);
    const lo: [number, number] = [-ext.xMin, -ext.yMin];
    const hi: [number, number] = [rec.traySize - ext.xMax, rec.traySize - ext.yMax];
    const phi = rng.range(0, 2 * Math.PI);
    const x0 = rng.range(lo[0], hi[0]);
    const y0 = rng.range(lo[1], hi[1]);
    const angle = tiltAngle(spec, rng);
    const at = rng.range(impactAt[0], impactAt[1]);
    // A run-up of at least 15 cm gives an audible main impact.
    if (distanceToWall(x0, y0, phi, lo, hi) < 0.15) continue;
    const motion = simulateMotion(spec, ext, [makeTilt(tOn, angle, phi, spec)], x0, y0, duration, rec.traySize);
    let main: RawImpact | undefined;
    for (const m of motion.impacts) if (!main || m.speed > main.speed) main = m;
    if (!main || main.speed < 0.15) continue;
    const w0 = main.time - at;
    if (w0 < 0 || w0 + seconds > duration) continue;
    const voice = makeVoice(spec, rec.sampleRate, rng);
    const audio = renderAudio(motion, voice, w0, Math.round(seconds * rec.sampleRate), rec, rng.fork());
    const look = makeLook(spec, theta, rec, rng);
    const frames = renderFrames(spec, ext, look, motion, w0, Math.round(seconds * rec.fps), rec, rng.fork());
    const truth: CollisionTruth = { trajectory: frames.trajectory, impacts: windowImpacts(motion, w0, seconds, rec), audioShift: 0, windowStart: w0 };
    return { id, object: objectIndex, audio, sampleRate: rec.sampleRate, width: rec.width, height: rec.height, rgb: frames.rgb, mask: frames.mask, fps: rec.fps, truth };
  }
  throw new Error(`collision simulator: no usable episode for ${id} (seed ${seed}); try a larger tray or another seed`);
}

/**
 * Simulates `perObject` samples of each object (in COLLISION_OBJECTS order, ids
 * `<object>/<k>`): 4-channel audio of a window around the main impact and the frames and masks
 * of the same window, with the ground truth. A sample depends only on (seed, object, k), so
 * subsets and larger sets agree. Memory: about 2 MB per sample at the defaults (frames dominate).
 */
export function simulateCollisions(opts: CollisionSimOptions): CollisionSample[] {
  const rec = recordingDefaults(opts);
  const seconds = opts.seconds ?? 4;
  const impactAt = opts.impactAt ?? [1.2, 2.0];
  if (!(seconds > 0)) throw new RangeError(`simulateCollisions: seconds must be positive, got ${seconds}`);
  if (!(impactAt[0] >= 0 && impactAt[1] >= impactAt[0] && impactAt[1] < seconds)) {
    throw new RangeError(`simulateCollisions: impactAt [${impactAt.join(', ')}] must lie inside the ${seconds}-s window`);
  }
  if (!Number.isInteger(opts.perObject) || opts.perObject < 0) throw new RangeError(`simulateCollisions: perObject must be a non-negative integer, got ${opts.perObject}`);
  const objects = opts.objects ?? COLLISION_OBJECTS.map((_, i) => i);
  for (const o of objects) {
    if (!Number.isInteger(o) || o < 0 || o >= COLLISION_OBJECTS.length) throw new RangeError(`simulateCollisions: unknown object index ${o}`);
  }
  const out: CollisionSample[] = [];
  for (const o of objects) for (let k = 0; k < opts.perObject; k++) out.push(simulateSample(o, k, opts.seed, rec, seconds, impactAt));
  return out;
}

/** Impacts at least this fast count towards a clip's requested number of impacts (m/s). */
export const MAIN_IMPACT_SPEED = 0.2;

/**
 * Simulates one continuous clip: the tray tilts `impacts` times, each time towards a different
 * wall, so the object crosses the tray and hits that wall (plus any bounces and corner hits).
 * Audio and frames both start at time 0 and cover `seconds`; `truth.impacts` lists every impact.
 */
export function simulateCollisionClip(opts: CollisionClipOptions): CollisionClip {
  const rec = recordingDefaults(opts);
  const seconds = opts.seconds ?? 10;
  const nTilts = opts.impacts ?? 4;
  if (!Number.isInteger(nTilts) || nTilts < 3) throw new RangeError(`simulateCollisionClip: impacts must be an integer ≥ 3, got ${nTilts}`);
  const lead = 0.3;
  const segment = (seconds - lead - 0.5) / nTilts;
  if (!(segment >= 1.2)) {
    throw new RangeError(`simulateCollisionClip: ${seconds} s is too short for ${nTilts} impacts (needs at least ${(lead + 0.5 + 1.2 * nTilts).toFixed(1)} s)`);
  }
  const rng = new Rng(deriveSeed(opts.seed, 'collision-clip'));
  const objectIndex = opts.object ?? rng.int(COLLISION_OBJECTS.length);
  if (!Number.isInteger(objectIndex) || objectIndex < 0 || objectIndex >= COLLISION_OBJECTS.length) {
    throw new RangeError(`simulateCollisionClip: unknown object index ${objectIndex}`);
  }
  const spec = COLLISION_OBJECT_SPECS[objectIndex];
  // Inward normal direction of each wall's approach: towards left = π, right = 0, top = −π/2, bottom = π/2.
  const towards = [Math.PI, 0, -Math.PI / 2, Math.PI / 2];
  for (let attempt = 0; attempt < 30; attempt++) {
    const theta = rng.range(0, Math.PI);
    const ext = extentAt(spec, theta);
    const x0 = rec.traySize * rng.range(0.4, 0.6);
    const y0 = rec.traySize * rng.range(0.4, 0.6);
    const tilts: Tilt[] = [];
    let wall = -1;
    for (let i = 0; i < nTilts; i++) {
      const choices = [0, 1, 2, 3].filter((w) => w !== wall);
      wall = choices[rng.int(choices.length)];
      const phi = towards[wall] + rng.range(-0.5, 0.5);
      tilts.push(makeTilt(lead + i * segment + rng.range(0, 0.2), tiltAngle(spec, rng), phi, spec));
    }
    const motion = simulateMotion(spec, ext, tilts, Math.min(Math.max(x0, -ext.xMin), rec.traySize - ext.xMax), Math.min(Math.max(y0, -ext.yMin), rec.traySize - ext.yMax), seconds, rec.traySize);
    if (motion.impacts.filter((m) => m.speed >= MAIN_IMPACT_SPEED).length < nTilts) continue;
    const voice = makeVoice(spec, rec.sampleRate, rng);
    const audio = renderAudio(motion, voice, 0, Math.round(seconds * rec.sampleRate), rec, rng.fork());
    const look = makeLook(spec, theta, rec, rng);
    const frames = renderFrames(spec, ext, look, motion, 0, Math.round(seconds * rec.fps), rec, rng.fork());
    return {
      id: `clip/${spec.name}/${opts.seed}`,
      object: objectIndex,
      audio,
      sampleRate: rec.sampleRate,
      width: rec.width,
      height: rec.height,
      rgb: frames.rgb,
      mask: frames.mask,
      fps: rec.fps,
      truth: { trajectory: frames.trajectory, impacts: windowImpacts(motion, 0, seconds, rec), audioShift: 0, windowStart: 0 },
    };
  }
  throw new Error(`simulateCollisionClip: no clip with ${nTilts} impacts for seed ${opts.seed}; try another seed or a longer clip`);
}

/** Options of `cutWindow`. */
export interface CutWindowOptions {
  /**
   * Seconds by which the audio window is moved against the video window (positive: the audio
   * comes from later in the clip). 0 gives an aligned pair; a shift larger than an impact's
   * sound gives a hard negative for synchronisation training.
   */
  audioShiftSeconds?: number;
}

/**
 * Cuts a window from a clip: frames [start, start + length) and audio
 * [start + shift, start + shift + length), both rounded to whole frames / samples. The truth's
 * trajectory covers the frames; its impacts are those inside the audio window, timed from the
 * audio window's start, and `audioShift` records the exact shift after rounding.
 * Throws a RangeError when either window leaves the clip.
 */
export function cutWindow(clip: CollisionClip, startSeconds: number, lengthSeconds: number, opts: CutWindowOptions = {}): CollisionClip {
  const shift = opts.audioShiftSeconds ?? 0;
  const f0 = Math.round(startSeconds * clip.fps);
  const fCount = Math.round(lengthSeconds * clip.fps);
  const a0 = Math.round((startSeconds + shift) * clip.sampleRate);
  const aCount = Math.round(lengthSeconds * clip.sampleRate);
  const samples = clip.audio[0]?.length ?? 0;
  if (!(fCount > 0 && aCount > 0)) throw new RangeError(`cutWindow: length ${lengthSeconds} s gives an empty window`);
  if (f0 < 0 || f0 + fCount > clip.rgb.length) {
    throw new RangeError(`cutWindow: frames [${startSeconds}, ${startSeconds + lengthSeconds}) s leave the clip (${(clip.rgb.length / clip.fps).toFixed(3)} s)`);
  }
  if (a0 < 0 || a0 + aCount > samples) {
    throw new RangeError(`cutWindow: audio [${startSeconds + shift}, ${startSeconds + shift + lengthSeconds}) s leaves the clip (${(samples / clip.sampleRate).toFixed(3)} s)`);
  }
  const audioStart = a0 / clip.sampleRate;
  const audioEnd = (a0 + aCount) / clip.sampleRate;
  const baseShift = clip.truth.audioShift ?? 0;
  const impacts = clip.truth.impacts
    .filter((m) => m.time >= audioStart && m.time < audioEnd)
    .map((m) => ({ ...m, time: m.time - audioStart, contact: m.contact ? { ...m.contact } : undefined }));
  const tag = shift === 0 ? '' : `${shift >= 0 ? '+' : ''}${shift.toFixed(3)}`;
  return {
    ...clip,
    id: `${clip.id}@${startSeconds.toFixed(3)}${tag}`,
    audio: clip.audio.map((ch) => ch.slice(a0, a0 + aCount)),
    rgb: clip.rgb.slice(f0, f0 + fCount),
    mask: clip.mask.slice(f0, f0 + fCount),
    truth: {
      trajectory: clip.truth.trajectory.slice(2 * f0, 2 * (f0 + fCount)),
      impacts,
      audioShift: baseShift + audioStart - f0 / clip.fps,
      windowStart: (clip.truth.windowStart ?? 0) + f0 / clip.fps,
    },
  };
}
