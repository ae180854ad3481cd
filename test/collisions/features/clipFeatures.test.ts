import assert from 'node:assert/strict';
import { simulateCollisions } from '../../../lib/worlds/collision/simulator';
import type { CollisionSample } from '../../../lib/worlds/collision/types';
import {
  APPEARANCE_DIM,
  applyFeatureScaling,
  audioInput,
  DEFAULT_FEATURE_OPTIONS,
  extractFeatures,
  fitFeatureScaling,
  logBandWeights,
  resizeArea,
  videoAppearance,
} from '../../../lib/collisions/features/clipFeatures';
import { InputError } from '../../../lib/util/errors';

describe('matching features', () => {
  it('resizeArea averages covered cells (fractional overlaps weighted) and keeps the mean', () => {
    // 2 × 4 → 1 × 2: each output cell is the mean of a 2 × 2 block.
    assert.deepEqual(Array.from(resizeArea(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 4, 1, 2)), [3.5, 5.5]);
    // 1 × 3 → 1 × 2: cells cover [0, 1.5) and [1.5, 3): (1 + 0.5·2)/1.5 and (0.5·2 + 3)/1.5.
    const r = resizeArea(Float32Array.from([1, 2, 3]), 1, 3, 1, 2);
    assert.ok(Math.abs(r[0] - 4 / 3) < 1e-6 && Math.abs(r[1] - 8 / 3) < 1e-6);
    // Upsampling repeats values; the mean is preserved in general.
    assert.deepEqual(Array.from(resizeArea(Float32Array.from([1, 3]), 1, 2, 1, 4)), [1, 1, 3, 3]);
    const src = Float32Array.from({ length: 7 * 9 }, (_, i) => Math.sin(i));
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(resizeArea(src, 7, 9, 7, 3)) - mean(src)) < 1e-6);
    assert.throws(() => resizeArea(new Float32Array(5), 2, 3, 1, 1), RangeError);
  });

  it('logBandWeights: each band averages the bins it overlaps; bands rise geometrically', () => {
    const bins = 513;
    const bands = logBandWeights(bins, 16000, 64, 100);
    assert.equal(bands.length, 64);
    for (const parts of bands) {
      assert.ok(Math.abs(parts.reduce((s, [, w]) => s + w, 0) - 1) < 1e-12);
      assert.ok(parts.every(([k]) => k >= 0 && k < bins));
    }
    // The first band (100–107 Hz) sits inside bin 6 or 7 (15.6 Hz wide); the last reaches the top bin.
    assert.ok(bands[0].every(([k]) => k >= 6 && k <= 7));
    assert.ok(bands[63].some(([k]) => k === bins - 1));
    // Centre bins increase with the band index.
    const centre = bands.map((p) => p.reduce((s, [k, w]) => s + k * w, 0));
    assert.ok(centre.every((c, i) => i === 0 || c >= centre[i - 1]));
    assert.throws(() => logBandWeights(bins, 16000, 8, 9000), RangeError);
  });

  it('a pure tone lands in the band of its frequency on a log axis, with level differences across channels kept', () => {
    const sr = 16000;
    const tone = (f: number, gain: number) => Float32Array.from({ length: sr }, (_, n) => gain * Math.sin((2 * Math.PI * f * n) / sr));
    const sample = { id: 'tone', sampleRate: sr, audio: [tone(1000, 1), tone(1000, 0.5), tone(1000, 0.25), tone(1000, 0.1)] };
    const opts = { ...DEFAULT_FEATURE_OPTIONS, specSize: [32, 16] as [number, number] };
    const x = audioInput(sample, opts);
    assert.equal(x.length, 32 * 16 * 4);
    // Strongest row of channel 0 at a middle frame: band r covers 100·80^(r/32)…, 1000 Hz → r = 16.
    const row = (c: number) => {
      let best = 0;
      for (let f = 1; f < 32; f++) if (x[(f * 16 + 8) * 4 + c] > x[(best * 16 + 8) * 4 + c]) best = f;
      return best;
    };
    const expected = Math.floor((32 * Math.log(1000 / 100)) / Math.log(8000 / 100));
    assert.equal(row(0), expected);
    // Louder microphones show larger values in that band.
    const at = (c: number) => x[(expected * 16 + 8) * 4 + c];
    assert.ok(at(0) > at(1) && at(1) > at(2) && at(2) > at(3));
    assert.throws(() => audioInput({ id: 'silent', sampleRate: sr, audio: [] }, opts), InputError);
  });

  it('videoAppearance: colour, spread, area and bounding box of the mask, medians over frames', () => {
    const W = 10;
    const H = 8;
    const frame = (x0: number, y0: number, w: number, h: number, rgb: [number, number, number]) => {
      const mask = new Uint8Array(W * H);
      const px = new Uint8Array(W * H * 3);
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) {
        mask[y * W + x] = 255;
        px.set(rgb, 3 * (y * W + x));
      }
      return { mask, px };
    };
    const frames = [frame(1, 1, 4, 2, [255, 0, 0]), frame(3, 2, 4, 2, [255, 0, 0]), frame(0, 0, 4, 2, [255, 0, 0]), { mask: new Uint8Array(W * H), px: new Uint8Array(W * H * 3) }];
    const a = videoAppearance({ id: 'v', width: W, height: H, mask: frames.map((f) => f.mask), rgb: frames.map((f) => f.px) });
    assert.equal(a.length, APPEARANCE_DIM);
    assert.deepEqual(Array.from(a.slice(0, 6)), [1, 0, 0, 0, 0, 0]);
    assert.ok(Math.abs(a[6] - 8 / 80) < 1e-7);
    assert.ok(Math.abs(a[7] - 0.4) < 1e-7 && Math.abs(a[8] - 0.25) < 1e-7);
    assert.throws(() => videoAppearance({ id: 'empty', width: W, height: H, mask: [new Uint8Array(W * H)], rgb: [new Uint8Array(W * H * 3)] }), /never seen/);
  });

  it('extractFeatures gives every modality its shape, and refuses mixed sets', () => {
    const samples = simulateCollisions({ seed: 3, perObject: 1, objects: [0, 4] });
    const opts = { ...DEFAULT_FEATURE_OPTIONS, specSize: [16, 16] as [number, number], trajectoryFrames: 10 };
    const f = extractFeatures(samples, opts);
    assert.equal(f.size, 2);
    assert.deepEqual(Array.from(f.objects), [0, 4]);
    assert.equal(f.audio.length, 2 * 16 * 16 * 4);
    assert.equal(f.trajectory.length, 2 * 10 * 4);
    assert.equal(f.appearance.length, 2 * APPEARANCE_DIM);
    assert.ok([f.audio, f.trajectory, f.appearance].every((a) => a.every(Number.isFinite)));
    // Audio-only items (a task folder's audio) have no video features.
    const audioOnly: CollisionSample[] = samples.map((s) => ({ ...s, rgb: [], mask: [], width: 0, height: 0, fps: 0 }));
    const g = extractFeatures(audioOnly, opts);
    assert.equal(g.trajectory.length, 0);
    assert.deepEqual(Array.from(g.audio), Array.from(f.audio));
    assert.throws(() => extractFeatures([samples[0], audioOnly[1]], opts), /no frames while other samples/);
  });

  it('feature scaling: fitted mean/std per column, constant columns left unscaled', () => {
    const s = fitFeatureScaling(Float32Array.from([1, 5, 3, 5]), 2);
    assert.deepEqual(s, { mean: [2, 5], std: [1, 1] });
    assert.deepEqual(Array.from(applyFeatureScaling(Float32Array.from([1, 5, 3, 6]), s)), [-1, 0, 1, 1]);
    assert.throws(() => fitFeatureScaling(new Float32Array(3), 2), RangeError);
  });
});
