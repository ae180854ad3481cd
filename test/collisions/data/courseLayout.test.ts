import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  readCollisionAudio,
  readCourseLayout,
  readTaskFolder,
  writeCollisionAudio,
  writeCourseLayout,
  writeTaskFolder,
} from '../../../lib/collisions/data/courseLayout';
import { simulateCollisions } from '../../../lib/worlds/collision/simulator';
import { makeCollisionTask } from '../../../lib/collisions/data/tasks';
import type { CollisionSample } from '../../../lib/worlds/collision/types';
import { writePngGray, writePngRgb } from '../../../lib/io/images';
import { writePickle } from '../../../lib/io/pickle';
import { InputError } from '../../../lib/util/errors';
import { listFiles, makeTempDir, removeTempDir } from '../../helpers/fixtures';

const PICKLES = path.join(__dirname, '..', '..', 'fixtures', 'pickle');

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

/** Small samples (1 s, 10 fps, 32 × 32) so the layout has few files. */
function small(objects: number[], perObject = 1, seed = 3): CollisionSample[] {
  return simulateCollisions({ seed, perObject, objects, seconds: 1, impactAt: [0.3, 0.6], fps: 10, width: 32, height: 32 });
}

/** What survives a trip through files: everything but the simulator's truth. */
function withoutTruth(s: CollisionSample): CollisionSample {
  const { truth: _truth, ...rest } = s;
  return rest;
}

