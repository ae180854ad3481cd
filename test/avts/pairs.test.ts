import assert from 'node:assert/strict';
import {
  anchorStarts,
  avtsCurriculum,
  checkPairConfig,
  curriculumMix,
  cutPair,
  evaluationPairs,
  negativeCounts,
  noCurriculum,
  PairConfig,
  samplePairs,
  shiftSweepPairs,
  audioWindow,
  videoWindow,
} from '../../lib/avts/data/pairs';
import { AvClipFeatures, clipFeatures, DEFAULT_AV_FEATURES, fromCollisionClip, simulateAvtsClip } from '../../lib/avts/data/clips';
import { avtsBatches } from '../../lib/avts/train';
import { InputError } from '../../lib/util/errors';
import { Rng } from '../../lib/util/rng';
import type { CollisionClip } from '../../lib/worlds/collision/types';
import * as tf from '@tensorflow/tfjs';
import { testBackend } from '../helpers/backend';

const F = 6;
const CONFIG = (superHard: 'overlap' | 'far'): PairConfig => ({
  windowFrames: F,
  anchorsPerClip: 5,
  hardShift: [F, 2 * F],
  superHard,
  superHardShift: superHard === 'overlap' ? [2, F - 1] : [2 * F + 1, 3 * F],
  requireEvent: true,
});

/** Synthetic clip features: only frames, events and ids matter to the sampler. */
function fakeClips(n: number, frames: number): AvClipFeatures[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    label: i % 3,
    frames,
    video: new Float32Array(frames * 2 * 2 * 1).map((_, k) => i * 1000 + Math.floor(k / 4)),
    videoShape: [2, 2, 1],
    audio: new Float32Array(frames * 4 * 2 * 1).map((_, k) => i * 1000 + Math.floor(k / 8)),
    audioShape: [2, 1],
    events: i % 2 === 0 ? [10.2, 25.7] : [],
    fps: 25,
  }));
}

