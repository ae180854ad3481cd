import assert from 'node:assert/strict';
import { maskCentroid, maskCentroids, resampleRows, trackVelocities, trajectoryFeatures } from '../../../lib/collisions/features/trajectory';
import { simulateCollisions } from '../../../lib/worlds/collision/simulator';
import { InputError } from '../../../lib/util/errors';

/** A width × height mask with the given (x, y) pixels set to 255. */
function mask(width: number, height: number, pixels: [number, number][]): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const [x, y] of pixels) m[y * width + x] = 255;
  return m;
}

describe('features/trajectory', () => {
  it('computes the centroid of a hand-made mask in pixel-centre coordinates', () => {
    const m = mask(5, 4, [
      [1, 1],
      [2, 1],
      [1, 2],
    ]);
    const c = maskCentroid(m, 5, 4);
    assert.equal(c.count, 3);
    assert.ok(Math.abs(c.x - (4 / 3 + 0.5)) < 1e-12);
    assert.ok(Math.abs(c.y - (4 / 3 + 0.5)) < 1e-12);
    // A full 2 × 2 block at the top-left corner is centred on the shared corner (1, 1).
    assert.deepEqual(maskCentroid(mask(4, 4, [[0, 0], [1, 0], [0, 1], [1, 1]]), 4, 4), { x: 1, y: 1, count: 4 });
    const empty = maskCentroid(new Uint8Array(20), 5, 4);
    assert.equal(empty.count, 0);
    assert.ok(Number.isNaN(empty.x));
    assert.throws(() => maskCentroid(new Uint8Array(19), 5, 4), RangeError);
  });

  it('fills empty masks by interpolation inside and by carrying at the ends', () => {
    const w = 10;
    const at = (x: number, y: number): Uint8Array => mask(w, w, [[x, y]]);
    const none = new Uint8Array(w * w);
    const track = maskCentroids({ id: 's', width: w, height: w, mask: [none, at(1, 1), none, none, at(7, 4), none] });
    assert.deepEqual(Array.from(track.filled), [1, 0, 1, 1, 0, 1]);
    const xs = Array.from({ length: 6 }, (_, f) => track.xy[2 * f]);
    const ys = Array.from({ length: 6 }, (_, f) => track.xy[2 * f + 1]);
    assert.deepEqual(xs, [1.5, 1.5, 3.5, 5.5, 7.5, 7.5]);
    assert.deepEqual(ys, [1.5, 1.5, 2.5, 3.5, 4.5, 4.5]);
    assert.throws(
      () => maskCentroids({ id: 'green_basketball/2', width: w, height: w, mask: [none, none] }),
      (e: unknown) => e instanceof InputError && e.message.includes('green_basketball/2') && e.message.includes('empty'),
    );
    assert.throws(() => maskCentroids({ id: 'x', width: w, height: w, mask: [] }), InputError);
  });

  it('differentiates with central differences inside and one-sided at the ends', () => {
    // x = t², sampled at 10 fps: central differences are exact for a parabola.
    const fps = 10;
    const xy = Float32Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? (i / 2 / fps) ** 2 : 3));
    const v = trackVelocities(xy, fps);
    for (let f = 1; f < 4; f++) assert.ok(Math.abs(v[2 * f] - (2 * f) / fps) < 1e-5, `frame ${f}: ${v[2 * f]}`);
    assert.ok(Math.abs(v[0] - (0.01 - 0) * fps) < 1e-6); // forward difference at the start
    assert.ok(Math.abs(v[8] - (0.16 - 0.09) * fps) < 1e-6); // backward difference at the end
    assert.ok(v.filter((_, i) => i % 2 === 1).every((x) => x === 0));
    assert.deepEqual(Array.from(trackVelocities(Float32Array.from([1, 2]), fps)), [0, 0]);
  });

  it('resamples rows linearly over the same time span', () => {
    const data = Float32Array.from([0, 10, 1, 20, 2, 30]); // 3 rows × 2
    assert.deepEqual(Array.from(resampleRows(data, 2, 5)), [0, 10, 0.5, 15, 1, 20, 1.5, 25, 2, 30]);
    assert.deepEqual(Array.from(resampleRows(data, 2, 1)), [0, 10]);
  });

  it('builds F × 4 (x, y, vx, vy) features, normalised to the frame size', () => {
    // A 1-pixel object moving 2 px right per frame on a 20 × 10 frame at 5 fps.
    const masks = Array.from({ length: 6 }, (_, f) => mask(20, 10, [[2 + 2 * f, 5]]));
    const sample = { id: 's', width: 20, height: 10, fps: 5, mask: masks };
    const raw = trajectoryFeatures(sample, { normalise: false });
    assert.equal(raw.length, 24);
    for (let f = 0; f < 6; f++) assert.deepEqual(Array.from(raw.slice(4 * f, 4 * f + 4)), [2.5 + 2 * f, 5.5, 10, 0]);
    const norm = trajectoryFeatures(sample);
    assert.ok(Math.abs(norm[0] - (2 * 2.5) / 20 + 1) < 1e-6);
    assert.ok(Math.abs(norm[1] - (2 * 5.5) / 10 + 1) < 1e-6);
    assert.ok(Math.abs(norm[2] - 1) < 1e-6); // 10 px/s × 2/20
    const resampled = trajectoryFeatures(sample, { frames: 11, normalise: false });
    assert.equal(resampled.length, 44);
    assert.ok(Math.abs(resampled[4] - 3.5) < 1e-6); // halfway between frames 0 and 1
    assert.throws(() => trajectoryFeatures(sample, { frames: 0 }), RangeError);
  });

  it('follows a simulated sample’s true motion', () => {
    const [s] = simulateCollisions({ seed: 2, perObject: 1, objects: [1] });
    const feats = trajectoryFeatures(s, { frames: 64 });
    assert.equal(feats.length, 64 * 4);
    for (let f = 0; f < 64; f++) {
      assert.ok(Math.abs(feats[4 * f]) <= 1 && Math.abs(feats[4 * f + 1]) <= 1);
    }
    // Full-rate features against the truth trajectory (centroids within 1 px of it).
    const full = trajectoryFeatures(s, { normalise: false });
    const tr = s.truth!.trajectory;
    for (let f = 0; f < s.mask.length; f++) assert.ok(Math.hypot(full[4 * f] - tr[2 * f], full[4 * f + 1] - tr[2 * f + 1]) < 1);
  });
});
