import assert from 'node:assert/strict';
import {
  COLLISION_MATERIALS,
  COLLISION_OBJECT_SPECS,
  MAIN_IMPACT_SPEED,
  MIC_HEIGHT,
  SPEED_OF_SOUND,
  cutWindow,
  microphonePositions,
  simulateCollisionClip,
  simulateCollisions,
} from '../../../lib/worlds/collision/simulator';
import { COLLISION_OBJECTS, type CollisionImpact, type CollisionSample } from '../../../lib/worlds/collision/types';
import { maskCentroid, maskCentroids } from '../../../lib/collisions/features/trajectory';

const TRAY = 0.6;

/** Mean power of ch[a, b). */
function power(ch: Float32Array, a: number, b: number): number {
  let e = 0;
  for (let k = Math.max(0, a); k < b; k++) e += ch[k] * ch[k];
  return e / (b - a);
}

/** 3-D distance (m) from an impact's contact point to each microphone. */
function micDistances(imp: CollisionImpact, s: CollisionSample): number[] {
  const m = TRAY / s.width;
  return microphonePositions(TRAY).map(([mx, my]) => Math.hypot(imp.contact!.x * m - mx, imp.contact!.y * m - my, MIC_HEIGHT));
}

function mainImpact(s: CollisionSample): CollisionImpact {
  return s.truth!.impacts.reduce((a, b) => (b.speed > a.speed ? b : a));
}

/** An impact with no other impact at the same moment and none in the preceding `quiet` seconds. */
function isolated(s: CollisionSample, imp: CollisionImpact, quiet: number): boolean {
  return !s.truth!.impacts.some((o) => o !== imp && o.time > imp.time - quiet && o.time < imp.time + 0.015);
}

