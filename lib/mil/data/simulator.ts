/**
 * A simulator of weakly labelled audio-visual events, standing in for the DCASE 2017 Task 4 videos
 * (AudioSet clips of vehicles and warning sounds) that Parekh et al. (CVPR-W 2018) trained on. It is
 * a simulation: the sounds are synthesised, the "video" is ten small frames of coloured shapes.
 *
 * A clip lasts 10 s (mono audio at 8 kHz) and shows one frame per second (32 × 32 RGB; frame k
 * stands for second [k, k + 1)). It holds 1–3 events of distinct classes (`MIL_CLASSES`); each
 * event has
 *
 * - a **sound** over [onset, offset] (1.5–4.5 s): a siren is a frequency sweep (wail or yelp), a
 *   car horn a harmonic tone in bursts, a truck low-frequency noise with an engine rumble, a train
 *   horn a three-note harmonic chord, a bicycle bell decaying high partials, a motorcycle a buzzing
 *   harmonic series whose pitch revs up;
 * - a **visual object**: a shape of the class's colour that moves across 2–5 consecutive frames.
 *
 * An event may be only heard (its object off-screen, `pAudioOnly`) or only seen (silent,
 * `pVisualOnly`). In a **synchronised** clip the object is on screen while its sound plays; in an
 * **unsynchronised** one (probability 1 − `pSync`) the sound plays in one half of the clip and the
 * object shows in the other half, so sight and sound never overlap (the paper's train that is heard
 * before it is seen). Clip labels say which classes occur, nothing more.
 *
 * Difficulty: background noise (low-passed white noise), event levels drawn in `snrDb`, up to
 * `maxDistractorSounds` sounds of no class (bird chirps, babble, a wind chime that resembles the
 * bell, a fan hum near the truck's band), a sky/road background with buildings and pixel noise, and
 * up to `maxDistractorObjects` moving objects of no class, some sharing a class's colour or shape
 * (a red disc, a dark green disc, a light blue square, grey pedestrians).
 *
 * Determinism: clip i draws from `deriveSeed(seed, 'mil-clip:' + i)` alone, so any clip can be
 * generated on its own and a set can be generated in chunks (`start`) with identical results.
 */
import { Rng, deriveSeed } from '../../util/rng';
import { InputError } from '../../util/errors';
import type { Box } from '../../metrics/localisation';
import type { MilClass, MilClip, MilDistractor, MilEvent, MilSimOptions, ObjectLook } from './types';

/** The event classes (names after DCASE 2017 Task 4's warning and vehicle sounds). */
export const MIL_CLASSES: readonly MilClass[] = [
  { name: 'siren', sound: 'frequency sweep around 1 kHz (slow wail or fast yelp)', look: { shape: 'square', colour: [0.9, 0.1, 0.1], size: [7, 7] } },
  { name: 'car horn', sound: 'harmonic tone near 420 Hz in short bursts', look: { shape: 'rect', colour: [0.15, 0.3, 0.95], size: [12, 6] } },
  { name: 'truck', sound: 'low-passed noise under 250 Hz with a 35–55 Hz engine rumble', look: { shape: 'rect', colour: [0.95, 0.55, 0.1], size: [14, 9] } },
  { name: 'train horn', sound: 'three-note harmonic chord near 300–470 Hz, steady', look: { shape: 'bar', colour: [0.1, 0.6, 0.2], size: [18, 4] } },
  { name: 'bicycle bell', sound: 'decaying partials near 2.3 and 3.7 kHz, rung repeatedly', look: { shape: 'circle', colour: [0.95, 0.9, 0.15], size: [6, 6] } },
  { name: 'motorcycle', sound: 'buzzing harmonic series revving from ~80 to ~160 Hz', look: { shape: 'triangle', colour: [0.6, 0.2, 0.75], size: [9, 8] } },
];

