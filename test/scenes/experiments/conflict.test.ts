import assert from 'node:assert/strict';
import {
  disagreementMatrix,
  fusionGains,
  perClassSideBySide,
  resolution,
  topConfusionPairs,
} from '../../../lib/scenes/experiments/conflict';
import { classificationReport, confusionMatrix } from '../../../lib/metrics/classification';

const CLASSES = ['bus', 'metro', 'tram'];

// Ten clips; truth, audio-only, video-only and fused predictions.
const Y = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
const AUDIO = [0, 0, 1, 1, 0, 2, 2, 0, 1, 2];
const VIDEO = [0, 1, 0, 1, 1, 2, 0, 2, 1, 1];
const FUSED = [0, 0, 0, 1, 1, 2, 2, 2, 1, 1];
// Per clip (audio right, video right, fused right):
//  0: A V F   1: A - F   2: - V F   3: A V F   4: - V F
//  5: - - -   6: A - F   7: - V F   8: - - -   9: A - -

describe('experiments/conflict', () => {
  it('disagreementMatrix counts the four cells', () => {
    assert.deepEqual(disagreementMatrix(Y, AUDIO, VIDEO), { bothRight: 2, audioOnly: 3, videoOnly: 3, neither: 2, total: 10 });
    assert.throws(() => disagreementMatrix(Y, AUDIO, [0]), /10 true labels but a prediction array of 1/);
  });

  it('resolution: fused accuracy per disagreement cell', () => {
    const r = resolution(Y, AUDIO, VIDEO, FUSED);
    assert.deepEqual(r.bothRight, { clips: 2, fusedRight: 2, rate: 1 });
    assert.deepEqual(r.audioOnly, { clips: 3, fusedRight: 2, rate: 2 / 3 });
    assert.deepEqual(r.videoOnly, { clips: 3, fusedRight: 3, rate: 1 });
    assert.deepEqual(r.neither, { clips: 2, fusedRight: 0, rate: 0 });
    assert.deepEqual(r.conflicts, { clips: 6, fusedRight: 5, rate: 5 / 6 });
    const allRight = resolution([0, 1], [0, 1], [0, 1], [0, 1]);
    assert.ok(Number.isNaN(allRight.neither.rate));
    assert.equal(allRight.neither.clips, 0);
  });

  it('perClassSideBySide lays out the source table (Type, M-P … A-F)', () => {
    const fused = classificationReport(Y, FUSED, 3);
    const audio = classificationReport(Y, AUDIO, 3);
    const rows = perClassSideBySide(CLASSES, fused, audio);
    assert.deepEqual(Object.keys(rows[0]), ['Type', 'M-P', 'M-R', 'M-F', 'A-P', 'A-R', 'A-F']);
    // bus: fused predicts 0 at clips 0,1,2 (all bus): P = 3/3, R = 3/3.
    //      audio predicts 0 at 0,1,4,7: P = 2/4, R = 2/3, F = 2·0.5·(2/3)/(0.5 + 2/3) = 4/7.
    assert.equal(rows[0].Type, 'bus');
    assert.equal(rows[0]['M-P'], 1);
    assert.equal(rows[0]['M-R'], 1);
    assert.equal(rows[0]['M-F'], 1);
    assert.equal(rows[0]['A-P'], 0.5);
    assert.equal(rows[0]['A-R'], 2 / 3);
    assert.ok(Math.abs((rows[0]['A-F'] as number) - 4 / 7) < 1e-15);
    // tram: fused predicts 2 at 5,6,7: P = 2/3; truth tram 6,7,8,9: R = 2/4.
    assert.equal(rows[2]['M-P'], 2 / 3);
    assert.equal(rows[2]['M-R'], 0.5);
  });

  it('perClassSideBySide: numbered types, video labels, rounding; checks sizes', () => {
    const fused = classificationReport(Y, FUSED, 3);
    const video = classificationReport(Y, VIDEO, 3);
    const rows = perClassSideBySide(CLASSES, fused, video, { labels: ['M', 'V'], numbered: true, digits: 2 });
    assert.deepEqual(rows.map((r) => r.Type), [1, 2, 3]);
    assert.deepEqual(Object.keys(rows[0]), ['Type', 'M-P', 'M-R', 'M-F', 'V-P', 'V-R', 'V-F']);
    assert.equal(rows[2]['M-P'], 0.67);
    assert.throws(() => perClassSideBySide(['a', 'b'], fused, video), /3 classes but 2 class names/);
    assert.throws(() => perClassSideBySide(CLASSES, fused, video, { labels: ['M', 'M'] }), /must differ/);
  });

  it('fusionGains: F1 gain over the better modality, largest first', () => {
    const report = (f1: number[]) => ({ perClass: f1.map((f) => ({ precision: 0, recall: 0, f1: f, support: 1 })) });
    const gains = fusionGains(CLASSES, report([0.9, 0.6, 0.8]), report([0.7, 0.65, 0.5]), report([0.75, 0.5, 0.6]));
    assert.deepEqual(gains.map((g) => g.className), ['tram', 'bus', 'metro']);
    const tram = gains[0];
    assert.equal(tram.bestUnimodal, 'video');
    assert.equal(tram.bestUnimodalF1, 0.6);
    assert.ok(Math.abs(tram.gain - 0.2) < 1e-15);
    assert.equal(gains[1].bestUnimodal, 'video');
    assert.ok(Math.abs(gains[1].gain - 0.15) < 1e-15);
    assert.equal(gains[2].bestUnimodal, 'audio');
    assert.ok(Math.abs(gains[2].gain + 0.05) < 1e-15);
    assert.equal(gains[2].classIndex, 1);
  });

  it('topConfusionPairs: off-diagonal cells by count, rate = share of the true class', () => {
    const cm = confusionMatrix(Y, AUDIO, 3);
    // bus → metro 1 (of 3); metro → bus 1, metro → tram 1 (of 3); tram → bus 1, tram → metro 1 (of 4).
    assert.deepEqual(cm, [[2, 1, 0], [1, 1, 1], [1, 1, 2]]);
    const top = topConfusionPairs(cm, CLASSES, 3);
    assert.deepEqual(top.map((p) => [p.true, p.predicted, p.count]), [['bus', 'metro', 1], ['metro', 'bus', 1], ['metro', 'tram', 1]]);
    assert.equal(top[0].rate, 1 / 3);
    const big = topConfusionPairs([[5, 4, 0], [1, 9, 3], [0, 6, 50]], CLASSES);
    assert.deepEqual(big.map((p) => [p.trueIndex, p.predictedIndex, p.count]), [[2, 1, 6], [0, 1, 4], [1, 2, 3], [1, 0, 1]]);
    const byRate = topConfusionPairs([[5, 4, 0], [1, 9, 3], [0, 6, 50]], CLASSES, 2, { by: 'rate' });
    // Rates: bus→metro 4/9, metro→tram 3/13, tram→metro 6/56.
    assert.deepEqual(byRate.map((p) => p.predicted), ['metro', 'tram']);
    assert.equal(byRate[0].rate, 4 / 9);
    assert.throws(() => topConfusionPairs([[1]], CLASSES), /1 rows for 3 classes/);
  });
});
