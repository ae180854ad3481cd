/**
 * A tiny MIL run end to end: simulated clips, the two-stream audio-visual model trained through
 * `fit` on clip labels only, scored on held-out clips. On the wasm backend (the plain cpu backend
 * takes over a minute per epoch of these convolutions).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { fit } from '../../lib/training/fit';
import { fitAudioNorm, simulateInstances } from '../../lib/mil/features/instances';
import { buildMilModel, disposeMilModel, labelRows, milBatches, milTask, milVariant, predictMil } from '../../lib/mil/models/milModel';
import { evaluateMil } from '../../lib/mil/evaluate';
import { multilabelScores } from '../../lib/metrics/multilabel';

describe('MIL training (tiny run)', function () {
  this.timeout(10 * 60 * 1000);
  before(async () => {
    await initBackend('wasm', { quiet: true });
  });
  after(async () => {
    await initBackend((process.env.AVLAB_TEST_BACKEND as 'cpu' | undefined) ?? 'cpu', { quiet: true });
  });

  it('beats the best constant prediction clearly, and no epoch leaks a tensor', async () => {
    const train = simulateInstances({ seed: 101 }, 112);
    const val = simulateInstances({ seed: 102 }, 40);
    const test = simulateInstances({ seed: 103 }, 60);
    const norm = fitAudioNorm(train);
    const start = tf.memory().numTensors;
    const model = buildMilModel(milVariant('av-two-stream'), train, norm, 1);
    const counts: number[] = [];
    const result = await fit(milTask(model), milBatches(train, norm), { features: val }, { seed: 1, lr: 4e-3, weightDecay: 1e-4, batchSize: 16, maxEpochs: 8, plateau: { patience: 3, factor: 0.5, threshold: 1e-4, minLr: 0 }, earlyStop: 8, schedule: 'constant', select: { metric: 'f1' } }, { log: () => undefined, onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.equal(result.history.length, 8);
    // After the first epoch fit holds Adam's moments and a copy of the best weights; from then on
    // every epoch must leave the count where it found it.
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensors after each epoch: ${counts.join(', ')}`);

    const ev = evaluateMil(val, await predictMil(model, val), test, await predictMil(model, test));
    // The best constant prediction: every class present in every clip (recall 1, precision = label density).
    const allYes = multilabelScores(labelRows(test), labelRows(test).map((r) => r.map(() => 1))).micro.f1;
    assert.ok(ev.all.micro.f1 > allYes + 0.15, `micro F1 ${ev.all.micro.f1.toFixed(3)} vs constant ${allYes.toFixed(3)}`);
    assert.ok(ev.localisation.all.region.n > 0 && ev.localisation.all.audio.n > 0);
    disposeMilModel(model);
    assert.equal(tf.memory().numTensors, start, 'the model and every batch are freed');
  });
});