/** Distractor objects (no class): some share a class's colour or shape. */
const DISTRACTOR_LOOKS: readonly { kind: string; look: ObjectLook }[] = [
  { kind: 'red sign', look: { shape: 'circle', colour: [0.85, 0.15, 0.15], size: [7, 7] } },
  { kind: 'tree', look: { shape: 'circle', colour: [0.1, 0.4, 0.15], size: [9, 9] } },
  { kind: 'blue box', look: { shape: 'square', colour: [0.45, 0.6, 0.95], size: [7, 7] } },
  { kind: 'pedestrian', look: { shape: 'bar', colour: [0.5, 0.5, 0.5], size: [3, 9] } },
  { kind: 'cross sign', look: { shape: 'cross', colour: [0.95, 0.95, 0.95], size: [7, 7] } },
];

const DISTRACTOR_SOUNDS = ['bird chirps', 'babble', 'wind chime', 'fan hum'] as const;

/** The simulator's defaults (the notebook's full profile). */
export const DEFAULT_MIL_SIM: MilSimOptions = {
  seed: 0,
  clips: 100,
  start: 0,
  seconds: 10,
  sampleRate: 8000,
  fps: 1,
  frameSize: 32,
  pSync: 0.5,
  pAudioOnly: 0.15,
  pVisualOnly: 0.15,
  eventCounts: [0.35, 0.4, 0.25],
  snrDb: [4, 18],
  pixelNoise: 0.06,
  maxDistractorSounds: 2,
  maxDistractorObjects: 3,
};

// ---------------------------------------------------------------- audio

const TABLE = 4096;
const SINE = Float32Array.from({ length: TABLE }, (_, i) => Math.sin((2 * Math.PI * i) / TABLE));

/** sin(2π·phase) for a phase in cycles, from a table (the simulator synthesises millions of samples). */
function sin2pi(phase: number): number {
  return SINE[Math.floor((phase - Math.floor(phase)) * TABLE) & (TABLE - 1)];
}

/** Writes into `out[from..to)` the sum of harmonics of a time-varying f0 (Hz), with amplitudes `amps[k]` for harmonic k + 1 and an envelope. */
function addHarmonics(out: Float32Array, sr: number, from: number, to: number, f0: (t: number) => number, amps: readonly number[], env: (t: number) => number, level: number): void {
  let phase = 0;
  const nyquist = sr / 2;
  for (let n = from; n < to; n++) {
    const t = (n - from) / sr;
    const f = f0(t);
    phase += f / sr;
    let s = 0;
    for (let k = 0; k < amps.length; k++) if ((k + 1) * f < nyquist) s += amps[k] * sin2pi((k + 1) * phase);
    out[n] += level * env(t) * s;
  }
}

/** Low-passed white noise (two one-pole filters at `cutoff` Hz) added to `out[from..to)`, unit-ish RMS times `level`. */
function addLowNoise(out: Float32Array, sr: number, from: number, to: number, cutoff: number, level: number, rng: Rng, env: (t: number) => number = () => 1): void {
  const a = Math.exp((-2 * Math.PI * cutoff) / sr);
  // Gain that restores unit RMS after two poles (approximately, for cutoff ≪ sr).
  const gain = Math.sqrt((1 + a) / (1 - a)) * Math.sqrt(2);
  let y1 = 0;
  let y2 = 0;
  for (let n = from; n < to; n++) {
    y1 = a * y1 + (1 - a) * rng.normal();
    y2 = a * y2 + (1 - a) * y1;
    out[n] += level * gain * env((n - from) / sr) * y2;
  }
}

/** Attack/release ramps of `ramp` seconds at both ends of a `dur`-second sound. */
function fade(dur: number, ramp = 0.05): (t: number) => number {
  return (t) => Math.min(1, t / ramp, (dur - t) / ramp);
}

