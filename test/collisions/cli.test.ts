import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../lib/backend';
import { runCapture } from '../helpers/cli';
import { readTaskFolder } from '../../lib/collisions/data/courseLayout';
import { COLLISION_OBJECTS } from '../../lib/worlds/collision/types';
import { splitByObject } from '../../lib/collisions/cli';
import { simulateCollisions } from '../../lib/worlds/collision/simulator';

const run = runCapture;

describe('avlab match', function () {
  this.timeout(240000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-cli-match-'));
  const model = path.join(root, 'model');

  before(async () => {
    // Training a ResNet needs the wasm backend (the cpu backend's conv filter gradient is too slow).
    await initBackend('wasm', { quiet: true });
  });
  after(() => initBackend('cpu', { quiet: true }));

  it('simulate writes a course layout and three task folders with answers', async () => {
    const r = await run('match', 'simulate', '--out', root, '--per-object', '3', '--test-per-object', '2', '--seed', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(path.join(root, 'train')).sort(), [...COLLISION_OBJECTS].sort());
    for (const task of [1, 2, 3] as const) {
      const folder = readTaskFolder(path.join(root, `task${task}`), task);
      assert.equal(folder.audio.length, 20);
      assert.ok(folder.answers);
    }
  });

  it('train writes a model directory', async () => {
    const r = await run('match', 'train', '--data', path.join(root, 'train'), '--out', model, '--profile', 'quick', '--epochs', '1', '--seed', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /20 training and 10 validation samples/);
    assert.match(r.stdout, /task-3 threshold τ = /);
    assert.deepEqual(fs.readdirSync(model).sort(), ['model.json', 'runs', 'weights.ckpt']);
  });

  it('answers task 1 with class names, keyed by audio file, and writes -o atomically', async () => {
    const out = path.join(root, 'out', 'answers1.json');
    const r = await run('match', '--task', '1', path.join(root, 'task1'), '--model', model, '-o', out);
    assert.equal(r.code, 0, r.stderr);
    const answers = JSON.parse(r.stdout) as Record<string, string>;
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), answers);
    assert.deepEqual(Object.keys(answers), Array.from({ length: 20 }, (_, i) => `audio_${String(i).padStart(4, '0')}.pkl`));
    assert.ok(Object.values(answers).every((v) => (COLLISION_OBJECTS as readonly string[]).includes(v)));
    assert.match(r.stderr, /accuracy against .*answers\.csv: \d\.\d{4} \(20 audio items\)/);
  });

  it('answers tasks 2 and 3 with video indices (one-to-one) or -1', async () => {
    const r2 = await run('match', '--task', '2', path.join(root, 'task2'), '--model', model);
    assert.equal(r2.code, 0, r2.stderr);
    const a2 = Object.values(JSON.parse(r2.stdout)) as number[];
    assert.deepEqual([...a2].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
    const greedy = await run('match', '--task', '2', path.join(root, 'task2'), '--model', model, '--method', 'greedy');
    assert.equal(greedy.code, 0, greedy.stderr);
    const r3 = await run('match', '--task', '3', path.join(root, 'task3'), '--model', model);
    assert.equal(r3.code, 0, r3.stderr);
    const videos = readTaskFolder(path.join(root, 'task3'), 3).video.length;
    const a3 = Object.values(JSON.parse(r3.stdout)) as number[];
    assert.ok(a3.every((v) => v === -1 || (Number.isInteger(v) && v >= 0 && v < videos)));
    const used = a3.filter((v) => v >= 0);
    assert.equal(new Set(used).size, used.length);
    const none = await run('match', '--task=3', path.join(root, 'task3'), '--model', model, '--threshold', '0');
    assert.ok((Object.values(JSON.parse(none.stdout)) as number[]).every((v) => v === -1));
  });

  it('reports bad usage and bad input in one line with exit status 2', async () => {
    const cases: [string[], RegExp][] = [
      [['match'], /match needs --task/],
      [['match', path.join(root, 'task1'), '--model', model], /needs --task 1\|2\|3/],
      [['match', '--task', '4', path.join(root, 'task1'), '--model', model], /--task must be 1, 2 or 3/],
      [['match', '--task', '1', path.join(root, 'task1')], /needs --model/],
      [['match', '--task', '1', path.join(root, 'task1'), '--model', model, '--method', 'best'], /--method must be hungarian or greedy/],
      [['match', '--task', '1', path.join(root, 'task1'), '--model', path.join(root, 'missing')], /model\.json: missing/],
      [['match', '--task', '2', path.join(root, 'task1'), '--model', model], /no video items/],
      [['match', 'train', '--out', model], /needs --data/],
      [['match', 'train', '--data', root, '--out', model, '--epochs', '0'], /--epochs must be a positive integer/],
      [['match', '--task', '1', '--bogus', 'x'], /unknown option --bogus/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
    const help = await run('match', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /avlab match --task 1\|2\|3 <task-folder> --model <dir>/);
    assert.match((await run('--help')).stdout, /match --task 1\|2\|3/);
  });

  it('splits training data per object, holding out at least one sample of each', () => {
    const samples = simulateCollisions({ seed: 4, perObject: 3, objects: [0, 1] });
    const s = splitByObject(samples, 0.2, 1);
    assert.equal(s.val.length, 2);
    assert.equal(s.train.length, 4);
    assert.deepEqual(s.val.map((x) => x.object).sort(), [0, 1]);
    assert.throws(() => splitByObject(samples.slice(0, 1), 0.2, 1), /at least two per object/);
  });
});
