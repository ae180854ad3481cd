import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COURSE_LABEL_FILES, loadCourseKit, parseClipId, writeCourseKit } from '../../../lib/scenes/data/courseKit';
import { type SceneDataset, type SplitName, clipLevel, fitStandardiser } from '../../../lib/scenes/data/types';
import { type Hdf5DatasetSpec, listHdf5, withHdf5 } from '../../../lib/io/hdf5';
import { readNpz, writeNpz } from '../../../lib/io/npz';
import { InputError } from '../../../lib/util/errors';
import { COURSE_KIT_FILES, listFiles, makeTempDir, removeTempDir, rewriteHdf5, tinyScenes } from '../../helpers/fixtures';

const SPLITS: SplitName[] = ['train', 'val', 'test'];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

async function assertRejectsInput(p: Promise<unknown>, ...parts: string[]): Promise<InputError> {
  let caught: InputError | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const s of parts) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
    caught = e;
    return true;
  });
  return caught!;
}

describe('data/courseKit', () => {
  let ds: SceneDataset;
  let dir: string;
  let kit: string;
  const h5 = (m: 'audio' | 'video', split: string): string => path.join(kit, 'feature', `${m}_features_data`, `${split}.hdf5`);

  before(() => {
    ds = tinyScenes({ clipsPerClass: 3, frames: 4, dim: 8 });
  });
  beforeEach(async () => {
    dir = makeTempDir();
    kit = path.join(dir, 'kit');
    await writeCourseKit(kit, ds);
  });
  afterEach(() => removeTempDir(dir));

  it('parses DCASE clip ids into scene and location', () => {
    assert.deepEqual(parseClipId('airport-lisbon-1000-40000'), { scene: 'airport', city: 'lisbon', location: 'lisbon-1000', segment: '40000' });
    assert.equal(parseClipId('street_pedestrian-london-157-4712')?.location, 'london-157');
    assert.equal(parseClipId('clip-0007'), undefined);
  });

  it('writes the course layout: index label groups, one dataset per clip, per-modality statistics', async () => {
    assert.deepEqual(listFiles(kit), COURSE_KIT_FILES);
    const listing = await withHdf5(h5('video', 'val'), (r) => r.list());
    assert.equal(listing.datasets.length, 30);
    assert.deepEqual(listing.datasets[0], { path: '0/video/airport-lyon-100-1000', shape: [4, 8], dtype: '<f' });
    assert.ok(listing.datasets.some((d) => d.path === '3/video/metro_station-lyon-402-1002'));
    const npz = readNpz(path.join(kit, 'feature', 'audio_features_data', 'global_mean_std.npz'));
    const st = fitStandardiser(ds.train.audio, 8);
    assert.equal(npz.global_mean.dtype, '<f8');
    assert.deepEqual(npz.global_mean.shape, [8]);
    assertClose(npz.global_mean.data as Float64Array, st.mean, 0);
    assertClose(npz.global_std.data as Float64Array, st.std, 0);
  });

  it('loads the clip view back as the mean over frames, unstandardised on request', async () => {
    const got = await loadCourseKit(kit, { standardise: false });
    assert.equal(got.source, 'course-kit');
    assert.deepEqual(got.classes, ds.classes);
    assert.match(got.description, /30\/30\/30 clips, clip view.*not standardised/);
    for (const split of SPLITS) {
      const want = clipLevel(ds[split]);
      const s = got[split];
      assert.deepEqual(s.ids, want.ids);
      assert.deepEqual(s.labels, want.labels);
      assert.deepEqual(s.locations, want.locations);
      assert.equal(s.frames, 1);
      assert.equal(s.dim, 8);
      assertClose(s.audio, want.audio, 1e-6, `${split}.audio`);
      assertClose(s.video, want.video, 1e-6, `${split}.video`);
    }
  });

  it('loads the sequence view exactly, and keeps only the first maxFrames frames', async () => {
    const full = await loadCourseKit(kit, { view: 'sequence', maxFrames: 4, standardise: false });
    for (const split of SPLITS) {
      assert.equal(full[split].frames, 4);
      assert.deepEqual(full[split].audio, ds[split].audio);
      assert.deepEqual(full[split].video, ds[split].video);
    }
    const first3 = await loadCourseKit(kit, { view: 'sequence', maxFrames: 3, standardise: false });
    assert.equal(first3.test.frames, 3);
    // clip 5, frame 2, feature 6
    assert.equal(first3.test.video[(5 * 3 + 2) * 8 + 6], ds.test.video[(5 * 4 + 2) * 8 + 6]);
    const clip2 = await loadCourseKit(kit, { maxFrames: 2, standardise: false });
    const a = ds.val.audio;
    assert.ok(Math.abs(clip2.val.audio[7 * 8 + 1] - (a[(7 * 4 + 0) * 8 + 1] + a[(7 * 4 + 1) * 8 + 1]) / 2) < 1e-6);
  });

  it('standardises every split with train-only statistics from global_mean_std.npz', async () => {
    const got = await loadCourseKit(kit);
    assert.match(got.description, /standardised with .*audio_features_data.global_mean_std\.npz and .*video_features_data.global_mean_std\.npz/);
    // Feature 3 of the video modality, by hand: mean and population std over every train frame.
    const v = ds.train.video;
    let sum = 0;
    let sq = 0;
    const rows = v.length / 8;
    for (let r = 0; r < rows; r++) {
      sum += v[r * 8 + 3];
      sq += v[r * 8 + 3] ** 2;
    }
    const mu = sum / rows;
    const sd = Math.sqrt(sq / rows - mu * mu);
    // Test clip 4 (the second bus clip): its mean over 4 frames, standardised.
    const t = ds.test.video;
    const clipMean = (t[(4 * 4 + 0) * 8 + 3] + t[(4 * 4 + 1) * 8 + 3] + t[(4 * 4 + 2) * 8 + 3] + t[(4 * 4 + 3) * 8 + 3]) / 4;
    assert.ok(Math.abs(got.test.video[4 * 8 + 3] - (clipMean - mu) / sd) < 1e-4);
    // The val and test splits are shifted, so statistics that included them would differ.
    const all = fitStandardiser(Float32Array.from([...ds.train.video, ...ds.val.video, ...ds.test.video]), 8);
    assert.ok(Math.abs(all.mean[3] - mu) > 0.01);
    // Train features are centred per feature after standardisation (clip means of equal-length clips).
    const trainMean = got.train.video.filter((_, i) => i % 8 === 3).reduce((x, y) => x + y, 0) / 30;
    assert.ok(Math.abs(trainMean) < 1e-5);
  });

  it('fits train-only statistics when no global_mean_std.npz exists, matching the kit file', async () => {
    const withFile = await loadCourseKit(kit, { view: 'sequence', maxFrames: 4 });
    for (const m of ['audio', 'video']) fs.rmSync(path.join(kit, 'feature', `${m}_features_data`, 'global_mean_std.npz'));
    const fitted = await loadCourseKit(kit, { view: 'sequence', maxFrames: 4 });
    assert.match(fitted.description, /statistics fitted on the train split/);
    for (const split of SPLITS) {
      assertClose(fitted[split].audio, withFile[split].audio, 1e-5, `${split}.audio`);
      assertClose(fitted[split].video, withFile[split].video, 1e-5, `${split}.video`);
    }
    // The fit uses every frame even when fewer are kept.
    const clip = await loadCourseKit(kit, { maxFrames: 2 });
    const st = fitStandardiser(ds.train.audio, 8);
    const a = ds.train.audio;
    const raw = (a[(0 * 4 + 0) * 8 + 5] + a[(0 * 4 + 1) * 8 + 5]) / 2;
    assert.ok(Math.abs(clip.train.audio[5] - (raw - st.mean[5]) / st.std[5]) < 1e-4);
  });

  it('uses one combined global_mean_std.npz for both modalities when given or found', async () => {
    for (const m of ['audio', 'video']) fs.rmSync(path.join(kit, 'feature', `${m}_features_data`, 'global_mean_std.npz'));
    const combined = path.join(kit, 'feature', 'global_mean_std.npz');
    writeNpz(combined, {
      global_mean: { dtype: '<f4', shape: [8], data: new Float32Array(8).fill(1) },
      global_std: { dtype: '<f4', shape: [8], data: new Float32Array(8).fill(2) },
    });
    const raw = await loadCourseKit(kit, { standardise: false });
    const found = await loadCourseKit(kit);
    assert.match(found.description, /standardised with .*feature.global_mean_std\.npz\)/);
    const moved = path.join(dir, 'stats.npz');
    fs.renameSync(combined, moved);
    const given = await loadCourseKit(kit, { meanStdPath: moved });
    for (const got of [found, given]) {
      assertClose(got.val.audio, raw.val.audio.map((x) => (x - 1) / 2), 1e-6);
      assertClose(got.test.video, raw.test.video.map((x) => (x - 1) / 2), 1e-6);
    }
  });

  it('accepts class-name label groups and a root that is the feature directory itself', async () => {
    const named = path.join(dir, 'named');
    await writeCourseKit(named, ds, { labelGroups: 'name' });
    assert.ok((await listHdf5(path.join(named, 'feature', 'audio_features_data', 'train.hdf5'))).groups.includes('metro_station/audio'));
    const a = await loadCourseKit(named);
    const b = await loadCourseKit(path.join(kit, 'feature'));
    assert.deepEqual(a.train.ids, b.train.ids);
    assert.deepEqual(a.test.audio, b.test.audio);
  });

  it('errors on clips shorter than maxFrames in the sequence view, or pads on request', async () => {
    const e = await assertRejectsInput(loadCourseKit(kit, { view: 'sequence' }), 'train.hdf5', 'has 4 frames, fewer than maxFrames = 96');
    assert.equal(e.key, '0/audio/airport-lisbon-100-0');
    const padded = await loadCourseKit(kit, { view: 'sequence', maxFrames: 6, shortClips: 'repeat-last', standardise: false });
    assert.equal(padded.val.frames, 6);
    const v = padded.val.video;
    const src = ds.val.video;
    for (let k = 0; k < 8; k++) {
      assert.equal(v[(2 * 6 + 3) * 8 + k], src[(2 * 4 + 3) * 8 + k]);
      assert.equal(v[(2 * 6 + 4) * 8 + k], src[(2 * 4 + 3) * 8 + k]);
      assert.equal(v[(2 * 6 + 5) * 8 + k], src[(2 * 4 + 3) * 8 + k]);
    }
  });

  describe('bad input', () => {
    const spec = (key: string, shape: number[], fill = 0.5): Hdf5DatasetSpec => ({
      key,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
    });

    it('a missing directory or feature file, naming which of the six', async () => {
      await assertRejectsInput(loadCourseKit(path.join(dir, 'absent')), 'absent', 'course-kit directory not found');
      fs.rmSync(h5('video', 'val'));
      const e = await assertRejectsInput(loadCourseKit(kit), 'video_features_data/val.hdf5', 'feature file not found', 'missing 1 of 6');
      assert.equal(e.file, h5('video', 'val'));
      fs.rmSync(h5('audio', 'test'));
      await assertRejectsInput(loadCourseKit(kit), 'missing 2 of 6', 'audio_features_data/test.hdf5', 'video_features_data/val.hdf5');
      await assertRejectsInput(loadCourseKit(dir), 'missing 6 of 6');
    });

    it('a file that is not HDF5', async () => {
      fs.writeFileSync(h5('audio', 'val'), 'not hdf5 '.repeat(100));
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/val.hdf5', 'not an HDF5 file');
    });

    it('a dataset at the top level', async () => {
      await rewriteHdf5(h5('audio', 'train'), (s) => [...s, spec('stray', [4, 8])]);
      const e = await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/train.hdf5 [stray]', 'dataset at the top level');
      assert.equal(e.key, 'stray');
    });

    it('a dataset directly under a label group, or nested too deep', async () => {
      await rewriteHdf5(h5('video', 'test'), (s) => [...s, spec('2/clip', [4, 8])]);
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/test.hdf5 [2/clip]', 'dataset directly under a label group');
      await rewriteHdf5(h5('video', 'test'), (s) => [...s.filter((d) => d.key !== '2/clip'), spec('2/video/x/y', [4, 8])]);
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/test.hdf5 [2/video/x]', 'a group where a clip dataset was expected');
    });

    it('a group other than audio/video, or the other modality', async () => {
      await rewriteHdf5(h5('audio', 'val'), (s) => [...s, spec('1/spectrogram/bus-lyon-999-1', [4, 8])]);
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/val.hdf5 [1/spectrogram]', "unexpected group 'spectrogram'");
      await rewriteHdf5(h5('audio', 'val'), (s) => s.map((d) => ({ ...d, key: d.key.replace('/audio/', '/video/') })), false);
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/val.hdf5 [0/video]', 'a video group in the audio feature file');
    });

    it('a label that is not a scene class', async () => {
      await rewriteHdf5(h5('video', 'train'), (s) => [...s, spec('beach/video/beach-lyon-1-1', [4, 8])]);
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/train.hdf5 [beach]', "label group 'beach' is neither a class index 0-9 nor a scene class");
      await rewriteHdf5(h5('video', 'train'), (s) => s.filter((d) => !d.key.startsWith('beach')), false);
      await rewriteHdf5(h5('video', 'train'), (s) => [...s, spec('10/video/x', [4, 8])]);
      await assertRejectsInput(loadCourseKit(kit), "label group '10'");
    });

    it('a clip id whose scene disagrees with its label group', async () => {
      await rewriteHdf5(h5('audio', 'test'), (s) => s.map((d) => (d.key === '0/audio/airport-prague-100-2000' ? { ...d, key: '4/audio/airport-prague-100-2000' } : d)));
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/test.hdf5 [4/audio/airport-prague-100-2000]', "names scene 'airport' but it is stored under label 4 (park)");
    });

    it('audio and video clip sets that differ, naming a few ids and the count', async () => {
      await rewriteHdf5(h5('video', 'train'), (s) => s.filter((d) => !/-10[0-3]-[0-9]+$/.test(d.key) || !d.key.startsWith('0/')).slice(0, -1));
      const e = await assertRejectsInput(
        loadCourseKit(kit),
        'video_features_data/train.hdf5',
        'audio and video clip sets differ',
        '4 clip(s) only in',
        "'airport-lisbon-100-0', 'airport-lisbon-101-1', 'airport-lisbon-102-2', …",
      );
      assert.ok(e.message.includes('audio_features_data/train.hdf5'));
    });

    it('the same clip with different labels in audio and video', async () => {
      // Ids without a DCASE scene prefix, so only the pairing check can catch the mismatch.
      const plain = tinyScenes({ clipsPerClass: 1, frames: 2, dim: 3 });
      for (const split of SPLITS) plain[split].ids = plain[split].ids.map((_, i) => `${split}-${i}`);
      kit = path.join(dir, 'plain');
      await writeCourseKit(kit, plain);
      await rewriteHdf5(h5('video', 'val'), (s) => s.map((d) => (d.key === '1/video/val-1' ? { ...d, key: '2/video/val-1' } : d)));
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/val.hdf5 [2/video/val-1]', "clip 'val-1' has label 2 here but 1 in");
    });

    it('a clip id whose scene disagrees with its label, in either modality', async () => {
      await rewriteHdf5(h5('video', 'val'), (s) => s.map((d) => (d.key === '1/video/bus-lyon-200-1000' ? { ...d, key: '2/video/bus-lyon-200-1000' } : d)));
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/val.hdf5', "names scene 'bus' but it is stored under label 2 (metro)");
    });

    it('a clip shared between splits', async () => {
      for (const m of ['audio', 'video'] as const) {
        await rewriteHdf5(h5(m, 'test'), (s) => [...s, spec(`0/${m}/airport-lisbon-100-0`, [4, 8])]);
      }
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/test.hdf5 [0/audio/airport-lisbon-100-0]', 'also in the train split');
    });

    it('datasets that are not 2-D, have another feature size, or no frames', async () => {
      const key = '5/audio/public_square-lisbon-601-1';
      await rewriteHdf5(h5('audio', 'train'), (s) => s.map((d) => (d.key === key ? spec(key, [32]) : d)));
      await assertRejectsInput(loadCourseKit(kit), `audio_features_data/train.hdf5 [${key}]`, 'expected a 2-D (frames × features) array, got shape (32)');
      await rewriteHdf5(h5('audio', 'train'), (s) => s.map((d) => (d.key === key ? spec(key, [2, 2, 8]) : d)));
      await assertRejectsInput(loadCourseKit(kit), 'got shape (2, 2, 8)');
      await rewriteHdf5(h5('audio', 'train'), (s) => s.map((d) => (d.key === key ? spec(key, [4, 7]) : d)));
      await assertRejectsInput(loadCourseKit(kit), `[${key}]`, 'clip has 7 features per frame, but', 'has 8');
      await rewriteHdf5(h5('audio', 'train'), (s) => s.map((d) => (d.key === key ? spec(key, [0, 8]) : d)));
      await assertRejectsInput(loadCourseKit(kit), `[${key}]`, 'clip has 0 frames; at least 1 is needed');
    });

    it('a feature size that differs between the modalities', async () => {
      await rewriteHdf5(h5('video', 'train'), (s) => s.map((d) => spec(d.key, [4, 6])));
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/train.hdf5 [0/video/airport-lisbon-100-0]', 'clip has 6 features per frame');
    });

    it('NaN and Inf values', async () => {
      const key = '9/video/tram-lyon-1001-1001';
      await rewriteHdf5(h5('video', 'val'), (s) => s.map((d) => (d.key === key ? { ...d, data: d.data.map((x, i) => (i === 13 ? NaN : x)) } : d)));
      await assertRejectsInput(loadCourseKit(kit), `video_features_data/val.hdf5 [${key}]`, 'contains NaN at flat index 13');
      await rewriteHdf5(h5('video', 'val'), (s) => s.map((d) => (d.key === key ? { ...d, data: d.data.map((x, i) => (i === 2 ? -Infinity : x)) } : d)));
      await assertRejectsInput(loadCourseKit(kit), `[${key}]`, 'contains Inf at flat index 2');
    });

    it('an empty split', async () => {
      await rewriteHdf5(h5('audio', 'test'), () => [], false);
      await rewriteHdf5(h5('video', 'test'), () => [], false);
      await assertRejectsInput(loadCourseKit(kit), 'audio_features_data/test.hdf5 [/]', 'the split is empty');
    });

    it('statistics files with a missing key, a wrong shape, a zero std, or only one modality', async () => {
      const audioNpz = path.join(kit, 'feature', 'audio_features_data', 'global_mean_std.npz');
      const videoNpz = path.join(kit, 'feature', 'video_features_data', 'global_mean_std.npz');
      const mean = { dtype: '<f8' as const, shape: [8], data: new Float64Array(8) };
      writeNpz(videoNpz, { global_mean: mean });
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/global_mean_std.npz [global_std]', "missing array 'global_std'");
      writeNpz(videoNpz, { global_mean: mean, global_std: { dtype: '<f8', shape: [1, 8], data: new Float64Array(8).fill(1) } });
      await assertRejectsInput(loadCourseKit(kit), '[global_std]', 'expected shape (8,) to match the 8 features per frame, got (1, 8)');
      writeNpz(videoNpz, { global_mean: { dtype: '<f8', shape: [512], data: new Float64Array(512) }, global_std: { dtype: '<f8', shape: [8], data: new Float64Array(8).fill(1) } });
      await assertRejectsInput(loadCourseKit(kit), '[global_mean]', 'got (512)');
      writeNpz(videoNpz, { global_mean: mean, global_std: { dtype: '<f8', shape: [8], data: Float64Array.from([1, 1, 0, 1, 1, 1, 1, 1]) } });
      await assertRejectsInput(loadCourseKit(kit), '[global_std]', 'standard deviation 0 at index 2');
      fs.rmSync(videoNpz);
      await assertRejectsInput(loadCourseKit(kit), 'video_features_data/global_mean_std.npz', `although ${audioNpz} exists`);
      assert.ok((await loadCourseKit(kit, { standardise: false })).train.ids.length === 30);
      await assertRejectsInput(loadCourseKit(kit, { meanStdPath: path.join(dir, 'none.npz') }), 'none.npz', 'standardisation file not found');
    });
  });

  describe('writeCourseKit', () => {
    it('writes nothing for an invalid data set', async () => {
      const out = path.join(dir, 'out');
      const bad = tinyScenes();
      bad.test.video[17] = NaN;
      await assertRejectsInput(writeCourseKit(out, bad), 'out [test.video]', 'contains NaN at flat index 17');
      const dup = tinyScenes();
      dup.val.ids[3] = dup.train.ids[0];
      await assertRejectsInput(writeCourseKit(out, dup), '[val.ids[3]]', 'appears twice (also in train)');
      const empty = tinyScenes();
      empty.val = { ...empty.val, ids: [], labels: new Int32Array(0), audio: new Float32Array(0), video: new Float32Array(0) };
      await assertRejectsInput(writeCourseKit(out, empty), '[val]', 'split is empty');
      const classes = tinyScenes();
      classes.classes = ['a', 'b'];
      await assertRejectsInput(writeCourseKit(out, classes), 'classes must be the ten scene classes');
      assert.equal(fs.existsSync(out), false);
    });

    it('writes the DCASE label files on request: fold1 train (train + val), evaluate and test, and meta.csv', async () => {
      const out = path.join(dir, 'labelled');
      const written = await writeCourseKit(out, ds, { labelFiles: true });
      assert.deepEqual(listFiles(out), [...COURSE_LABEL_FILES, ...COURSE_KIT_FILES].sort());
      assert.equal(written.length, COURSE_KIT_FILES.length + COURSE_LABEL_FILES.length);
      const read = (rel: string): string[] => fs.readFileSync(path.join(out, rel), 'utf8').trimEnd().split('\n');
      const evaluate = read('evaluation_setup/fold1_evaluate.csv');
      assert.equal(evaluate[0], 'filename_audio\tfilename_video\tscene_label');
      assert.equal(evaluate[1], `audio/${ds.test.ids[0]}.wav\tvideo/${ds.test.ids[0]}.mp4\tairport`);
      assert.equal(evaluate.length, 1 + ds.test.ids.length);
      assert.equal(read('evaluation_setup/fold1_train.csv').length, 1 + ds.train.ids.length + ds.val.ids.length);
      assert.equal(read('evaluation_setup/fold1_test.csv')[1], `audio/${ds.test.ids[0]}.wav\tvideo/${ds.test.ids[0]}.mp4`);
      const meta = read('meta.csv');
      assert.equal(meta[0], 'filename_audio\tfilename_video\tscene_label\tidentifier');
      assert.equal(meta[1].split('\t')[3], ds.train.locations![0]);
    });

    it('round-trips ids that do not follow the DCASE pattern, without locations', async () => {
      const plain = tinyScenes({ clipsPerClass: 1, frames: 2, dim: 3 });
      for (const split of SPLITS) plain[split].ids = plain[split].ids.map((_, i) => `${split}-clip-${String(i).padStart(3, '0')}`);
      const out = path.join(dir, 'plain');
      await writeCourseKit(out, plain);
      const got = await loadCourseKit(out, { view: 'sequence', maxFrames: 2, standardise: false });
      assert.deepEqual(got.val.ids, plain.val.ids);
      assert.equal(got.val.locations, undefined);
      assert.deepEqual(got.val.audio, plain.val.audio);
    });
  });
});
