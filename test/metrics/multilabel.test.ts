import assert from 'node:assert/strict';
import { chooseMultilabelThreshold, multilabelScores, thresholdScores } from '../../lib/metrics/multilabel';
import { boxIoU, intervalIoU, intervalOverlap } from '../../lib/metrics/localisation';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('multi-label precision, recall and F1', () => {
  // 4 clips × 3 classes.
  const yTrue = [
    [1, 0, 1],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 0],
  ];
  const yPred = [
    [1, 0, 0],
    [1, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
  ];

  it('per class, micro and macro equal the hand-computed values', () => {
    const s = multilabelScores(yTrue, yPred);
    // class 0: TP 2, FP 1, FN 0 → P 2/3, R 1, F1 0.8
    // class 1: TP 1, FP 0, FN 1 → P 1, R 1/2, F1 2/3
    // class 2: TP 0, FP 1, FN 1 → 0, 0, 0
    assert.deepEqual(s.perClass.map((c) => [c.tp, c.fp, c.fn, c.support]), [[2, 1, 0, 2], [1, 0, 1, 2], [0, 1, 1, 1]]);
    close(s.perClass[0].precision, 2 / 3, 'P0');
    close(s.perClass[0].f1, 0.8, 'F1_0');
    close(s.perClass[1].recall, 0.5, 'R1');
    close(s.perClass[1].f1, 2 / 3, 'F1_1');
    assert.equal(s.perClass[2].f1, 0);
    // micro: TP 3, FP 2, FN 2 → P = R = F1 = 3/5
    close(s.micro.precision, 0.6, 'micro P');
    close(s.micro.recall, 0.6, 'micro R');
    close(s.micro.f1, 0.6, 'micro F1');
    // macro: mean of per-class values (sklearn: F1 averaged, not the F1 of averaged P and R)
    close(s.macro.precision, (2 / 3 + 1 + 0) / 3, 'macro P');
    close(s.macro.recall, (1 + 0.5 + 0) / 3, 'macro R');
    close(s.macro.f1, (0.8 + 2 / 3 + 0) / 3, 'macro F1');
  });

  it('a class never predicted nor present scores 0 (zero_division=0), a perfect prediction 1', () => {
    const s = multilabelScores([[1, 0], [0, 0]], [[1, 0], [0, 0]]);
    assert.equal(s.perClass[1].f1, 0);
    assert.equal(s.micro.f1, 1);
    assert.equal(s.macro.f1, 0.5);
  });

  it('thresholds scores at ≥ τ, globally or per class', () => {
    assert.deepEqual(thresholdScores([[0.2, 0.5, 0.9]], 0.5).map((r) => Array.from(r)), [[0, 1, 1]]);
    assert.deepEqual(thresholdScores([[0.2, 0.5, 0.9]], [0.1, 0.6, 0.95]).map((r) => Array.from(r)), [[1, 0, 0]]);
  });

  it('chooses the threshold that maximises micro F1 on the given data', () => {
    const scores = [
      [0.9, 0.1, 0.6],
      [0.3, 0.8, 0.2],
      [0.7, 0.65, 0.1],
      [0.05, 0.2, 0.4],
    ];
    const choice = chooseMultilabelThreshold(yTrue, scores);
    // Positives score 0.9, 0.6, 0.8, 0.7, 0.65, all negatives ≤ 0.4: any τ in (0.4, 0.6] is perfect;
    // the candidate midpoints there are 0.5 only.
    close(choice.score, 1, 'F1');
    close(choice.threshold, 0.5, 'τ');
    assert.throws(() => chooseMultilabelThreshold(yTrue, scores.slice(1)), /rows/);
  });
});

describe('localisation overlaps', () => {
  it('box IoU on hand cases', () => {
    close(boxIoU([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7, 'quarter overlap');
    close(boxIoU([0, 0, 4, 4], [0, 0, 4, 4]), 1, 'same');
    close(boxIoU([0, 0, 1, 1], [2, 2, 3, 3]), 0, 'disjoint');
    close(boxIoU([0, 0, 4, 2], [2, 0, 6, 2]), 4 / 12, 'half');
  });
  it('interval overlap and IoU on hand cases', () => {
    close(intervalOverlap([0, 0.96], [0.5, 3]), 0.46);
    close(intervalIoU([1, 3], [2, 5]), 1 / 4);
    close(intervalIoU([1, 2], [3, 4]), 0);
  });
});
