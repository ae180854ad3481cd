import assert from 'node:assert/strict';
import {
  FLOAT64_EPS,
  accuracy,
  argmax,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  logLoss,
  precisionRecallF1,
} from '../../lib/metrics/classification';

// 4 classes. cat is predicted 8 times but right once; bird is never predicted; fish never occurs.
const NAMES = ['cat', 'dog', 'bird', 'fish'];
const Y_TRUE = [0, 1, 1, 1, 1, 1, 1, 1, 0, 2, 1, 1, 1, 1];
const Y_PRED = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 3];

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);
}

describe('argmax', () => {
  it('picks the largest entry per row, the first on a tie', () => {
    assert.deepEqual(Array.from(argmax([[0.1, 0.7, 0.2], [0.5, 0.5, 0], [0, 0, 1]])), [1, 0, 2]);
    assert.deepEqual(Array.from(argmax(new Float32Array([0.2, 0.8, 0.6, 0.4]), 2)), [1, 0]);
  });

  it('needs numClasses for a flat array and a consistent shape', () => {
    assert.throws(() => argmax(new Float32Array(4)), RangeError);
    assert.throws(() => argmax(new Float32Array(5), 2), RangeError);
    assert.throws(() => argmax([[1, 0], [1]]), RangeError);
  });
});

describe('accuracy', () => {
  it('is the fraction of matching labels', () => {
    assert.equal(accuracy(Y_TRUE, Y_PRED), 4 / 14);
    assert.equal(accuracy(new Int32Array([2, 1]), new Int32Array([2, 1])), 1);
  });

  it('rejects length mismatches and empty input', () => {
    assert.throws(() => accuracy([1, 2], [1]), RangeError);
    assert.throws(() => accuracy([], []), RangeError);
  });
});

