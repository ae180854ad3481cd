import assert from 'node:assert/strict';
import { simulateScenes } from '../../../lib/scenes/data/simulator';
import { clipLevel, fitStandardiser, SCENE_CLASSES, standardise } from '../../../lib/scenes/data/types';
import { standardiseDataset } from '../../../lib/scenes/data/load';
import { parseClipId } from '../../../lib/scenes/data/courseKit';

const small = { clipsPerClass: { train: 6, val: 2, test: 3 }, frames: 3, dim: 16, locationsPerClass: { train: 3, val: 1, test: 2 } };

describe('scene simulator', () => {
  it('is deterministic: the same seed gives identical data, another seed different data', () => {
    const a = simulateScenes({ ...small, seed: 3 });
    const b = simulateScenes({ ...small, seed: 3 });
    const c = simulateScenes({ ...small, seed: 4 });
    assert.deepEqual(a.train.audio, b.train.audio);
    assert.deepEqual(a.test.video, b.test.video);
    assert.deepEqual(a.train.ids, b.train.ids);
    assert.notDeepEqual(a.train.audio, c.train.audio);
  });

  it('has the requested sizes, balanced labels and finite values', () => {
    const ds = simulateScenes({ ...small, seed: 1 });
    assert.equal(ds.classes.length, 10);
    assert.deepEqual(ds.classes, [...SCENE_CLASSES]);
    for (const [name, per] of [['train', 6], ['val', 2], ['test', 3]] as const) {
      const s = ds[name];
      assert.equal(s.ids.length, per * 10);
      assert.equal(s.audio.length, per * 10 * 3 * 16);
      assert.equal(s.video.length, s.audio.length);
      for (let c = 0; c < 10; c++) assert.equal(s.labels.filter((l) => l === c).length, per);
      assert.ok(s.audio.every(Number.isFinite) && s.video.every(Number.isFinite));
    }
  });

  it('splits by recording location: no location appears in two splits', () => {
    const ds = simulateScenes({ ...small, seed: 2 });
    const locs = (s: 'train' | 'val' | 'test') => new Set(ds[s].locations);
    for (const l of locs('test')) assert.ok(!locs('train').has(l) && !locs('val').has(l), `location ${l} leaks into test`);
    for (const l of locs('val')) assert.ok(!locs('train').has(l));
  });

  it('names clips DCASE-style, <scene>-<city>-<location>-<segment>, so ids carry scene and location', () => {
    const ds = simulateScenes({ ...small, seed: 2 });
    const all = new Set<string>();
    for (const split of ['train', 'val', 'test'] as const) {
      const s = ds[split];
      s.ids.forEach((id, i) => {
        const parsed = parseClipId(id);
        assert.ok(parsed, `${id} does not follow the DCASE pattern`);
        assert.equal(parsed.scene, SCENE_CLASSES[s.labels[i]]);
        assert.equal(parsed.location, s.locations![i]);
        assert.ok(!all.has(id), `${id} repeats`);
        all.add(id);
      });
    }
    assert.equal(ds.train.ids[0], 'airport-amsterdam-1000-0');
    assert.equal(ds.val.ids[0], 'airport-barcelona-1001-0');
  });

  it('degrades a modality when its noise is raised (class means separate less)', () => {
    const spread = (noise: number) => {
      const ds = simulateScenes({ ...small, clipsPerClass: { train: 40, val: 1, test: 1 }, seed: 5, noise: { audio: 1, video: noise } });
      const s = clipLevel(ds.train);
      // Ratio of between-class to total variance of the video features (a Fisher criterion).
      const d = s.dim, n = s.ids.length;
      const mean = new Float64Array(d), cm = Array.from({ length: 10 }, () => new Float64Array(d));
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) { mean[k] += s.video[i * d + k] / n; cm[s.labels[i]][k] += s.video[i * d + k] / (n / 10); }
      let between = 0, total = 0;
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) { total += (s.video[i * d + k] - mean[k]) ** 2; between += (cm[s.labels[i]][k] - mean[k]) ** 2; }
      return between / total;
    };
    assert.ok(spread(3) < 0.6 * spread(1), `noisy video should separate classes less: ${spread(3)} vs ${spread(1)}`);
  });

  it('clipLevel averages the frames of each clip', () => {
    const ds = simulateScenes({ ...small, seed: 1 });
    const c = clipLevel(ds.train);
    assert.equal(c.frames, 1);
    const i = 7, k = 5, T = 3, D = 16;
    const expected = (ds.train.audio[(i * T) * D + k] + ds.train.audio[(i * T + 1) * D + k] + ds.train.audio[(i * T + 2) * D + k]) / 3;
    assert.ok(Math.abs(c.audio[i * D + k] - expected) < 1e-6);
  });

  it('standardises with training statistics only', () => {
    const ds = standardiseDataset(simulateScenes({ ...small, seed: 1 }));
    const st = fitStandardiser(ds.train.audio, 16);
    for (let k = 0; k < 16; k++) {
      assert.ok(Math.abs(st.mean[k]) < 1e-4, `train mean ${st.mean[k]}`);
      assert.ok(Math.abs(st.std[k] - 1) < 1e-3, `train std ${st.std[k]}`);
    }
    // The test split is transformed with the train statistics, so its mean is not forced to 0.
    const testSt = fitStandardiser(ds.test.audio, 16);
    assert.ok(Array.from(testSt.mean).some((m) => Math.abs(m) > 1e-3));
    assert.deepEqual(Array.from(standardise(Float32Array.from([3, 5]), { mean: Float32Array.from([1]), std: Float32Array.from([2]) })), [1, 2]);
  });
});