/** Synthesises class `cls`'s sound over [on, off] into `out` at peak level `level`. */
function addEventSound(out: Float32Array, sr: number, cls: number, on: number, off: number, level: number, rng: Rng): void {
  const from = Math.floor(on * sr);
  const to = Math.min(out.length, Math.floor(off * sr));
  const dur = (to - from) / sr;
  const ramp = fade(dur);
  switch (MIL_CLASSES[cls].name) {
    case 'siren': {
      const yelp = rng.uniform() < 0.4;
      const fc = rng.range(850, 1150);
      const dev = rng.range(250, 400);
      const rate = yelp ? rng.range(2.5, 4) : rng.range(0.35, 0.6);
      const ph = rng.uniform();
      addHarmonics(out, sr, from, to, (t) => fc + dev * Math.sin(2 * Math.PI * (rate * t + ph)), [1, 0.35, 0.1], ramp, level);
      break;
    }
    case 'car horn': {
      const f0 = rng.range(380, 460);
      // Bursts: on for 0.3–0.7 s, off for 0.15–0.45 s.
      const bursts: [number, number][] = [];
      for (let t = 0; t < dur; ) {
        const len = rng.range(0.3, 0.7);
        bursts.push([t, Math.min(dur, t + len)]);
        t += len + rng.range(0.15, 0.45);
      }
      const env = (t: number) => (bursts.some(([a, b]) => t >= a && t < b) ? Math.min(1, ...bursts.filter(([a, b]) => t >= a && t < b).map(([a, b]) => Math.min((t - a) / 0.02, (b - t) / 0.02))) : 0);
      addHarmonics(out, sr, from, to, () => f0, [1, 0.6, 0.45, 0.3, 0.2, 0.12], env, level * 0.7);
      break;
    }
    case 'truck': {
      const f0 = rng.range(35, 55);
      const wob = rng.range(0.2, 0.6);
      addLowNoise(out, sr, from, to, rng.range(150, 250), level * 0.8, rng, (t) => ramp(t) * (0.8 + 0.2 * Math.sin(2 * Math.PI * wob * t)));
      addHarmonics(out, sr, from, to, (t) => f0 * (1 + 0.05 * Math.sin(2 * Math.PI * wob * t)), [1, 0.8, 0.6, 0.4], ramp, level * 0.5);
      break;
    }
    case 'train horn': {
      const base = rng.range(290, 330);
      for (const ratio of [1, 1.19, 1.5]) addHarmonics(out, sr, from, to, () => base * ratio, [1, 0.5, 0.3, 0.15], ramp, level * 0.45);
      break;
    }
    case 'bicycle bell': {
      const f1 = rng.range(2150, 2450);
      const f2 = f1 * rng.range(1.55, 1.65);
      const period = rng.range(0.35, 0.6);
      const env = (t: number) => Math.exp(-(t % period) / 0.12) * ramp(t);
      addHarmonics(out, sr, from, to, () => f1, [1], env, level);
      addHarmonics(out, sr, from, to, () => f2, [1], env, level * 0.6);
      break;
    }
    case 'motorcycle': {
      const lo = rng.range(70, 95);
      const hi = lo * rng.range(1.7, 2.1);
      const rev = rng.range(0.8, 1.6);
      const amps = Array.from({ length: 12 }, (_, k) => 1 / (k + 1));
      addHarmonics(out, sr, from, to, (t) => lo + (hi - lo) * ((t % rev) / rev), amps, ramp, level * 0.6);
      addLowNoise(out, sr, from, to, 900, level * 0.15, rng, ramp);
      break;
    }
    default:
      throw new Error(`no sound for class ${cls}`);
  }
}