describe('confusionMatrix', () => {
  it('counts true classes in rows and predicted classes in columns', () => {
    assert.deepEqual(confusionMatrix(Y_TRUE, Y_PRED, 4), [
      [1, 1, 0, 0],
      [7, 3, 0, 1],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('rejects labels outside the classes', () => {
    assert.throws(() => confusionMatrix([0, 4], [0, 1], 4), /yTrue\[1\] = 4/);
    assert.throws(() => confusionMatrix([0, 1], [0, -1], 4), /yPred\[1\] = -1/);
    assert.throws(() => confusionMatrix([0, 1.5], [0, 1], 4), RangeError);
  });
});

describe('precisionRecallF1', () => {
  const s = precisionRecallF1(Y_TRUE, Y_PRED, 4);

  it('scores each class, with 0 where a class is never predicted or never true', () => {
    // cat: tp 1 of 8 predicted, 2 true. dog: tp 3 of 5 predicted, 11 true.
    assert.deepEqual(s.perClass[0], { precision: 0.125, recall: 0.5, f1: 0.2, support: 2 });
    assert.equal(s.perClass[1].precision, 0.6);
    assert.equal(s.perClass[1].recall, 3 / 11);
    close(s.perClass[1].f1, 0.375); // 2·tp / (predicted + true) = 6/16
    assert.deepEqual(s.perClass[2], { precision: 0, recall: 0, f1: 0, support: 1 }); // never predicted
    assert.deepEqual(s.perClass[3], { precision: 0, recall: 0, f1: 0, support: 0 }); // never true
  });

  it('averages: macro over all four classes, weighted by support, micro = accuracy', () => {
    close(s.macro.precision, (0.125 + 0.6) / 4);
    close(s.macro.recall, (0.5 + 3 / 11) / 4);
    close(s.macro.f1, (0.2 + 0.375) / 4);
    close(s.weighted.precision, (0.125 * 2 + 0.6 * 11) / 14);
    close(s.weighted.recall, (0.5 * 2 + (3 / 11) * 11) / 14);
    close(s.weighted.f1, (0.2 * 2 + 0.375 * 11) / 14);
    close(s.micro.f1, 4 / 14);
    assert.equal(s.macro.support, 14);
    assert.equal(s.weighted.support, 14);
  });

  it('computes F1 with the same rounding as scikit-learn (dog prints as 0.37, not 0.38)', () => {
    assert.ok(s.perClass[1].f1 < 0.375);
  });

  it('gives all ones for perfect predictions', () => {
    const p = precisionRecallF1([0, 1, 2, 2], [0, 1, 2, 2], 3);
    for (const c of [...p.perClass, p.macro, p.weighted, p.micro]) {
      assert.equal(c.precision, 1);
      assert.equal(c.recall, 1);
      assert.equal(c.f1, 1);
    }
  });
});

describe('logLoss', () => {
  it('averages -ln p(true class)', () => {
    close(logLoss([0, 1], [[0.8, 0.2], [0.4, 0.6]]), -(Math.log(0.8) + Math.log(0.6)) / 2);
    close(logLoss(new Int32Array([0, 1]), new Float32Array([0.75, 0.25, 0.5, 0.5])), -(Math.log(0.75) + Math.log(0.5)) / 2);
  });

  it('clips a zero probability of the true class to float64 epsilon', () => {
    // -ln(2^-52) = 52 ln 2; the clipped row [eps, 1-eps] still sums to exactly 1.
    assert.equal(FLOAT64_EPS, 2 ** -52);
    close(logLoss([0], [[0, 1]]), 52 * Math.LN2);
    close(logLoss([0], [[0, 1]], { eps: 1e-15 }), -Math.log(1e-15), 1e-9);
  });

  it('renormalises clipped rows by default and only clips with renormalize: false', () => {
    // [0.5, 0.5, 1] → true class 0.5 / 2 = 0.25 when renormalised, 0.5 when not.
    close(logLoss([0], [[0.5, 0.5, 1]]), Math.log(4));
    close(logLoss([0], [[0.5, 0.5, 1]], { renormalize: false }), Math.log(2));
  });

  it('is (almost) zero for perfect one-hot predictions', () => {
    const loss = logLoss([0, 1, 2], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.ok(loss >= 0 && loss < 1e-14, `loss ${loss}`);
  });

  it('rejects bad shapes, labels and values', () => {
    assert.throws(() => logLoss([0, 1], [[1, 0]]), RangeError);
    assert.throws(() => logLoss([0, 2], [[1, 0], [0, 1]]), RangeError);
    assert.throws(() => logLoss([0], [[1]]), /at least two classes/);
    assert.throws(() => logLoss([0], [[NaN, 1]]), RangeError);
    assert.throws(() => logLoss([], []), RangeError);
  });
});

describe('formatClassificationReport', () => {
  const report = classificationReport(Y_TRUE, Y_PRED, 4);

  it('matches scikit-learn classification_report byte for byte (digits=2)', () => {
    // Output of sklearn 1.2.1: classification_report(Y_TRUE, Y_PRED, labels=[0,1,2,3], target_names=NAMES).
    // It shows Python's half-to-even rounding (cat 0.125 → 0.12) and the F1 rounding (dog 0.37).
    const expected =
      '              precision    recall  f1-score   support\n\n' +
      '         cat       0.12      0.50      0.20         2\n' +
      '         dog       0.60      0.27      0.37        11\n' +
      '        bird       0.00      0.00      0.00         1\n' +
      '        fish       0.00      0.00      0.00         0\n\n' +
      '    accuracy                           0.29        14\n' +
      '   macro avg       0.18      0.19      0.14        14\n' +
      'weighted avg       0.49      0.29      0.32        14\n';
    assert.equal(formatClassificationReport(report, NAMES), expected);
  });

  it('matches scikit-learn with digits=4 and widens for long class names', () => {
    const expected =
      '              precision    recall  f1-score   support\n\n' +
      '         cat     0.1250    0.5000    0.2000         2\n' +
      '         dog     0.6000    0.2727    0.3750        11\n' +
      '        bird     0.0000    0.0000    0.0000         1\n' +
      '        fish     0.0000    0.0000    0.0000         0\n\n' +
      '    accuracy                         0.2857        14\n' +
      '   macro avg     0.1812    0.1932    0.1437        14\n' +
      'weighted avg     0.4893    0.2857    0.3232        14\n';
    assert.equal(formatClassificationReport(report, NAMES, 4), expected);
    const wide = formatClassificationReport(report, ['cat', 'dog', 'street_pedestrian', 'fish']);
    assert.equal(wide.split('\n')[0], `${' '.repeat(17)}  precision    recall  f1-score   support`);
    assert.equal(wide.split('\n')[4], 'street_pedestrian       0.00      0.00      0.00         1');
  });

  it('needs one name per class', () => {
    assert.throws(() => formatClassificationReport(report, ['cat']), RangeError);
  });
});