describe('avts pairs', () => {
  before(testBackend);

  for (const def of ['overlap', 'far'] as const) {
    it(`every pair type respects its definition (super-hard: ${def})`, () => {
      const c = CONFIG(def);
      const clips = fakeClips(6, 60);
      const pairs = evaluationPairs(clips, c, new Rng(3));
      assert.equal(pairs.length, 6 * c.anchorsPerClip * 4);
      for (const p of pairs) {
        assert.ok(p.videoStart >= 0 && p.videoStart + F <= 60 && p.audioStart >= 0 && p.audioStart + F <= 60, 'windows inside the clip');
        const d = Math.abs(p.audioStart - p.videoStart);
        const overlaps = p.audioClip === p.videoClip && d < F;
        if (p.kind === 'positive') assert.ok(p.label === 1 && p.audioClip === p.videoClip && p.shift === 0);
        if (p.kind === 'easy') assert.ok(p.label === 0 && p.audioClip !== p.videoClip && Number.isNaN(p.shift));
        if (p.kind === 'hard') {
          assert.ok(p.label === 0 && p.audioClip === p.videoClip && d >= c.hardShift[0] && d <= c.hardShift[1] && !overlaps, `hard shift ${d}`);
        }
        if (p.kind === 'superhard') {
          assert.ok(p.label === 0 && p.audioClip === p.videoClip && d >= c.superHardShift[0] && d <= c.superHardShift[1], `super-hard shift ${d}`);
          assert.equal(overlaps, def === 'overlap', `super-hard (${def}) overlap`);
          if (def === 'far') assert.ok(d > c.hardShift[1]);
        }
        assert.equal(p.shift === 0 || Number.isNaN(p.shift) ? true : p.shift === p.audioStart - p.videoStart, true);
      }
    });
  }

  it('anchors contain an event when the clip has events; shift sweep labels follow the overlap rule', () => {
    const c = CONFIG('overlap');
    const clips = fakeClips(4, 60);
    const starts = anchorStarts(clips, c);
    for (const s of starts[0]) assert.ok(clips[0].events.some((e) => e >= s + 0.5 && e < s + F - 0.5));
    assert.equal(starts[1].length, 60 - F + 1, 'no events: every start');
    const sweep = shiftSweepPairs(clips, c, [0, 1, 3, F, 2 * F], new Rng(1));
    for (const p of sweep) {
      const d = Math.abs(p.shift);
      assert.equal(p.kind, d === 0 ? 'positive' : d < F ? 'superhard' : 'hard');
    }
  });

  it('rejects inconsistent configurations', () => {
    assert.throws(() => checkPairConfig({ ...CONFIG('overlap'), hardShift: [F - 1, 2 * F] }), InputError);
    assert.throws(() => checkPairConfig({ ...CONFIG('overlap'), superHardShift: [1, F] }), InputError);
    assert.throws(() => checkPairConfig({ ...CONFIG('far'), superHardShift: [2 * F, 3 * F] }), InputError);
  });

  it('the curriculum mix matches the configured ratio in every epoch, exactly', () => {
    const c = CONFIG('overlap');
    const clips = fakeClips(8, 60); // 40 anchors per epoch
    const cur = avtsCurriculum(3);
    const source = avtsBatches(clips, c, cur);
    for (let epoch = 1; epoch <= 6; epoch++) {
      const pairs = source.pairsOf(new Rng(epoch), epoch);
      const count = (k: string) => pairs.filter((p) => p.kind === k).length;
      assert.equal(count('positive'), 40);
      if (epoch <= 3) assert.deepEqual([count('easy'), count('hard'), count('superhard')], [40, 0, 0], `epoch ${epoch}`);
      else assert.deepEqual([count('easy'), count('hard'), count('superhard')], [30, 10, 0], `epoch ${epoch}`);
      // Couples: a positive then its negative on the same video window.
      for (let i = 0; i < pairs.length; i += 2) {
        assert.equal(pairs[i].kind, 'positive');
        assert.deepEqual([pairs[i + 1].videoClip, pairs[i + 1].videoStart], [pairs[i].videoClip, pairs[i].videoStart]);
      }
    }
    assert.deepEqual(curriculumMix(noCurriculum(), 1), curriculumMix(cur, 4));
    assert.deepEqual(negativeCounts({ easy: 3, hard: 1, superhard: 0 }, 10), { easy: 8, hard: 2, superhard: 0 });
    assert.deepEqual(negativeCounts({ easy: 3, hard: 0.5, superhard: 0.5 }, 8), { easy: 6, hard: 1, superhard: 1 });
    // The same epoch seed gives the same pairs; fit's batches get the epoch.
    assert.deepEqual(source.pairsOf(new Rng(9), 5), source.pairsOf(new Rng(9), 5));
    assert.throws(() => [...source.batches(new Rng(1), 8)], /epoch/);
    const batches = [...source.batches(new Rng(1), 16, 1)];
    assert.deepEqual(batches.map((b) => b.size), [16, 16, 8]);
    assert.deepEqual(batches[0].data.video.shape, [16, F, 2, 2, 1]);
    assert.deepEqual(batches[0].data.audio.shape, [32, 4 * F, 2, 1]);
    batches.forEach((b) => tf.dispose(b.data));
  });

  it('samples the same pairs from the same seed and different ones from another', () => {
    const c = CONFIG('overlap');
    const clips = fakeClips(5, 60);
    const a = samplePairs(clips, c, { easy: 1, hard: 1, superhard: 1 }, new Rng(4));
    assert.deepEqual(a, samplePairs(clips, c, { easy: 1, hard: 1, superhard: 1 }, new Rng(4)));
    assert.notDeepEqual(a, samplePairs(clips, c, { easy: 1, hard: 1, superhard: 1 }, new Rng(5)));
  });

  it('windows sliced from clip features equal the features of the windows cutWindow cuts', function () {
    this.timeout(60000);
    const clips: CollisionClip[] = [0, 1].map((k) => simulateAvtsClip({ seed: 5, seconds: 5, impacts: 3, size: 16 }, k, 0));
    const feats = clips.map((c) => clipFeatures(fromCollisionClip(c), DEFAULT_AV_FEATURES));
    const c: PairConfig = { ...CONFIG('overlap'), windowFrames: 10, hardShift: [10, 20], superHardShift: [3, 9] };
    const pairs = evaluationPairs(feats, c, new Rng(2));
    const k = DEFAULT_AV_FEATURES.specPerFrame;
    for (const p of pairs.slice(0, 8)) {
      const { video, audio } = cutPair(p, clips, c.windowFrames);
      const fv = clipFeatures(fromCollisionClip(video), DEFAULT_AV_FEATURES);
      assert.deepEqual(Array.from(fv.video), Array.from(videoWindow(feats[p.videoClip], p.videoStart, c.windowFrames)));
      // Audio: spectrogram frames whose support lies inside the window agree (the edges are padded differently).
      const fa = clipFeatures(fromCollisionClip(audio), DEFAULT_AV_FEATURES);
      const slice = audioWindow(feats[p.audioClip], p.audioStart, c.windowFrames);
      const row = fa.audioShape[0] * fa.audioShape[1];
      const inner = (DEFAULT_AV_FEATURES.nFft / 2 / (640 / k)) | 0;
      for (let t = inner + 1; t < c.windowFrames * k - inner - 1; t++) {
        for (let j = 0; j < row; j++) assert.ok(Math.abs(fa.audio[t * row + j] - slice[t * row + j]) < 1e-4, `pair ${p.kind} frame ${t}`);
      }
      if (p.kind === 'hard') assert.ok(Math.abs((audio.truth.audioShift ?? 0) - p.shift / 25) < 1e-9);
    }
  });
});