/** A distractor sound of kind `kind` over [on, off]. */
function addDistractorSound(out: Float32Array, sr: number, kind: (typeof DISTRACTOR_SOUNDS)[number], on: number, off: number, level: number, rng: Rng): void {
  const from = Math.floor(on * sr);
  const to = Math.min(out.length, Math.floor(off * sr));
  const dur = (to - from) / sr;
  if (kind === 'bird chirps') {
    for (let t = 0; t < dur - 0.1; t += rng.range(0.15, 0.5)) {
      const a = Math.floor(from + t * sr);
      const f = rng.range(1800, 2800);
      addHarmonics(out, sr, a, Math.min(to, a + Math.floor(0.08 * sr)), (u) => f + 12000 * u, [1], fade(0.08, 0.01), level);
    }
  } else if (kind === 'babble') {
    for (let t = 0; t < dur - 0.15; t += rng.range(0.15, 0.3)) {
      const a = Math.floor(from + t * sr);
      const f0 = rng.range(110, 230);
      const formant = rng.range(400, 1200);
      const amps = Array.from({ length: 16 }, (_, k) => Math.exp(-(((k + 1) * f0 - formant) ** 2) / (2 * 250 ** 2)));
      addHarmonics(out, sr, a, Math.min(to, a + Math.floor(0.14 * sr)), () => f0, amps, fade(0.14, 0.03), level * 0.8);
    }
  } else if (kind === 'wind chime') {
    for (let t = 0; t < dur - 0.2; t += rng.range(0.3, 0.9)) {
      const a = Math.floor(from + t * sr);
      const f = rng.range(1400, 2000);
      addHarmonics(out, sr, a, Math.min(to, a + Math.floor(0.4 * sr)), () => f, [1], (u) => Math.exp(-u / 0.15), level);
    }
  } else {
    const f0 = rng.range(90, 120);
    addHarmonics(out, sr, from, to, () => f0, [1, 0.5, 0.25], fade(dur), level * 0.6);
  }
}

// ---------------------------------------------------------------- frames

/** True when pixel (x + .5, y + .5) lies inside a shape of `look` scaled by `scale` with its box at (bx, by). */
function inside(look: ObjectLook, w: number, h: number, px: number, py: number): boolean {
  const u = (px + 0.5) / w;
  const v = (py + 0.5) / h;
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  switch (look.shape) {
    case 'circle':
      return (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25;
    case 'triangle':
      return Math.abs(u - 0.5) <= v / 2;
    case 'cross':
      return Math.abs(u - 0.5) < 0.2 || Math.abs(v - 0.5) < 0.2;
    default:
      return true;
  }
}

/** A moving object: its look, size, colour and per-frame top-left positions. */
interface Sprite {
  look: ObjectLook;
  w: number;
  h: number;
  colour: [number, number, number];
  frames: number[];
  pos: [number, number][];
}

function makeSprite(look: ObjectLook, frames: number[], S: number, rng: Rng): Sprite {
  const scale = rng.range(0.8, 1.25);
  const w = Math.max(3, Math.round(look.size[0] * scale));
  const h = Math.max(3, Math.round(look.size[1] * scale));
  const colour = look.colour.map((c) => Math.min(1, Math.max(0, c + rng.range(-0.08, 0.08)))) as [number, number, number];
  let x = rng.range(0, S - w);
  let y = rng.range(2, S - h);
  let vx = rng.range(-2.5, 2.5);
  let vy = rng.range(-1, 1);
  const pos: [number, number][] = [];
  for (let k = 0; k < frames.length; k++) {
    pos.push([Math.round(x), Math.round(y)]);
    x += vx;
    y += vy;
    if (x < 0 || x > S - w) vx = -vx;
    if (y < 0 || y > S - h) vy = -vy;
    x = Math.min(S - w, Math.max(0, x));
    y = Math.min(S - h, Math.max(0, y));
  }
  return { look, w, h, colour, frames, pos };
}

/** The box of a sprite in its k-th visible frame (pixel edges, clipped to the frame). */
function spriteBox(s: Sprite, k: number, S: number): Box {
  const [x, y] = s.pos[k];
  return [Math.max(0, x), Math.max(0, y), Math.min(S, x + s.w), Math.min(S, y + s.h)];
}

function drawSprite(frames: Float32Array, S: number, s: Sprite, k: number): void {
  const f = s.frames[k];
  const [x0, y0] = s.pos[k];
  for (let py = 0; py < s.h; py++) {
    for (let px = 0; px < s.w; px++) {
      const X = x0 + px;
      const Y = y0 + py;
      if (X < 0 || Y < 0 || X >= S || Y >= S || !inside(s.look, s.w, s.h, px, py)) continue;
      const o = ((f * S + Y) * S + X) * 3;
      frames[o] = s.colour[0];
      frames[o + 1] = s.colour[1];
      frames[o + 2] = s.colour[2];
    }
  }
}

/** Sky, a horizon, a road and a few low-contrast buildings, the same in every frame of a clip. */
function drawBackground(frames: Float32Array, nFrames: number, S: number, rng: Rng): void {
  const horizon = Math.floor(rng.range(11, 19));
  const sky = [rng.range(0.5, 0.65), rng.range(0.6, 0.72), rng.range(0.72, 0.85)];
  const road = [rng.range(0.3, 0.42), rng.range(0.3, 0.42), rng.range(0.3, 0.42)];
  const buildings = Array.from({ length: 2 + rng.int(3) }, () => {
    const w = 4 + rng.int(6);
    const h = 3 + rng.int(horizon - 3);
    const x = rng.int(S - w);
    const shade = rng.range(0.4, 0.6);
    return { x, w, h, c: [shade, shade * rng.range(0.9, 1.05), shade * rng.range(0.85, 1)] };
  });
  const plate = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      let c = y < horizon ? sky.map((v) => v - 0.1 * (y / horizon)) : road;
      for (const b of buildings) if (x >= b.x && x < b.x + b.w && y < horizon && y >= horizon - b.h) c = b.c;
      plate.set(c, (y * S + x) * 3);
    }
  }
  for (let f = 0; f < nFrames; f++) frames.set(plate, f * S * S * 3);
}

