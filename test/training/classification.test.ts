import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { simulateScenes } from '../../lib/scenes/data/simulator';
import { clipLevelDataset, SceneDataset } from '../../lib/scenes/data/types';
import { standardiseDataset } from '../../lib/scenes/data/load';
import { buildSceneModel, SceneModelKind } from '../../lib/scenes/models/registry';
import { COURSE_TRAIN_CONFIG, TrainConfig } from '../../lib/training/config';
import { disposeTensorData, sceneTensors } from '../../lib/scenes/data/tensors';
import { evaluate, trainModel } from '../../lib/training/classification';
import type { EpochRecord } from '../../lib/training/fit';
import { courseTrainLogLine } from '../../lib/scenes/courseFiles';
import { runSceneModel } from '../../lib/scenes/experiments/sceneRun';
import { testBackend } from '../helpers/backend';

const DIM = 64;
let data: SceneDataset;
const config: TrainConfig = { ...COURSE_TRAIN_CONFIG, lr: 1e-3, batchSize: 32, maxEpochs: 6, seed: 3 };

async function train(kind: SceneModelKind, cfg: TrainConfig, runDir?: string, onEpoch?: (r: EpochRecord) => void) {
  const m = buildSceneModel(kind, { dim: DIM, classes: 10, seed: cfg.seed, hidden: 32, embed: 16 });
  const tr = sceneTensors(data.train, m.inputs);
  const va = sceneTensors(data.val, m.inputs);
  try {
    const result = await trainModel(m, tr, va, cfg, { runDir, fingerprint: 'test', log: () => {}, logLine: courseTrainLogLine, onEpoch });
    const weights = m.net.getWeights().map((w) => Array.from(w.dataSync()));
    return { result, weights };
  } finally {
    disposeTensorData(tr);
    disposeTensorData(va);
    m.net.dispose();
  }
}

describe('classification through fit (scene models)', function () {
  this.timeout(120000);
  before(async () => {
    await testBackend();
    data = clipLevelDataset(standardiseDataset(simulateScenes({ seed: 11, dim: DIM, frames: 2, clipsPerClass: { train: 30, val: 10, test: 10 }, locationsPerClass: { train: 3, val: 2, test: 2 } })));
  });

  it('a tiny run beats chance (10%) by a wide margin', async () => {
    const r = await runSceneModel({ kind: 'intermediate', data, config: { ...config, maxEpochs: 8 }, model: { hidden: 32, embed: 16 }, log: () => {} });
    assert.ok(r.accuracy > 0.5, `test accuracy ${r.accuracy}`);
    assert.ok(r.logLoss < Math.log(10), `log loss ${r.logLoss}`);
    assert.equal(r.yPred.length, data.test.ids.length);
  });

  it('leaks no tensors: the count after an epoch equals the count after the previous one', async () => {
    const counts: number[] = [];
    await train('late-linear', { ...config, maxEpochs: 4 }, undefined, () => counts.push(tf.memory().numTensors));
    // Epoch 1 creates Adam's moment variables and the best-weights copy; later epochs must add nothing.
    assert.equal(counts[2], counts[1], `tensors per epoch: ${counts.join(', ')}`);
    assert.equal(counts[3], counts[1], `tensors per epoch: ${counts.join(', ')}`);
  });

  it('is deterministic: the same seed gives the same losses and weights', async () => {
    const a = await train('early', { ...config, maxEpochs: 3 });
    const b = await train('early', { ...config, maxEpochs: 3 });
    assert.deepEqual(a.result.history.map((h) => [h.trainLoss, h.valLoss]), b.result.history.map((h) => [h.trainLoss, h.valLoss]));
    assert.deepEqual(a.weights, b.weights);
    const c = await train('early', { ...config, maxEpochs: 3, seed: 4 });
    assert.notDeepEqual(a.result.history[0].trainLoss, c.result.history[0].trainLoss);
  });

  it('resumes an interrupted run from its last checkpoint and ends where an uninterrupted run ends', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-resume-'));
    const cfg = { ...config, maxEpochs: 5 };
    const whole = await train('audio-only', cfg);
    await assert.rejects(
      train('audio-only', cfg, dir, (r) => {
        if (r.epoch === 3) throw new Error('interrupted');
      }),
      /interrupted/,
    );
    assert.ok(fs.existsSync(path.join(dir, 'last.ckpt')));
    const resumed = await train('audio-only', cfg, dir);
    assert.equal(resumed.result.epochsRun, 3, 'interrupted during epoch 3: epochs 3–5 are trained again');
    assert.deepEqual(resumed.result.history.map((h) => h.valLoss), whole.result.history.map((h) => h.valLoss));
    assert.deepEqual(resumed.weights, whole.weights);
    const log = fs.readFileSync(path.join(dir, 'train.log'), 'utf8');
    assert.match(log, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \| epoch {3}1 \| time: +[\d.]+s \| cv loss +[\d.]+ \| cv accuracy: +[\d.]+ \|$/m);
    // A finished run is reused, not retrained.
    const again = await train('audio-only', cfg, dir);
    assert.equal(again.result.reused, true);
    assert.deepEqual(again.weights, whole.weights);
  });

  it('keeps the best epoch: the returned weights give the lowest val loss seen', async () => {
    const m = buildSceneModel('video-only', { dim: DIM, classes: 10, seed: 1, hidden: 32, embed: 16 });
    const tr = sceneTensors(data.train, m.inputs);
    const va = sceneTensors(data.val, m.inputs);
    const r = await trainModel(m, tr, va, { ...config, lr: 3e-3, maxEpochs: 8 }, { log: () => {} });
    const best = Math.min(...r.history.map((h) => h.valLoss));
    assert.equal(r.bestValLoss, best);
    const cv = await evaluate(m.net, va);
    assert.ok(Math.abs(cv.loss - best) < 1e-5, `restored cv loss ${cv.loss} vs best ${best}`);
    disposeTensorData(tr);
    disposeTensorData(va);
  });

  it('reduces the learning rate on a plateau and stops early (PyTorch semantics)', async () => {
    // A learning rate of ~0 leaves the val loss flat: after patience+1 bad epochs lr drops, and training stops after earlyStop.
    const cfg = { ...config, lr: 1e-12, maxEpochs: 30, earlyStop: 7, plateau: { patience: 1, factor: 0.5, threshold: 1e-4, minLr: 0 } };
    const { result } = await train('audio-only', cfg);
    assert.equal(result.history.length, 8, 'epoch 1 is best, then 7 epochs without improvement');
    assert.equal(result.stoppedEarly, true);
    const lrs = result.history.map((h) => h.lr);
    assert.deepEqual(lrs.slice(0, 4), [1e-12, 1e-12, 1e-12, 0.5e-12]);
  });
});
