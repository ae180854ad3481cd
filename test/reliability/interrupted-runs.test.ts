/**
 * Issue #12, class 3: a run killed at any point and resumed ends with the same course files as an
 * uninterrupted run. The child process (fitChild.ts) is SIGKILLed by test/helpers/faults.ts at ten
 * points inside the atomic writer and the checkpoint save; the run is then resumed here and its
 * train.log, history.json, last.ckpt and best.ckpt are compared byte for byte with an uninterrupted
 * run's. The train.log lines' timestamps and epoch times are made deterministic by injection
 * (courseTrainLogLine's `now`, fit's `clock`), not masked.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Fault, injectFault, runWithFault } from '../helpers/faults';
import { listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';
import { TINY_CONFIG, tinyFit } from './tinyFit';
import { loadCheckpoint } from '../../lib/training/checkpoint';

const CHILD = path.join(__dirname, 'fitChild.ts');
const FILES = ['train.log', 'history.json', 'last.ckpt', 'best.ckpt'];

/**
 * train.log and history.json byte for byte; the checkpoints by their state and weight values
 * (their tensor names carry tfjs's per-process layer counter, so bytes differ between processes).
 */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    FILES.map((f) => {
      const file = path.join(dir, f);
      if (!fs.existsSync(file)) return [f, '(missing)'];
      if (!f.endsWith('.ckpt')) return [f, fs.readFileSync(file, 'utf8')];
      const ck = loadCheckpoint(file);
      const values = (ts: { values: Float32Array }[]) => createHash('sha256').update(Buffer.concat(ts.map((t) => Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength)))).digest('hex');
      return [f, JSON.stringify({ state: ck.state, weights: values(ck.weights), optimizer: values(ck.optimizer) })];
    }),
  );
}

/** The ten kill points: [label, fault]. Counts include the files written when the run directory is opened. */
const KILL_POINTS: [string, Fault][] = [
  ['before last.ckpt is renamed into place (epoch 1; its temp file stays)', { op: 'renameSync', match: '^last\\.ckpt$', nth: 1, when: 'before', action: 'kill' }],
  ['halfway through writing last.ckpt (epoch 2)', { op: 'writeFileSync', match: '^\\.last\\.ckpt\\.', nth: 2, when: 'partial', action: 'kill' }],
  ['before best.ckpt is renamed (epoch 2)', { op: 'renameSync', match: '^best\\.ckpt$', nth: 2, when: 'before', action: 'kill' }],
  ['after last.ckpt, before history.json and train.log (epoch 2)', { op: 'renameSync', match: '^last\\.ckpt$', nth: 2, when: 'after', action: 'kill' }],
  ['before history.json is renamed (epoch 2)', { op: 'renameSync', match: '^history\\.json$', nth: 3, when: 'before', action: 'kill' }],
  ['before train.log is renamed (epoch 3)', { op: 'renameSync', match: '^train\\.log$', nth: 4, when: 'before', action: 'kill' }],
  ['halfway through writing train.log (epoch 3)', { op: 'writeFileSync', match: '^\\.train\\.log\\.', nth: 4, when: 'partial', action: 'kill' }],
  ['between epochs 3 and 4', { op: 'renameSync', match: '^train\\.log$', nth: 4, when: 'after', action: 'kill' }],
  ['before the last epoch’s last.ckpt is renamed (epoch 5)', { op: 'renameSync', match: '^last\\.ckpt$', nth: 5, when: 'before', action: 'kill' }],
  ['after the finished run’s last.ckpt, before its train.log (epoch 5)', { op: 'renameSync', match: '^last\\.ckpt$', nth: 5, when: 'after', action: 'kill' }],
];

describe('reliability: interrupted runs leave consistent course files (issue #12)', function () {
  this.timeout(600000);
  let reference: Record<string, string>;
  let refDir: string;
  before(async () => {
    refDir = makeTempDir('avlab-kill-ref-');
    await tinyFit(refDir);
    reference = snapshot(refDir);
  });
  after(() => removeTempDir(refDir));

  it('ends byte-identical to an uninterrupted run after a SIGKILL at each of 10 points in the atomic writer and the checkpoint save', async () => {
    assert.equal(fs.readFileSync(path.join(refDir, 'train.log'), 'utf8').split('\n').filter((l) => l.includes('| epoch')).length, 2 * TINY_CONFIG.maxEpochs);
    for (const [label, fault] of KILL_POINTS) {
      const dir = makeTempDir('avlab-kill-');
      try {
        const child = runWithFault(CHILD, [dir], fault);
        assert.equal(child.signal, 'SIGKILL', `${label}: the child was not killed (status ${child.status}): ${child.stderr.slice(-500)}`);
        await tinyFit(dir);
        assert.deepEqual(snapshot(dir), reference, `${label}: files differ from the uninterrupted run's`);
        assert.deepEqual(listFiles(dir).filter((f) => f.endsWith('.tmp')), [], `${label}: a temporary file survived`);
      } finally {
        removeTempDir(dir);
      }
    }
  });

  it('an exception in the checkpoint save (in process) is resumed to the same files', async () => {
    const dir = makeTempDir('avlab-throw-');
    try {
      const restore = injectFault({ op: 'renameSync', match: '^last\\.ckpt$', nth: 3, when: 'before', action: 'throw' });
      try {
        await assert.rejects(tinyFit(dir), /injected fault/);
      } finally {
        restore();
      }
      await tinyFit(dir);
      assert.deepEqual(snapshot(dir), reference);
    } finally {
      removeTempDir(dir);
    }
  });

  it('a restart under a new configuration never appends to the old log', async () => {
    const dir = makeTempDir('avlab-newcfg-');
    const fresh = makeTempDir('avlab-newcfg-fresh-');
    try {
      await tinyFit(dir, { ...TINY_CONFIG, maxEpochs: 4 }, 'config-a');
      await tinyFit(dir, { ...TINY_CONFIG, maxEpochs: 2, lr: 3e-2 }, 'config-b');
      await tinyFit(fresh, { ...TINY_CONFIG, maxEpochs: 2, lr: 3e-2 }, 'config-b');
      assert.deepEqual(snapshot(dir), snapshot(fresh));
      assert.equal(fs.readFileSync(path.join(dir, 'train.log'), 'utf8').split('\n').filter((l) => l.includes('cv loss')).length, 2);
    } finally {
      removeTempDir(dir);
      removeTempDir(fresh);
    }
  });

  it('removes stray .tmp files of an interrupted atomic write when the run directory is opened', async () => {
    const dir = makeTempDir('avlab-stray-');
    try {
      fs.writeFileSync(path.join(dir, '.train.log.12345.abcd1234.tmp'), 'half a line');
      fs.writeFileSync(path.join(dir, '.last.ckpt.999.zz9.tmp'), 'AVLABCK1');
      fs.writeFileSync(path.join(dir, 'notes.tmp'), 'not ours: kept');
      await tinyFit(dir);
      assert.deepEqual(listFiles(dir), ['best.ckpt', 'history.json', 'last.ckpt', 'notes.tmp', 'train.log']);
      assert.deepEqual(snapshot(dir), reference);
    } finally {
      removeTempDir(dir);
    }
  });
});