// ---------------------------------------------------------------- clips

function checkOptions(o: MilSimOptions): void {
  const bad = (k: string, why: string) => new InputError('MilSimOptions', why, k);
  if (!Number.isInteger(o.clips) || o.clips < 0) throw bad('clips', `must be a non-negative integer, got ${o.clips}`);
  if (!Number.isInteger(o.start) || o.start < 0) throw bad('start', `must be a non-negative integer, got ${o.start}`);
  if (o.seconds !== 10 || o.fps !== 1) throw bad('seconds', 'the simulator makes 10-s clips at 1 frame per second');
  if (!(o.sampleRate >= 4000)) throw bad('sampleRate', `must be ≥ 4000 (the bell reaches 3.9 kHz), got ${o.sampleRate}`);
  if (!Number.isInteger(o.frameSize) || o.frameSize < 24) throw bad('frameSize', `must be an integer ≥ 24, got ${o.frameSize}`);
  for (const k of ['pSync', 'pAudioOnly', 'pVisualOnly'] as const) if (!(o[k] >= 0 && o[k] <= 1)) throw bad(k, `must lie in [0, 1], got ${o[k]}`);
  if (o.pAudioOnly + o.pVisualOnly > 1) throw bad('pAudioOnly', 'pAudioOnly + pVisualOnly must not exceed 1');
}

/** Frames k = a … a + n − 1. */
const span = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