describe('worlds/collision simulator', function () {
  this.timeout(120000);
  let data: CollisionSample[];
  before(() => {
    data = simulateCollisions({ seed: 7, perObject: 4 });
  });

  it('gives course-shaped samples: ids, 4 channels × 4 s, 30 fps frames and binary masks', () => {
    assert.equal(data.length, 40);
    assert.deepEqual(
      data.filter((_, i) => i % 4 === 0).map((s) => s.id),
      COLLISION_OBJECTS.map((o) => `${o}/0`),
    );
    for (const s of data) {
      assert.equal(s.object, COLLISION_OBJECTS.indexOf(s.id.split('/')[0] as never));
      assert.equal(s.sampleRate, 16000);
      assert.equal(s.audio.length, 4);
      for (const ch of s.audio) assert.equal(ch.length, 64000);
      assert.equal(s.fps, 30);
      assert.equal(s.rgb.length, 120);
      assert.equal(s.mask.length, 120);
      assert.equal(s.truth!.trajectory.length, 240);
      for (const f of s.rgb) assert.equal(f.length, 64 * 64 * 3);
      for (const m of s.mask) {
        assert.equal(m.length, 64 * 64);
        assert.ok(m.every((v) => v === 0 || v === 255));
        assert.ok(m.some((v) => v === 255), `${s.id}: the object is visible in every frame`);
      }
      const main = mainImpact(s);
      assert.ok(main.time >= 1.2 && main.time <= 2.0, `${s.id}: main impact at ${main.time}`);
      assert.ok(main.speed >= 0.15);
      for (const ch of s.audio) assert.ok(ch.every(Number.isFinite));
    }
  });

  it('is deterministic per seed, and a sample depends only on (seed, object, k)', () => {
    const a = simulateCollisions({ seed: 3, perObject: 2, objects: [1, 8] });
    const b = simulateCollisions({ seed: 3, perObject: 2, objects: [1, 8] });
    assert.deepEqual(a, b);
    const c = simulateCollisions({ seed: 4, perObject: 2, objects: [1, 8] });
    assert.notDeepEqual(a[0].audio[0], c[0].audio[0]);
    assert.notDeepEqual(a[0].truth!.trajectory, c[0].truth!.trajectory);
    const bigger = simulateCollisions({ seed: 3, perObject: 3, objects: [8] });
    assert.deepEqual(bigger[1], a[3]); // whiteboard_spray/1 in both
  });

  it('honours the sample rate and window options (44.1 kHz as the course)', () => {
    const [s] = simulateCollisions({ seed: 1, perObject: 1, objects: [2], sampleRate: 44100, seconds: 2, impactAt: [0.5, 1], fps: 15, width: 48, height: 40 });
    assert.equal(s.audio[0].length, 88200);
    assert.equal(s.rgb.length, 30);
    assert.equal(s.mask[0].length, 48 * 40);
    const main = mainImpact(s);
    assert.ok(main.time >= 0.5 && main.time <= 1);
    assert.throws(() => simulateCollisions({ seed: 1, perObject: 1, impactAt: [3, 5] }), RangeError);
    assert.throws(() => simulateCollisions({ seed: 1, perObject: 1, objects: [10] }), RangeError);
  });

  it('gives every object a distinct silhouette, colour and material', () => {
    const shapes = new Set(COLLISION_OBJECT_SPECS.map((o) => o.shape));
    const colours = new Set(COLLISION_OBJECT_SPECS.map((o) => o.colour.join(',')));
    assert.equal(shapes.size, 10);
    assert.equal(colours.size, 10);
    assert.equal(new Set(COLLISION_OBJECT_SPECS.map((o) => o.material)).size, 6);
    // Mask area separates the objects' sizes: the toothpaste box covers far more than the strawberry.
    const area = (name: string): number => {
      const s = data.find((x) => x.id === `${name}/0`)!;
      return s.mask[0].reduce((a, v) => a + (v ? 1 : 0), 0);
    };
    assert.ok(area('toothpaste_box') > 2 * area('strawberry'));
    // Every pixel under the mask has one of the object's colours (± the per-episode jitter and
    // sensor noise), not the tray's.
    for (const s of data.filter((x) => x.id.endsWith('/0'))) {
      const spec = COLLISION_OBJECT_SPECS[s.object];
      const f = s.rgb[10];
      s.mask[10].forEach((v, p) => {
        if (!v) return;
        const px = [f[3 * p], f[3 * p + 1], f[3 * p + 2]];
        const nearest = Math.min(...spec.parts.map((part) => Math.hypot(...px.map((x, c) => x - part.colour[c]))));
        assert.ok(nearest < 25, `${s.id}: masked pixel ${px} is none of the object's colours`);
      });
    }
  });

  it('sounds like its material: foam is low and dies fast, metal is high and rings', () => {
    const centroid = (s: CollisionSample): { hz: number; ringing: number } => {
      const imp = mainImpact(s);
      const d = micDistances(imp, s);
      const c = d.indexOf(Math.min(...d));
      const a = Math.round((imp.time + d[c] / SPEED_OF_SOUND) * s.sampleRate);
      const n = 512;
      const x = s.audio[c].subarray(a, a + n);
      // Direct DFT (512 points is small): power-weighted mean frequency.
      let num = 0;
      let den = 0;
      for (let k = 1; k < n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let t = 0; t < n; t++) {
          re += x[t] * Math.cos((2 * Math.PI * k * t) / n);
          im -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
        }
        const p = re * re + im * im;
        num += p * ((k * s.sampleRate) / n);
        den += p;
      }
      const early = power(s.audio[c], a, a + 800);
      const late = power(s.audio[c], a + 1600, a + 2400);
      return { hz: num / den, ringing: late / early };
    };
    const of = (name: string): CollisionSample[] => data.filter((s) => s.id.startsWith(`${name}/`) && isolated(s, mainImpact(s), 0.3));
    const foam = of('061_foam_brick').map(centroid);
    const metal = of('stanley_screwdriver').map(centroid);
    assert.ok(foam.length >= 2 && metal.length >= 2);
    for (const f of foam) for (const m of metal) {
      assert.ok(f.hz < m.hz, `foam ${f.hz.toFixed(0)} Hz vs metal ${m.hz.toFixed(0)} Hz`);
      assert.ok(f.ringing < m.ringing, `foam ringing ${f.ringing} vs metal ${m.ringing}`);
    }
    assert.ok(COLLISION_MATERIALS.foam.modes[0].decay > 10 * COLLISION_MATERIALS.metal.modes[0].decay);
  });

  it('makes the microphone nearest to an impact the loudest at the impact', () => {
    let checked = 0;
    for (const s of data) {
      // Earlier impacts of a ringing object are still sounding (and a new strike on the same
      // modes can even cancel them), so only impacts after the earlier sound has died down count.
      const material = COLLISION_MATERIALS[COLLISION_OBJECT_SPECS[s.object].material];
      const quiet = 4 / Math.min(...material.modes.map((m) => m.decay));
      for (const imp of s.truth!.impacts) {
        if (imp.speed < 0.2 || !isolated(s, imp, quiet)) continue;
        const d = micDistances(imp, s);
        const order = [0, 1, 2, 3].sort((a, b) => d[a] - d[b]);
        if (d[order[1]] / d[order[0]] < 1.1) continue; // two microphones about equally near
        const w = Math.round(0.01 * s.sampleRate);
        const level = d.map((r, c) => {
          const a = Math.round((imp.time + r / SPEED_OF_SOUND) * s.sampleRate);
          return power(s.audio[c], a, a + w);
        });
        assert.equal(level.indexOf(Math.max(...level)), order[0], `${s.id} impact at ${imp.time.toFixed(3)} s: distances ${d.map((x) => x.toFixed(2))}, power ${level.map((x) => x.toExponential(1))}`);
        checked++;
      }
    }
    assert.ok(checked >= 25, `only ${checked} impacts checked`);
  });

  it('starts each impact sound at every microphone within 2 ms of impact time + distance / c', () => {
    let checked = 0;
    for (const s of data) {
      const imp = mainImpact(s);
      if (!isolated(s, imp, 0.3)) continue;
      const sr = s.sampleRate;
      const w = Math.round(0.001 * sr);
      micDistances(imp, s).forEach((r, c) => {
        const expected = imp.time + r / SPEED_OF_SOUND;
        const a = Math.round(expected * sr);
        const before = power(s.audio[c], a - Math.round(0.03 * sr), a - Math.round(0.005 * sr));
        // Onset: the end of the first 1-ms window whose power exceeds 10 × the level before.
        let onset = NaN;
        for (let k = a - Math.round(0.01 * sr); k < a + Math.round(0.02 * sr); k++) {
          if (power(s.audio[c], k, k + w) > 10 * before) {
            onset = (k + w) / sr;
            break;
          }
        }
        assert.ok(Math.abs(onset - expected) < 0.002, `${s.id} mic ${c}: onset ${onset} s, expected ${expected.toFixed(4)} s`);
        // Nothing of it before the impact: the sound cannot precede the truth by more than a ms.
        assert.ok(onset > imp.time, `${s.id} mic ${c}: sound before the impact`);
      });
      checked++;
    }
    assert.ok(checked >= 20, `only ${checked} samples checked`);
  });

  it('delays each microphone by its distance / speed of sound (cross-correlation at 44.1 kHz)', () => {
    const hi = simulateCollisions({ seed: 21, perObject: 1, sampleRate: 44100 });
    let checked = 0;
    for (const s of hi) {
      const imp = mainImpact(s);
      if (!isolated(s, imp, 0.3)) continue;
      const d = micDistances(imp, s);
      const near = d.indexOf(Math.min(...d));
      const far = d.indexOf(Math.max(...d));
      const sr = s.sampleRate;
      const a = Math.round((imp.time + d[near] / SPEED_OF_SOUND) * sr) - 20;
      const len = Math.round(0.015 * sr);
      let bestLag = 0;
      let best = -Infinity;
      for (let lag = -20; lag <= 150; lag++) {
        let sum = 0;
        for (let k = 0; k < len; k++) sum += s.audio[near][a + k] * s.audio[far][a + k + lag];
        if (sum > best) {
          best = sum;
          bestLag = lag;
        }
      }
      const expected = ((d[far] - d[near]) / SPEED_OF_SOUND) * sr;
      assert.ok(Math.abs(bestLag - expected) <= 2, `${s.id}: lag ${bestLag} samples, expected ${expected.toFixed(1)}`);
      checked++;
    }
    assert.ok(checked >= 6, `only ${checked} samples checked`);
  });

  it('draws masks whose centroid follows the true trajectory within 1 px', () => {
    let worst = 0;
    for (const s of data) {
      const tr = s.truth!.trajectory;
      s.mask.forEach((m, f) => {
        const c = maskCentroid(m, s.width, s.height);
        worst = Math.max(worst, Math.hypot(c.x - tr[2 * f], c.y - tr[2 * f + 1]));
      });
    }
    assert.ok(worst < 1, `worst centroid error ${worst.toFixed(3)} px`);
    assert.ok(worst > 0, 'masks are rasterised, so some error is expected');
  });

  it('lines impacts up with bounces of the mask trajectory at the wall', () => {
    let checked = 0;
    for (const s of data) {
      const imp = mainImpact(s);
      const { xy } = maskCentroids(s);
      const axis = imp.wall < 2 ? 0 : 1;
      // Direction towards the wall hit: left/top are −, right/bottom are +.
      const sign = imp.wall % 2 === 0 ? -1 : 1;
      const f = Math.floor(imp.time * s.fps); // last frame before the impact
      const frames = xy.length / 2;
      if (f < 1 || f + 2 >= frames) continue;
      const before = sign * (xy[2 * f + axis] - xy[2 * (f - 1) + axis]);
      const after = sign * (xy[2 * (f + 2) + axis] - xy[2 * (f + 1) + axis]);
      const pxPerFrame = (imp.speed * s.width) / TRAY / s.fps;
      assert.ok(before > 0.3 * pxPerFrame, `${s.id}: moving towards wall ${imp.wall} before the impact (${before.toFixed(2)} px/frame)`);
      assert.ok(after <= 0.35, `${s.id}: still moving into wall ${imp.wall} after the impact (${after.toFixed(2)} px/frame)`);
      // The frame nearest the impact shows the object at the wall.
      const nearest = Math.round(imp.time * s.fps);
      const atImpact = axis === 0 ? imp.x : imp.y;
      assert.ok(Math.abs(xy[2 * nearest + axis] - atImpact) < 1 + pxPerFrame, `${s.id}: at the wall at the impact frame`);
      checked++;
    }
    assert.ok(checked >= 35, `only ${checked} samples checked`);
  });
});

