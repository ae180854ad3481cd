import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COURSE_TRAIN_CONFIG, loadExperimentConfig, makeTrainConfig } from '../../lib/training/config';
import { loadCheckpoint, saveCheckpoint } from '../../lib/training/checkpoint';
import '../../lib/scenes/models/registry'; // registers the scene models' `model:` options

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-config-'));

describe('training config', () => {
  it('defaults to the course schedule', () => {
    assert.deepEqual(
      { lr: COURSE_TRAIN_CONFIG.lr, wd: COURSE_TRAIN_CONFIG.weightDecay, batch: COURSE_TRAIN_CONFIG.batchSize, epochs: COURSE_TRAIN_CONFIG.maxEpochs, stop: COURSE_TRAIN_CONFIG.earlyStop, patience: COURSE_TRAIN_CONFIG.plateau.patience, factor: COURSE_TRAIN_CONFIG.plateau.factor },
      { lr: 1e-4, wd: 1e-4, batch: 128, epochs: 100, stop: 7, patience: 3, factor: 0.1 },
    );
  });

  it('reads the repository config and merges nested overrides', () => {
    const c = loadExperimentConfig(path.join(__dirname, '../../notebooks/configs/scene_course.yaml'));
    assert.equal(c.train.lr, 1e-4);
    assert.equal(c.model.dropout, 0.2);
    assert.equal(makeTrainConfig({ plateau: { patience: 5 } }).plateau.factor, 0.1);
  });

  it('names the file and key of a bad value or an unknown key', () => {
    const dir = tmp();
    const f = path.join(dir, 'bad.yaml');
    fs.writeFileSync(f, 'train:\n  lr: -1\n');
    assert.throws(() => loadExperimentConfig(f), (e: Error) => e.message.includes(f) && e.message.includes('[train.lr]') && /> 0/.test(e.message));
    fs.writeFileSync(f, 'train:\n  learning_rate: 0.1\n');
    assert.throws(() => loadExperimentConfig(f), /unknown key "train.learning_rate"/);
    fs.writeFileSync(f, 'train: [1, 2\n');
    assert.throws(() => loadExperimentConfig(f), /not valid YAML/);
    assert.throws(() => loadExperimentConfig(path.join(dir, 'missing.yaml')), /missing\.yaml: config file does not exist/);
  });
});

describe('checkpoints', () => {
  it('round-trip weights, optimiser state and trainer state exactly', () => {
    const f = path.join(tmp(), 'run', 'x.ckpt');
    const w = { name: 'w', shape: [2, 2], values: Float32Array.from([1.5, -2, 3e-8, Math.PI]) };
    const o = { name: 'm', shape: [3], values: Float32Array.from([0, 1, 2]) };
    saveCheckpoint(f, { weights: [w], optimizer: [o], state: { epoch: 4, best: 0.25 } });
    const back = loadCheckpoint<{ epoch: number }>(f);
    assert.deepEqual(back.weights[0], w);
    assert.deepEqual(back.optimizer[0], o);
    assert.equal(back.state.epoch, 4);
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ['x.ckpt'], 'no temporary file is left behind');
  });

  it('rejects a truncated or foreign file with its name', () => {
    const dir = tmp();
    const f = path.join(dir, 'x.ckpt');
    saveCheckpoint(f, { weights: [{ name: 'w', shape: [100], values: new Float32Array(100) }], optimizer: [], state: {} });
    fs.truncateSync(f, fs.statSync(f).size - 40);
    assert.throws(() => loadCheckpoint(f), (e: Error) => e.message.includes(f) && /truncated/.test(e.message));
    fs.writeFileSync(f, 'hello world, not a checkpoint');
    assert.throws(() => loadCheckpoint(f), /bad magic/);
  });
});
