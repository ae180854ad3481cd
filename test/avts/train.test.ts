import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { AvClipFeatures, audioStats, clipFeatures, DEFAULT_AV_FEATURES, fromCollisionClip, simulateAvtsClip, standardiseAudio } from '../../lib/avts/data/clips';
import { avtsCurriculum, PairConfig } from '../../lib/avts/data/pairs';
import { buildAvtsModel, DEFAULT_AVTS_MODEL, disposeAvtsModel } from '../../lib/avts/models/encoders';
import { AvtsTrainConfig, syncAuc, trainAvts } from '../../lib/avts/train';
import { testBackend } from '../helpers/backend';

function clips(seed: number, perObject: number, objects = [0, 1, 2, 3, 4, 5]): AvClipFeatures[] {
  const out: AvClipFeatures[] = [];
  for (let k = 0; k < perObject; k++) for (const o of objects) out.push(clipFeatures(fromCollisionClip(simulateAvtsClip({ seed, seconds: 6, size: 16 }, o, k)), DEFAULT_AV_FEATURES));
  return out;
}

describe('avts training', function () {
  this.timeout(600000);
  before(testBackend);

  it('AUC: hand-computed cases, ties count half', () => {
    assert.equal(syncAuc([0, 1], [2, 3]), 1);
    assert.equal(syncAuc([2, 3], [0, 1]), 0);
    assert.equal(syncAuc([1], [1]), 0.5);
    assert.equal(syncAuc([0, 2], [1, 3]), 0.75);
  });

  it('a tiny run separates easy negatives clearly above chance, without leaking tensors', async () => {
    const train = clips(1, 2);
    const val = clips(2, 1);
    const stats = audioStats(train);
    standardiseAudio(train, stats);
    standardiseAudio(val, stats);
    const F = 8;
    const pairs: PairConfig = { windowFrames: F, anchorsPerClip: 4, hardShift: [F, 2 * F], superHard: 'overlap', superHardShift: [2, F - 1], requireEvent: true };
    const m = buildAvtsModel({ ...DEFAULT_AVTS_MODEL, videoWidths: [4, 8, 8], audioWidths: [8, 8, 8], embedDim: 16, videoShape: [F, 16, 16, 3], audioShape: [4 * F, 32, 4], seed: 0 });
    const c: AvtsTrainConfig = { loss: 'contrastive', margin: 1, curriculum: avtsCurriculum(2), pairs, lr: 2e-3, weightDecay: 1e-4, batchSize: 12, epochs: 5, seed: 0 };
    const counts: number[] = [];
    const r = await trainAvts(m, train, val, c, { onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.equal(r.history.length, 5);
    // From the second epoch on (fit keeps a copy of the best weights after the first), nothing grows.
    assert.ok(counts.slice(2).every((n) => n === counts[1]), `tensors after each epoch: ${counts}`);
    const last = r.history[r.history.length - 1].metrics;
    const best = r.history.find((h) => h.epoch === r.bestEpoch)!.metrics;
    assert.ok(best.auc_easy > 0.6, `validation AUC on easy negatives ${best.auc_easy} (chance 0.5)`);
    assert.ok(['acc_easy', 'acc_hard', 'acc_superhard', 'auc_hard', 'loss_positive', 'loss_hard'].every((k) => k in last));
    disposeAvtsModel(m);
  });
});
