import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenes, LoadScenesOptions } from '../../../lib/scenes/data/load';
import { COURSE_TRAIN_CONFIG } from '../../../lib/training/config';
import { runSceneSweep } from '../../../lib/scenes/experiments/sceneSweep';
import { runSceneModel } from '../../../lib/scenes/experiments/sceneRun';
import { testBackend } from '../../helpers/backend';

describe('scene sweeps over worker processes', function () {
  this.timeout(180000);
  const saved = process.env.AVLAB_BACKEND;
  before(async () => {
    process.env.AVLAB_BACKEND = 'cpu'; // the workers inherit it
    await testBackend();
  });
  after(() => {
    if (saved === undefined) delete process.env.AVLAB_BACKEND;
    else process.env.AVLAB_BACKEND = saved;
  });

  it('gives the same runs in two worker processes as in this process, and reads them back', async () => {
    const dataOptions: LoadScenesOptions = { profile: 'quick', sim: { seed: 5, dim: 24, frames: 2, clipsPerClass: { train: 10, val: 4, test: 4 } } };
    const data = await loadScenes(dataOptions);
    const config = { ...COURSE_TRAIN_CONFIG, lr: 1e-3, batchSize: 32, maxEpochs: 3 };
    const model = { hidden: 16, embed: 8 };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-sweep-'));
    const sweep = (workers: number) =>
      runSceneSweep({ variants: ['audio-only', 'late-average'], seeds: [1, 2], dataOptions, data, config, model, workers, runDir: (key) => path.join(root, `w${workers}`, key), log: () => {} });
    const parallel = await sweep(2);
    const serial = await sweep(1);
    assert.deepEqual(parallel.map((r) => [r.kind, r.seed]), [['audio-only', 1], ['audio-only', 2], ['late-average', 1], ['late-average', 2]]);
    parallel.forEach((r, i) => {
      assert.deepEqual(Array.from(r.result.probs), Array.from(serial[i].result.probs), `${r.kind} seed ${r.seed}`);
      assert.deepEqual(r.result.train.history.map((h) => h.valLoss), serial[i].result.train.history.map((h) => h.valLoss));
    });
    assert.notDeepEqual(Array.from(parallel[0].result.probs), Array.from(parallel[1].result.probs), 'seeds differ');
    // A run read back equals the run computed in memory.
    const direct = await runSceneModel({ kind: 'audio-only', data, config: { ...config, seed: 1 }, model, log: () => {} });
    assert.equal(parallel[0].result.accuracy, direct.accuracy);
    assert.equal(parallel[0].result.resultText, direct.resultText);
  });
});