describe('data/collisions course layout', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('writes and reads back the training layout exactly', () => {
    const samples = small([0, 3, 9], 2);
    writeCourseLayout(dir, samples);
    const files = listFiles(dir);
    assert.ok(files.includes(path.join('061_foam_brick', '0', 'audio_data.pkl')));
    assert.ok(files.includes(path.join('yellow_block', '1', 'rgb', '0009.png')));
    assert.ok(files.includes(path.join('shiny_toy_gun', '1', 'mask', '0000.png')));
    assert.equal(files.length, 6 * (1 + 10 + 10));
    const back = readCourseLayout(dir, { fps: 10 });
    assert.deepEqual(back, samples.map(withoutTruth));
    // A kit root holding train/ is accepted too.
    const kit = path.join(dir, 'kit');
    writeCourseLayout(path.join(kit, 'train'), samples.slice(0, 2));
    assert.deepEqual(readCourseLayout(kit, { fps: 10 }).map((s) => s.id), ['061_foam_brick/0', '061_foam_brick/1']);
  });

  it('orders samples and frames numerically, and accepts other frame names', () => {
    const [s] = small([1]);
    writeCourseLayout(dir, [s, s, s, s, s, s, s, s, s, s, s]);
    // Rename frames to unpadded names (0.png … 9.png) as other tools write them.
    for (const kind of ['rgb', 'mask']) {
      const folder = path.join(dir, 'green_basketball', '10', kind);
      for (const f of fs.readdirSync(folder)) fs.renameSync(path.join(folder, f), path.join(folder, `frame_${Number(f.slice(0, 4))}.png`));
    }
    const back = readCourseLayout(dir, { fps: 10 });
    assert.deepEqual(back.map((x) => x.id), Array.from({ length: 11 }, (_, k) => `green_basketball/${k}`));
    assert.deepEqual(back[10].rgb, s.rgb);
    assert.deepEqual(back[10].mask, s.mask);
  });

  it('reads float64 and int16 audio and a NumPy-scalar sample rate', () => {
    const file = path.join(dir, 'a.pkl');
    writePickle(file, {
      audio: { dtype: '<i2', shape: [2, 4], data: Int16Array.from([0, 16384, -32768, 32767, 1, 2, 3, 4]) },
      audio_samplerate: { dtype: '<i8', shape: [], data: BigInt64Array.from([44100n]) },
      extra: 'ignored',
    });
    const a = readCollisionAudio(file);
    assert.equal(a.sampleRate, 44100);
    assert.deepEqual(a.audio.map((c) => Array.from(c)), [
      [0, 1 / 32768],
      [0.5, 2 / 32768],
      [-1, 3 / 32768],
      [32767 / 32768, 4 / 32768],
    ]);
    writePickle(file, { audio: { dtype: '<f8', shape: [1, 4], data: Float64Array.from([0.1, 0.2, 0.3, 0.4]) }, audio_samplerate: 16000 });
    assert.deepEqual(readCollisionAudio(file).audio.map((c) => c[0]), [0.1, 0.2, 0.3, 0.4].map(Math.fround));
    // The course fixture made by Python.
    const fixture = readCollisionAudio(path.join(PICKLES, 'audio_data_p2.pkl'));
    assert.equal(fixture.sampleRate, 44100);
    assert.equal(fixture.audio.length, 4);
    assert.equal(fixture.audio[3].length, 400);
  });

  it('names the file and the problem for every broken input', () => {
    const [s] = small([5]);
    const sampleDir = path.join(dir, 'strawberry', '0');
    const audioFile = path.join(sampleDir, 'audio_data.pkl');
    const reset = (): void => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir);
      writeCourseLayout(dir, [s]);
    };
    const f32 = (shape: number[]): Record<string, unknown> => ({ dtype: '<f4', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

    reset();
    fs.rmSync(audioFile);
    assertInputError(() => readCourseLayout(dir), audioFile, 'missing audio_data.pkl');

    reset();
    writePickle(audioFile, { audio: f32([10, 4]) as never, rate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, "missing key 'audio_samplerate'", 'audio, rate');
    writePickle(audioFile, [1, 2]);
    assertInputError(() => readCourseLayout(dir), audioFile, 'does not hold a dict');
    writePickle(audioFile, { audio: f32([4, 100]) as never, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'shape (4, 100)', 'channels-first');
    writePickle(audioFile, { audio: f32([100, 3]) as never, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'must have 4 channels');
    writePickle(audioFile, { audio: f32([100]) as never, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'must be 2-D');
    writePickle(audioFile, { audio: f32([0, 4]) as never, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'no samples');
    writePickle(audioFile, { audio: f32([10, 4]) as never, audio_samplerate: 0.5 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'audio_samplerate must be a positive integer');
    writePickle(audioFile, { audio: [1, 2, 3], audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'must be a NumPy array');
    writePickle(audioFile, { audio: { dtype: '|u1', shape: [2, 4], data: new Uint8Array(8) }, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'unsupported audio dtype |u1');
    writePickle(audioFile, { audio: { dtype: '<f4', shape: [1, 4], data: Float32Array.from([0, NaN, 0, 0]) }, audio_samplerate: 16000 });
    assertInputError(() => readCourseLayout(dir), audioFile, 'NaN');
    fs.copyFileSync(path.join(PICKLES, 'evil_in_audio_p4.pkl'), audioFile);
    assertInputError(() => readCourseLayout(dir), audioFile, "refusing to load the global 'posix.system'");

    reset();
    fs.rmSync(path.join(sampleDir, 'mask', '0009.png'));
    assertInputError(() => readCourseLayout(dir), sampleDir, 'rgb/ has 10 frames but mask/ has 9');

    reset();
    for (const f of fs.readdirSync(path.join(sampleDir, 'rgb'))) fs.rmSync(path.join(sampleDir, 'rgb', f));
    assertInputError(() => readCourseLayout(dir), path.join(sampleDir, 'rgb'), 'no frames');

    reset();
    fs.rmSync(path.join(sampleDir, 'mask'), { recursive: true });
    assertInputError(() => readCourseLayout(dir), path.join(sampleDir, 'mask'), 'missing frame folder');

    reset();
    fs.renameSync(path.join(sampleDir, 'rgb', '0003.png'), path.join(sampleDir, 'rgb', '0003.jpg'));
    assertInputError(() => readCourseLayout(dir), '0003.jpg', 'JPEG images are not supported');

    reset();
    fs.copyFileSync(path.join(sampleDir, 'rgb', '0003.png'), path.join(sampleDir, 'rgb', 'frame_3.png'));
    assertInputError(() => readCourseLayout(dir), 'the same number');

    reset();
    writePngRgb(path.join(sampleDir, 'rgb', '0004.png'), { width: 16, height: 32, data: new Uint8Array(16 * 32 * 3) });
    assertInputError(() => readCourseLayout(dir), '0004.png', 'frame size 16 × 32 differs');
    reset();
    writePngGray(path.join(sampleDir, 'mask', '0000.png'), { width: 8, height: 8, data: new Uint8Array(64) });
    assertInputError(() => readCourseLayout(dir), path.join('mask', '0000.png'), 'differs');

    reset();
    fs.mkdirSync(path.join(dir, 'blue_whale'));
    assertInputError(() => readCourseLayout(dir), "unknown object folder 'blue_whale'", 'green_basketball');

    reset();
    fs.mkdirSync(path.join(dir, 'yellow_block'));
    assertInputError(() => readCourseLayout(dir), 'yellow_block', 'no sample folders');

    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    assertInputError(() => readCourseLayout(empty), empty, 'no object folders');
    assertInputError(() => readCourseLayout(path.join(dir, 'nowhere')), 'missing data folder');
  });

  it('refuses to write over an earlier export unless asked, and checks what it writes', () => {
    const samples = small([2]);
    writeCourseLayout(dir, samples);
    assertInputError(() => writeCourseLayout(dir, samples), 'salt_cylinder', 'already exists');
    // A longer earlier export must not leave stale frames behind.
    const shorter = simulateCollisions({ seed: 3, perObject: 1, objects: [2], seconds: 0.5, impactAt: [0.2, 0.3], fps: 10, width: 32, height: 32 });
    writeCourseLayout(dir, shorter, { overwrite: true });
    assert.equal(readCourseLayout(dir, { fps: 10 })[0].rgb.length, 5);
    assertInputError(() => writeCourseLayout(path.join(dir, 'x'), [{ ...samples[0], object: -1 }]), 'has no known object');
    assertInputError(() => writeCollisionAudio(path.join(dir, 'a.pkl'), samples[0].audio.slice(0, 3), 16000), 'must have 4 channels');
    writeCollisionAudio(path.join(dir, 'a.pkl'), samples[0].audio, 16000, { protocol: 2 });
    assert.deepEqual(readCollisionAudio(path.join(dir, 'a.pkl')).audio, samples[0].audio);
  });
});

describe('data/collisions task folders', function () {
  this.timeout(60000);
  let dir: string;
  let samples: CollisionSample[];
  before(() => {
    samples = small([0, 1, 4, 7], 2, 8);
  });
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('builds the three tasks with hidden labels and consistent answers', () => {
    const t1 = makeCollisionTask(samples, 1, { seed: 1 });
    assert.equal(t1.audio.length, 8);
    assert.equal(t1.video.length, 0);
    assert.ok(t1.audio.every((a) => a.object === -1 && a.rgb.length === 0 && a.truth === undefined));
    assert.deepEqual(t1.answers!.audioToVideo, Array(8).fill(-1));
    t1.audio.forEach((a, i) => assert.equal(t1.answers!.audioObjects[i], samples.find((s) => s.audio === a.audio)!.object));
    assert.deepEqual(t1.audio.map((a) => a.id), ['audio_0000', 'audio_0001', 'audio_0002', 'audio_0003', 'audio_0004', 'audio_0005', 'audio_0006', 'audio_0007']);
    assert.notDeepEqual(t1.audio.map((a) => a.audio), samples.map((s) => s.audio), 'shuffled');

    const t2 = makeCollisionTask(samples, 2, { seed: 1 });
    assert.deepEqual([...t2.answers!.audioToVideo].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    t2.audio.forEach((a, i) => {
      const v = t2.video[t2.answers!.audioToVideo[i]];
      const source = samples.find((s) => s.audio === a.audio)!;
      assert.equal(v.rgb, source.rgb, 'a matched pair comes from one episode');
      assert.ok(v.audio.length === 0 && v.object === -1);
      assert.equal(t2.answers!.videoObjects[t2.answers!.audioToVideo[i]], source.object);
    });
    assert.deepEqual(makeCollisionTask(samples, 2, { seed: 1 }), t2);

    const t3 = makeCollisionTask(samples, 3, { seed: 1, unmatchedAudio: 0.25, unmatchedVideo: 0.125 });
    assert.equal(t3.audio.length, 7);
    assert.equal(t3.video.length, 6);
    assert.equal(t3.answers!.audioToVideo.filter((v) => v === -1).length, 2);
    const matched = t3.answers!.audioToVideo.filter((v) => v >= 0);
    assert.equal(new Set(matched).size, matched.length);
    assert.throws(() => makeCollisionTask(samples, 3, { seed: 1, unmatchedAudio: 0.6, unmatchedVideo: 0.5 }), RangeError);
  });

  for (const task of [1, 2, 3] as const) {
    it(`writes and reads back a task ${task} folder with its answers`, () => {
      const folder = makeCollisionTask(samples, task, { seed: 4 });
      writeTaskFolder(dir, folder);
      const files = listFiles(dir);
      assert.ok(files.includes('audio_0000.pkl'));
      assert.ok(files.includes('answers.csv'));
      assert.equal(files.some((f) => f.startsWith('video_')), task !== 1);
      const back = readTaskFolder(dir, task, { fps: 10 });
      assert.equal(back.task, task);
      assert.deepEqual(back.answers, folder.answers);
      assert.deepEqual(back.audio.map((a) => a.audio), folder.audio.map((a) => a.audio));
      assert.deepEqual(back.audio.map((a) => a.id), folder.audio.map((a) => a.id));
      assert.deepEqual(back.video.map((v) => v.id), folder.video.map((v) => v.id));
      assert.deepEqual(back.video.map((v) => [v.rgb, v.mask, v.width]), folder.video.map((v) => [v.rgb, v.mask, v.width]));
      assert.ok([...back.audio, ...back.video].every((x) => x.object === -1));
    });
  }

  it('reads folders without answers, and checks answers.csv', () => {
    const folder = makeCollisionTask(samples, 3, { seed: 2 });
    writeTaskFolder(dir, { ...folder, answers: undefined });
    assert.equal(readTaskFolder(dir, 3).answers, undefined);
    const csv = path.join(dir, 'answers.csv');
    const write = (text: string): void => fs.writeFileSync(csv, text);
    write('audio,label\n');
    assertInputError(() => readTaskFolder(dir, 3), csv, "header must be 'item,object,match'");
    write('item,object,match\naudio_0000,blue_whale,-1\n');
    assertInputError(() => readTaskFolder(dir, 3), csv, "unknown object 'blue_whale'");
    write('item,object,match\naudio_0099,yellow_block,-1\n');
    assertInputError(() => readTaskFolder(dir, 3), csv, "unknown item 'audio_0099'");
    write('item,object,match\naudio_0000,yellow_block,-1\n');
    assertInputError(() => readTaskFolder(dir, 3), csv, 'no answer for audio_0001');
    // A complete file in which one audio item points at a video that points elsewhere.
    writeTaskFolder(dir, folder, { overwrite: true });
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    const i = lines.findIndex((l) => l.startsWith('audio_') && !l.endsWith(',-1'));
    const j = lines.findIndex((l, k) => k !== i && l.startsWith('audio_') && !l.endsWith(',-1'));
    lines[i] = lines[i].replace(/video_\d+$/, lines[j].split(',')[2]);
    write(lines.join('\n'));
    assertInputError(() => readTaskFolder(dir, 3), csv, 'is not matched back');
    lines[0] = 'item,object,match';
    write(lines.join('\n').replace(/,video_\d+\n/, ',video_9999\n'));
    assertInputError(() => readTaskFolder(dir, 3), csv, "'video_9999' is not a video item", 'line ');
  });

  it('refuses folders that do not fit the task', () => {
    writeTaskFolder(dir, makeCollisionTask(samples, 2, { seed: 2 }));
    assertInputError(() => readTaskFolder(dir, 1), 'video_0000', 'task 1 folders hold audio only');
    fs.rmSync(path.join(dir, 'video_0007'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'answers.csv'), 'item,object,match\n');
    assertInputError(() => readTaskFolder(dir, 2), 'task 2 matches audio and video one-to-one', '8 audio and 7 video');
    assertInputError(() => readTaskFolder(dir, 3), 'answers.csv', 'no answer for');
    const t1 = path.join(dir, 't1');
    writeTaskFolder(t1, makeCollisionTask(samples, 1, { seed: 2 }));
    assertInputError(() => readTaskFolder(t1, 2), 'no video items');
    assertInputError(() => writeTaskFolder(t1, makeCollisionTask(samples, 1, { seed: 2 })), t1, 'already exists');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    assertInputError(() => readTaskFolder(empty, 1), empty, 'no audio items');
    const t2 = makeCollisionTask(samples, 2, { seed: 2 });
    assertInputError(() => writeTaskFolder(path.join(dir, 'bad'), { ...t2, answers: { ...t2.answers!, audioToVideo: t2.answers!.audioToVideo.map(() => 0) } }), 'matched to two audio items');
    assert.ok(!fs.existsSync(path.join(dir, 'bad', 'audio_0000.pkl')), 'nothing is written when the answers are inconsistent');
  });
});
