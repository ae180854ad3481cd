import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadScenes } from '../../../lib/scenes/data/load';
import { COURSE_TRAIN_CONFIG } from '../../../lib/training/config';
import { registerSceneModel, unregisterSceneModel } from '../../../lib/scenes/models/registry';
import { acquireRunLock, readRunSpec, sceneRunKey } from '../../../lib/scenes/experiments/runSpec';
import { restoreSceneModel, runSceneModel, scoreSplit } from '../../../lib/scenes/experiments/sceneRun';
import { trainSceneVariants } from '../../../lib/scenes/experiments/sceneExperiment';
import { testBackend } from '../../helpers/backend';

const config = { ...COURSE_TRAIN_CONFIG, lr: 3e-3, batchSize: 64, maxEpochs: 2 };
const sim = { seed: 4, dim: 12, frames: 2, clipsPerClass: { train: 6, val: 3, test: 3 } };

describe('scene runs keyed by their full specification', function () {
  this.timeout(120000);
  before(testBackend);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-spec-'));

  it('normalises variants: spelled-out defaults, entry defaults and other views of the same data give the same key', async () => {
    const clip = await loadScenes({ profile: 'quick', sim });
    const seq = await loadScenes({ profile: 'quick', view: 'sequence', sim });
    const key = (v: Parameters<typeof sceneRunKey>[0], data = clip, cfg = config, base = {}) => sceneRunKey(v, data, cfg, base);
    const plain = key('weighted-late');
    // Notebook 03 spelled out lateWeighting and merged the config file's model options; notebook 05 did not.
    assert.equal(key({ name: 'weighted-late', options: { lateWeighting: 'scalar' } }, clip, config, { hidden: 512, embed: 128, dropout: 0.2 }), plain);
    assert.equal(key('weighted-late', seq), plain, 'clip models read the clip view of sequence data: same data, same key');
    assert.equal(key('weighted-late-class'), key({ name: 'weighted-late', options: { lateWeighting: 'class' } }));
    assert.equal(key({ name: 'hybrid', options: { hybridWeights: [1, 1, 1] } }), key('hybrid'));
    assert.equal(key({ name: 'attention', options: { attentionUnits: 128 } }, seq), key('attention', seq));
    assert.match(plain, /^weighted-late-[0-9a-f]{12}$/);
    // Anything that changes the run changes the key.
    const others = [
      key('weighted-late-class'),
      key({ name: 'weighted-late', options: { hidden: 256 } }),
      key('weighted-late', clip, { ...config, seed: 1 }),
      key('weighted-late', clip, { ...config, lr: 1e-3 }),
      key('weighted-late', await loadScenes({ profile: 'quick', sim: { ...sim, seed: 5 } })),
      key('late-linear'),
    ];
    assert.equal(new Set([plain, ...others]).size, others.length + 1);
  });

  it('shares one run between two notebooks asking for the same spec, and stores spec.json', async () => {
    const clip = await loadScenes({ profile: 'quick', sim });
    const seq = await loadScenes({ profile: 'quick', view: 'sequence', sim });
    const runDir = (key: string) => path.join(root, 'shared', key);
    const nb03 = await trainSceneVariants({ variants: [{ name: 'weighted-late', options: { lateWeighting: 'scalar' } }], data: clip, config: { train: config, model: { hidden: 8, embed: 4 }, raw: {} }, profile: 'quick', runDir, log: () => {} });
    const nb05 = await trainSceneVariants({ variants: ['weighted-late'], data: seq, config: { train: config, model: { hidden: 8, embed: 4 }, raw: {} }, profile: 'quick', runDir, log: () => {} });
    assert.equal(nb05[0].runDir, nb03[0].runDir);
    assert.equal(nb03[0].train.reused, false);
    assert.equal(nb05[0].train.reused, true);
    assert.deepEqual(fs.readdirSync(path.join(root, 'shared')), [path.basename(nb03[0].runDir!)]);
    const { spec } = readRunSpec(nb03[0].runDir!);
    assert.deepEqual(spec.model.options, { embed: 4, hidden: 8 });
    assert.equal(spec.train.seed, config.seed);
    assert.match(spec.data.hash, /^[0-9a-f]{64}$/);
    // The older call (a name-based directory plus the model's kind, options and seed, as notebook 04
    // makes it) finds the keyed run beside that directory.
    const m = restoreSceneModel(path.join(root, 'shared', 'weighted-late'), 'weighted-late', seq, { hidden: 8, embed: 4 }, config.seed);
    assert.equal((await scoreSplit(m, seq.test)).accuracy, nb03[0].accuracy);
    m.net.dispose();
  });

  it('never puts two specs in one directory', async () => {
    const data = await loadScenes({ profile: 'quick', sim });
    const dir = path.join(root, 'explicit');
    await runSceneModel({ variant: 'audio-only', data, config, model: { hidden: 8, embed: 4 }, runDir: dir, log: () => {} });
    await assert.rejects(runSceneModel({ variant: 'audio-only', data, config: { ...config, seed: 1 }, model: { hidden: 8, embed: 4 }, runDir: dir, log: () => {} }), /holds a run of another specification/);
    assert.ok(!fs.existsSync(path.join(dir, 'train.lock')), 'the refused run released its lock');
  });

  it('restores a variant from its directory alone', async () => {
    const data = await loadScenes({ profile: 'quick', sim });
    const r = await runSceneModel({ variant: 'weighted-late-class', data, config, model: { hidden: 8, embed: 4 }, runsRoot: path.join(root, 'restore'), log: () => {} });
    const m = restoreSceneModel(r.runDir!);
    assert.equal(m.name, 'weighted-late-class');
    assert.equal((await scoreSplit(m, data.test)).accuracy, r.accuracy);
    m.net.dispose();
  });

  it('holds an exclusive lock while training: refuses a live holder, takes over a dead one', async () => {
    const data = await loadScenes({ profile: 'quick', sim });
    const dir = path.join(root, 'locked');
    const release = acquireRunLock(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'train.lock'), 'utf8').trim(), String(process.pid));
    assert.throws(() => acquireRunLock(dir), new RegExp(`being trained by process ${process.pid}`));
    await assert.rejects(runSceneModel({ variant: 'audio-only', data, config, model: { hidden: 8, embed: 4 }, runDir: dir, log: () => {} }), /being trained by process/);
    release();
    assert.ok(!fs.existsSync(path.join(dir, 'train.lock')));

    // A lock left by a process that has exited is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(path.join(dir, 'train.lock'), `${dead}\n`);
    const r = await runSceneModel({ variant: 'audio-only', data, config, model: { hidden: 8, embed: 4 }, runDir: dir, log: () => {} });
    assert.equal(r.train.history.length, 2);
    assert.ok(!fs.existsSync(path.join(dir, 'train.lock')), 'released after the run');
  });

  describe('a diverging run', () => {
    let trainingCalls = 0;
    /** Passes its input through until the 3rd training-mode call, then returns NaN. */
    class Saboteur extends tf.layers.Layer {
      static readonly className = 'Saboteur';
      override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        if (kwargs.training && ++trainingCalls > 2) return tf.mul(x, NaN);
        return tf.clone(x);
      }
    }
    before(() =>
      registerSceneModel({
        name: 'test-diverging',
        about: 'audio MLP whose logits become NaN at the third training batch',
        view: 'clip',
        inputs: ['audio'],
        build: (f, [x], o, kind) => new Saboteur({ name: `${kind}/saboteur` }).apply(f.head(f.embedding(x, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes)) as tf.SymbolicTensor,
      }),
    );
    after(() => unregisterSceneModel('test-diverging'));

    it('fails with "training diverged at epoch N" and never reports an older checkpoint', async () => {
      const data = await loadScenes({ profile: 'quick', sim });
      const dir = path.join(root, 'diverging');
      // One batch per epoch: epochs 1 and 2 are fine, epoch 3 diverges.
      const run = () => runSceneModel({ variant: 'test-diverging', data, config: { ...config, maxEpochs: 5 }, model: { hidden: 8, embed: 4, dropout: 0 }, runDir: dir, log: () => {} });
      await assert.rejects(run(), /training diverged at epoch 3/);
      assert.ok(fs.existsSync(path.join(dir, 'best.ckpt')), 'epochs 1–2 were checkpointed');
      assert.ok(!fs.existsSync(path.join(dir, 'summary.json')), 'no result was stored');
      assert.ok(!fs.existsSync(path.join(dir, 'train.lock')), 'the lock was released');
      // Asked again, it resumes after epoch 2 and diverges again rather than reporting epoch 2.
      await assert.rejects(run(), /training diverged at epoch 3/);
    });
  });
});