/** Simulates clip `index` of the set `o` (see the module comment). */
export function simulateMilClip(o: MilSimOptions, index: number): MilClip {
  const rng = new Rng(deriveSeed(o.seed, `mil-clip:${index}`));
  const sr = o.sampleRate;
  const S = o.frameSize;
  const T = o.seconds;
  const nFrames = T * o.fps;
  const audio = new Float32Array(T * sr);
  const frames = new Float32Array(nFrames * S * S * 3);
  const C = MIL_CLASSES.length;

  const u = rng.uniform();
  const nEvents = u < o.eventCounts[0] ? 1 : u < o.eventCounts[0] + o.eventCounts[1] ? 2 : 3;
  const classes = rng.permutation(C).slice(0, nEvents);
  const synchronised = rng.uniform() < o.pSync;
  const noise = rng.range(0.03, 0.06);

  const events: MilEvent[] = [];
  const sprites: Sprite[] = [];
  for (const cls of classes) {
    const m = rng.uniform();
    const heard = m >= o.pVisualOnly;
    const seen = m < o.pVisualOnly || m >= o.pVisualOnly + o.pAudioOnly;
    const dur = rng.range(1.5, 4.5);
    const nSeen = 2 + rng.int(4);
    let audioSpan: [number, number];
    let seenFrames: number[];
    if (heard && seen && !synchronised) {
      // Sound in one half, object in the other: they never overlap.
      const soundFirst = rng.uniform() < 0.5;
      const half = T / 2;
      const a0 = (soundFirst ? 0 : half) + rng.range(0, half - dur);
      audioSpan = [a0, a0 + dur];
      const f0 = (soundFirst ? half : 0) + rng.int(half - nSeen + 1);
      seenFrames = span(f0, nSeen);
    } else {
      const a0 = rng.range(0, T - dur);
      audioSpan = [a0, a0 + dur];
      if (heard) {
        // Seen during the frames its sound touches.
        const first = Math.floor(audioSpan[0]);
        const last = Math.min(nFrames - 1, Math.ceil(audioSpan[1]) - 1);
        seenFrames = span(first, last - first + 1);
      } else {
        seenFrames = span(rng.int(nFrames - nSeen + 1), nSeen);
      }
    }
    if (heard) {
      const snr = rng.range(o.snrDb[0], o.snrDb[1]);
      addEventSound(audio, sr, cls, audioSpan[0], audioSpan[1], noise * 10 ** (snr / 20), rng);
    }
    let boxes: Box[] = [];
    if (seen) {
      const s = makeSprite(MIL_CLASSES[cls].look, seenFrames, S, rng);
      sprites.push(s);
      boxes = seenFrames.map((_, k) => spriteBox(s, k, S));
    }
    const visibleCentre = (seenFrames[0] + seenFrames[seenFrames.length - 1] + 1) / 2;
    events.push({
      cls,
      audio: heard ? audioSpan : null,
      frames: seen ? seenFrames : [],
      boxes,
      offset: heard && seen ? (synchronised ? 0 : visibleCentre - (audioSpan[0] + audioSpan[1]) / 2) : null,
    });
  }

  // Distractor sounds, then the background noise.
  const distractorSounds: string[] = [];
  for (let k = rng.int(o.maxDistractorSounds + 1); k > 0; k--) {
    const kind = DISTRACTOR_SOUNDS[rng.int(DISTRACTOR_SOUNDS.length)];
    const dur = rng.range(1, 4);
    const a0 = rng.range(0, T - dur);
    addDistractorSound(audio, sr, kind, a0, a0 + dur, noise * 10 ** (rng.range(o.snrDb[0], o.snrDb[1]) / 20), rng);
    distractorSounds.push(kind);
  }
  addLowNoise(audio, sr, 0, audio.length, rng.range(1500, 3500), noise, rng);

  // Frames: background, distractors, events (events drawn last), pixel noise.
  drawBackground(frames, nFrames, S, rng);
  const distractorObjects: MilDistractor[] = [];
  const distractorSprites: Sprite[] = [];
  for (let k = rng.int(o.maxDistractorObjects + 1); k > 0; k--) {
    const d = DISTRACTOR_LOOKS[rng.int(DISTRACTOR_LOOKS.length)];
    const n = 2 + rng.int(nFrames - 1);
    const f = span(rng.int(nFrames - n + 1), n);
    const s = makeSprite(d.look, f, S, rng);
    distractorSprites.push(s);
    distractorObjects.push({ kind: d.kind, frames: f, boxes: f.map((_, i) => spriteBox(s, i, S)) });
  }
  for (const s of [...distractorSprites, ...sprites]) s.frames.forEach((_, k) => drawSprite(frames, S, s, k));
  for (let i = 0; i < frames.length; i++) frames[i] = Math.min(1, Math.max(0, frames[i] + o.pixelNoise * rng.normal()));

  const labels = new Uint8Array(C);
  for (const e of events) labels[e.cls] = 1;
  return { id: `mil-${o.seed}-${String(index).padStart(5, '0')}`, audio, sampleRate: sr, frames, frameSize: S, labels, events, synchronised, distractorSounds, distractorObjects };
}

/** Simulates clips `start … start + clips − 1` of the set (defaults: `DEFAULT_MIL_SIM`). */
export function simulateMilClips(options: Partial<MilSimOptions> = {}): MilClip[] {
  const o: MilSimOptions = { ...DEFAULT_MIL_SIM, ...options };
  checkOptions(o);
  return Array.from({ length: o.clips }, (_, i) => simulateMilClip(o, o.start + i));
}
