import assert from 'node:assert/strict';
import type { SceneSplit } from '../../../lib/scenes/data/types';
import { addModalityNoise, dropModality, robustnessCurve } from '../../../lib/scenes/experiments/robustness';
import { Rng } from '../../../lib/util/rng';

function makeSplit(n = 200, dim = 50): SceneSplit {
  const rng = new Rng(1);
  return {
    ids: Array.from({ length: n }, (_, i) => `clip${i}`),
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    frames: 1,
    dim,
    audio: rng.fillNormal(new Float32Array(n * dim)),
    video: rng.fillNormal(new Float32Array(n * dim)),
  };
}

function noiseStats(a: Float32Array, b: Float32Array): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - a[i];
    s += d;
    s2 += d * d;
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean) };
}

describe('experiments/robustness', () => {
  it('addModalityNoise adds noise of the requested std to one modality only', () => {
    const split = makeSplit();
    const audioBefore = Float32Array.from(split.audio);
    const noisy = addModalityNoise(split, 'audio', 0.5, 3);
    const { mean, std } = noiseStats(split.audio, noisy.audio);
    // 10,000 draws: the sample std is within a few percent of 0.5, the mean near 0.
    assert.ok(Math.abs(std - 0.5) < 0.02, `noise std ${std}`);
    assert.ok(Math.abs(mean) < 0.02, `noise mean ${mean}`);
    assert.equal(noisy.video, split.video);
    assert.deepEqual(split.audio, audioBefore, 'the input is not modified');
    assert.equal(noisy.labels, split.labels);
    assert.equal(noisy.dim, 50);
  });

  it('is seeded, and the same seed scales the same draw', () => {
    const split = makeSplit(20, 8);
    assert.deepEqual(addModalityNoise(split, 'video', 1, 5).video, addModalityNoise(split, 'video', 1, 5).video);
    assert.notDeepEqual(addModalityNoise(split, 'video', 1, 5).video, addModalityNoise(split, 'video', 1, 6).video);
    const one = addModalityNoise(split, 'video', 1, 5).video;
    const two = addModalityNoise(split, 'video', 2, 5).video;
    for (let i = 0; i < one.length; i++) assert.ok(Math.abs(two[i] - split.video[i] - 2 * (one[i] - split.video[i])) < 1e-5);
    // 'both' draws each modality from the same stream it would get alone.
    const both = addModalityNoise(split, 'both', 1, 5);
    assert.deepEqual(both.video, one);
    assert.deepEqual(both.audio, addModalityNoise(split, 'audio', 1, 5).audio);
    assert.deepEqual(addModalityNoise(split, 'audio', 0, 5).audio, split.audio);
    assert.throws(() => addModalityNoise(split, 'audio', -1, 0), RangeError);
    assert.throws(() => addModalityNoise(split, 'text' as 'audio', 1, 0), /unknown modality/);
  });

  it('dropModality replaces features with zeros (the train mean after standardisation) or a fill', () => {
    const split = makeSplit(4, 3);
    const dropped = dropModality(split, 'video');
    assert.deepEqual(Array.from(dropped.video), new Array(12).fill(0));
    assert.equal(dropped.audio, split.audio);
    assert.ok(split.video.some((v) => v !== 0), 'the input is not modified');
    const filled = dropModality(split, 'both', { fill: [1, 2, 3] });
    assert.deepEqual(Array.from(filled.audio), [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    assert.deepEqual(Array.from(filled.video), Array.from(filled.audio));
    assert.throws(() => dropModality(split, 'audio', { fill: [0] }), /fill has 1 values for 3 features/);
  });

  it('robustnessCurve evaluates each noise level with common random numbers', async () => {
    const split = makeSplit(100, 20);
    let calls = 0;
    // "Score": the mean squared deviation of audio from the clean features, ≈ std².
    const evaluate = async (s: SceneSplit): Promise<number> => {
      calls++;
      let ss = 0;
      for (let i = 0; i < s.audio.length; i++) ss += (s.audio[i] - split.audio[i]) ** 2;
      return ss / s.audio.length;
    };
    const curve = await robustnessCurve(evaluate, split, 'audio', [0, 0.5, 1, 2], { repeats: 3, seed: 4 });
    assert.equal(curve.name, 'audio noise');
    assert.deepEqual(curve.x, [0, 0.5, 1, 2]);
    assert.equal(calls, 1 + 3 * 3, 'the clean split is evaluated once');
    assert.deepEqual(curve.runs.map((r) => r.length), [1, 3, 3, 3]);
    assert.equal(curve.y[0], 0);
    [0.25, 1, 4].forEach((v, i) => assert.ok(Math.abs(curve.y[i + 1] / v - 1) < 0.05, `y ${curve.y[i + 1]} vs ${v}`));
    // Common random numbers: every level scales the same draws, so y/std² is the same at every level.
    assert.ok(Math.abs(curve.y[1] / 0.25 - curve.y[3] / 4) < 1e-4);
    const again = await robustnessCurve(evaluate, split, 'audio', [0, 0.5, 1, 2], { repeats: 3, seed: 4 });
    assert.deepEqual(again, curve);
    await assert.rejects(robustnessCurve(evaluate, split, 'audio', [-1]), /stds\[0\] is -1/);
    await assert.rejects(robustnessCurve(async () => NaN, split, 'video', [1]), /evaluate returned NaN/);
  });
});