describe('data/collisions clips', function () {
  this.timeout(60000);

  it('simulates a continuous clip with at least the requested impacts, deterministically', () => {
    const clip = simulateCollisionClip({ seed: 5, seconds: 8, impacts: 3, object: 9 });
    assert.equal(clip.object, 9);
    assert.equal(clip.audio[0].length, 8 * 16000);
    assert.equal(clip.rgb.length, 240);
    assert.ok(clip.truth.impacts.filter((m) => m.speed >= MAIN_IMPACT_SPEED).length >= 3);
    const walls = new Set(clip.truth.impacts.filter((m) => m.speed >= MAIN_IMPACT_SPEED).map((m) => m.wall));
    assert.ok(walls.size >= 2, 'the tilts send the object to different walls');
    assert.deepEqual(simulateCollisionClip({ seed: 5, seconds: 8, impacts: 3, object: 9 }), clip);
    assert.throws(() => simulateCollisionClip({ seed: 5, impacts: 2 }), RangeError);
    assert.throws(() => simulateCollisionClip({ seed: 5, seconds: 3, impacts: 3 }), RangeError);
  });

  it('cuts aligned and audio-shifted windows with consistent truth', () => {
    const clip = simulateCollisionClip({ seed: 2 });
    const aligned = cutWindow(clip, 2, 3);
    assert.equal(aligned.rgb.length, 90);
    assert.equal(aligned.audio[0].length, 48000);
    assert.deepEqual(aligned.rgb[0], clip.rgb[60]);
    assert.deepEqual(aligned.audio[2], clip.audio[2].slice(32000, 80000));
    assert.deepEqual(aligned.truth.trajectory, clip.truth.trajectory.slice(120, 300));
    assert.equal(aligned.truth.audioShift, 0);
    assert.equal(aligned.truth.windowStart, 2);
    const inside = clip.truth.impacts.filter((m) => m.time >= 2 && m.time < 5);
    assert.deepEqual(aligned.truth.impacts.map((m) => m.time), inside.map((m) => m.time - 2));

    const shifted = cutWindow(clip, 2, 3, { audioShiftSeconds: 0.5 });
    assert.deepEqual(shifted.rgb, aligned.rgb);
    assert.deepEqual(shifted.audio[0], clip.audio[0].slice(40000, 88000));
    assert.ok(Math.abs(shifted.truth.audioShift! - 0.5) < 1e-12);
    assert.notEqual(shifted.id, aligned.id);
    // An impact at audio time t of the shifted window is seen at frame time t + audioShift.
    for (const m of shifted.truth.impacts) {
      const original = clip.truth.impacts.find((o) => Math.abs(o.time - (m.time + shifted.truth.audioShift! + 2)) < 1e-9);
      assert.ok(original, `impact at ${m.time} maps back into the clip`);
    }
    assert.throws(() => cutWindow(clip, 8, 3), RangeError);
    assert.throws(() => cutWindow(clip, 0, 3, { audioShiftSeconds: -0.5 }), RangeError);
  });
});
