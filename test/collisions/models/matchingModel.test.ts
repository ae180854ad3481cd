import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../lib/backend';
import { simulateCollisions } from '../../../lib/worlds/collision/simulator';
import { makeCollisionTask } from '../../../lib/collisions/data/tasks';
import { COLLISION_OBJECTS } from '../../../lib/worlds/collision/types';
import { evaluateMatching, matchingResultRows, recallRows } from '../../../lib/collisions/experiment';
import { DEFAULT_FEATURE_OPTIONS, extractFeatures } from '../../../lib/collisions/features/clipFeatures';
import { distanceMatrixFigure, errorSplitFigure, spectrogramFigure, thresholdFigure, trajectoryFigure } from '../../../lib/collisions/figures';
import { lossCurves } from '../../../lib/plots/lossCurves';
import { answerTask, disposeMatchingModel, loadMatchingModel, MatchingTrainResult, predictFolder, saveMatchingModel, trainMatchingModel } from '../../../lib/collisions/models/matchingModel';
import { buildResNet } from '../../../lib/collisions/models/resnet';
import { InputError } from '../../../lib/util/errors';

const FEATURES = { ...DEFAULT_FEATURE_OPTIONS, specSize: [16, 16] as [number, number], trajectoryFrames: 12 };

describe('matching model', function () {
  this.timeout(180000);
  let trained: MatchingTrainResult;
  const test = simulateCollisions({ seed: 33, perObject: 2 });

  before(async () => {
    // wasm: the cpu backend's own conv filter gradient is far too slow even for a tiny ResNet.
    await initBackend('wasm', { quiet: true });
    const train = extractFeatures(simulateCollisions({ seed: 31, perObject: 3 }), FEATURES);
    const val = extractFeatures(simulateCollisions({ seed: 32, perObject: 2 }), FEATURES);
    trained = await trainMatchingModel(train, val, {
      seed: 3,
      classifier: { widths: [4, 8], blocks: [1, 1] },
      classifierTraining: { epochs: 2 },
      videoTraining: { epochs: 3 },
      encoderTraining: { epochs: 2 },
      thresholdGroups: 2,
    });
  });
  after(async () => {
    disposeMatchingModel(trained.model);
    await initBackend('cpu', { quiet: true });
  });

  it('ResNet: shapes of both poolings, time kept by frequency-only downsampling, seeded weights', () => {
    const a = buildResNet({ inputShape: [32, 24, 4], classes: 10, widths: [4, 8, 16], blocks: [1, 1, 1], seed: 1 });
    assert.deepEqual(a.net.outputShape, [null, 10]);
    assert.equal(a.featureDim, 16);
    const b = buildResNet({ inputShape: [32, 24, 4], classes: 5, widths: [4, 8, 16], blocks: [1, 1, 1], pooling: 'frequency', downsample: 'frequency', seed: 1 }, 'b_');
    // Frequency 32 → 16 → 8 → 4 averaged away; time stays 24: features 24 × 16.
    assert.equal(b.featureDim, 24 * 16);
    assert.deepEqual(b.trunk.outputShape, [null, 24 * 16]);
    const c = buildResNet({ inputShape: [32, 24, 4], classes: 10, widths: [4, 8, 16], blocks: [1, 1, 1], seed: 1 }, 'c_');
    assert.equal(a.net.countParams(), c.net.countParams());
    a.net.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(c.net.getWeights()[i].dataSync())));
    assert.throws(() => buildResNet({ widths: [4], blocks: [1, 1] }), InputError);
    [a, b, c].forEach((r) => r.net.dispose());
  });

  it('trains every part and chooses a task-3 threshold', () => {
    assert.equal(trained.classifier.history.length, 2);
    assert.equal(trained.encoders.history.length, 2);
    assert.ok(trained.classifier.history.every((h) => Number.isFinite(h.trainLoss) && h.seconds > 0));
    assert.ok(trained.model.config.threshold !== null && trained.model.config.threshold > 0);
    assert.equal(trained.thresholdGroups.length, 2);
    assert.deepEqual(trained.model.config.classes, [...COLLISION_OBJECTS]);
  });

  it('answers task folders in the course format', async () => {
    const m = trained.model;
    const t1 = await answerTask(m, makeCollisionTask(test, 1, { seed: 1 }));
    assert.deepEqual(Object.keys(t1), test.map((_, i) => `audio_${String(i).padStart(4, '0')}.pkl`));
    assert.ok(Object.values(t1).every((v) => (COLLISION_OBJECTS as readonly string[]).includes(v as string)));
    const t2 = await answerTask(m, makeCollisionTask(test, 2, { seed: 1 }));
    const v2 = Object.values(t2) as number[];
    assert.equal(new Set(v2).size, test.length, 'task 2 is a one-to-one matching');
    assert.ok(v2.every((v) => Number.isInteger(v) && v >= 0 && v < test.length));
    const folder3 = makeCollisionTask(test, 3, { seed: 1, unmatchedAudio: 0.25 });
    const v3 = Object.values(await answerTask(m, folder3)) as number[];
    assert.ok(v3.every((v) => v === -1 || (v >= 0 && v < folder3.video.length)));
    const used = v3.filter((v) => v >= 0);
    assert.equal(new Set(used).size, used.length, 'no video is used twice');
    // A huge τ accepts wherever a video is free; τ = 0 rejects everything.
    assert.ok((Object.values(await answerTask(m, folder3, { threshold: 0 })) as number[]).every((v) => v === -1));
  });

  it('saves and loads: the loaded model predicts exactly the same', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-match-model-'));
    await saveMatchingModel(dir, trained.model);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.ckpt']);
    const loaded = loadMatchingModel(dir);
    try {
      const folder = makeCollisionTask(test, 2, { seed: 2 });
      const a = await predictFolder(trained.model, folder);
      const b = await predictFolder(loaded, folder);
      assert.deepEqual(b.distances, a.distances);
      assert.deepEqual(b.audioClasses, a.audioClasses);
      assert.deepEqual(b.videoClasses, a.videoClasses);
      assert.equal(loaded.config.threshold, trained.model.config.threshold);
    } finally {
      disposeMatchingModel(loaded);
    }
    // Damaged or missing files are named.
    fs.writeFileSync(path.join(dir, 'model.json'), '{"format": "something else"}');
    assert.throws(() => loadMatchingModel(dir), (e: Error) => e instanceof InputError && e.message.includes('model.json') && /not an avlab matching model/.test(e.message));
    assert.throws(() => loadMatchingModel(path.join(dir, 'nope')), /missing/);
  });

  it('evaluates the three tasks with every method; the tables and figures build', async () => {
    const before = tf.memory().numTensors;
    const ev = await evaluateMatching(trained.model, test, 4);
    assert.equal(tf.memory().numTensors, before, 'evaluation leaks no tensors');
    assert.equal(ev.methods.length, 6);
    for (const m of ev.methods) {
      const s = m.score;
      assert.equal(s.correct + s.classificationErrors + s.wrongVideo + s.falseReject + s.falseAccept, s.items);
      if (m.task === 2) assert.equal(s.falseReject + s.falseAccept, 0);
    }
    const rows = matchingResultRows(ev);
    assert.equal(rows.length, 7);
    assert.equal(rows[0]['accuracy (%)'], Number((100 * ev.task1.accuracy).toFixed(1)));
    assert.equal(ev.task1.confusion.flat().reduce((s, v) => s + v, 0), test.length);
    assert.equal(recallRows(ev).length, 2);
    assert.ok(ev.recall.gated[10] >= ev.recall.gated[1]);
    // Figures: one trace per microphone, a trace per series, markers for pairs.
    const spec = extractFeatures([test[0]], FEATURES).audio;
    assert.equal(spectrogramFigure(spec, [16, 16, 4], 'x').data.length, 4);
    assert.equal(trajectoryFigure([{ name: 'a', xy: test[0].truth!.trajectory, impacts: test[0].truth!.impacts }], [64, 64], 't').data.length, 2);
    // Training curves: train loss, val loss, the chosen metric, the selected epoch.
    assert.equal(lossCurves(trained.classifier.history, { bestEpoch: trained.classifier.bestEpoch, title: 'c' }).data.length, 4);
    assert.equal(lossCurves(trained.encoders.history, { bestEpoch: trained.encoders.bestEpoch, metric: 'pairAccuracy', title: 'p' }).data.length, 4);
    const p2 = ev.predictions[2];
    const dm = distanceMatrixFigure(p2.distances, p2.audioClasses.map((_, i) => `a${i}`), p2.videoClasses.map((_, j) => `v${j}`), ev.methods[0].assignment, ev.folders[2].answers!.audioToVideo, 'd');
    assert.equal((dm.data[1].x as unknown[]).length, test.length);
    assert.equal(thresholdFigure(trained.threshold.curve, trained.threshold.threshold, 'τ').data.length, 1);
    assert.equal(errorSplitFigure(ev.task1, ev.methods, 'e').data.length, 5);
  });
});
