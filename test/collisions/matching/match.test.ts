import assert from 'node:assert/strict';
import { assignmentCost, hungarian } from '../../../lib/collisions/matching/hungarian';
import { assignGroup, chooseThreshold, distanceMatrix, GroupPrediction } from '../../../lib/collisions/matching/match';
import { answerAccuracy, recallAtK, scoreMatching } from '../../../lib/collisions/matching/metrics';
import { sampleNegatives } from '../../../lib/collisions/matching/pairs';
import { InputError } from '../../../lib/util/errors';
import { Rng } from '../../../lib/util/rng';

describe('matching: per-class assignment', () => {
  it('distanceMatrix is the Euclidean distance between rows', () => {
    const d = distanceMatrix(Float32Array.from([0, 0, 1, 1]), Float32Array.from([3, 4, 1, 1, 0, 0]), 2);
    assert.deepEqual(d.map((r) => r.map((v) => Number(v.toFixed(6)))), [[5, Number(Math.SQRT2.toFixed(6)), 0], [Number(Math.hypot(2, 3).toFixed(6)), 0, Number(Math.SQRT2.toFixed(6))]]);
    assert.throws(() => distanceMatrix(new Float32Array(3), new Float32Array(4), 2), InputError);
  });

  it('matches within predicted classes: a cheaper cross-class pair is not taken', () => {
    // Audio 0 (class 0) is closest to video 1 (class 1), but only video 0 shares its class.
    const pred: GroupPrediction = {
      audioClasses: [0, 1],
      videoClasses: [0, 1],
      distances: [
        [0.9, 0.1],
        [0.5, 0.6],
      ],
    };
    assert.deepEqual(assignGroup(pred), [0, 1]);
    assert.deepEqual(assignGroup(pred, { classGating: false }), hungarian(pred.distances)); // [1, 0]: cost 0.6 < 1.5
    assert.deepEqual(assignGroup(pred, { classGating: false }), [1, 0]);
  });

  it('task 2: equals Hungarian on each class block, and completes across classes when the class sizes disagree', () => {
    const rng = new Rng(3);
    const audioClasses = [0, 0, 0, 1, 1, 2];
    const videoClasses = [1, 0, 0, 1, 2, 0];
    const distances = audioClasses.map(() => videoClasses.map(() => rng.range(0, 1)));
    const a = assignGroup({ audioClasses, videoClasses, distances });
    // Complete: every audio gets a distinct video.
    assert.ok(a.every((j) => j >= 0));
    assert.equal(new Set(a).size, a.length);
    // Class 1: two audio (3, 4) and two videos (0, 3): their block is solved optimally.
    const block = [3, 4].map((i) => [0, 3].map((j) => distances[i][j]));
    const blockOpt = assignmentCost(block, hungarian(block));
    assert.ok(Math.abs(distances[3][a[3]] + distances[4][a[4]] - blockOpt) < 1e-12);
    assert.ok([0, 3].includes(a[3]) && [0, 3].includes(a[4]));
    // Class 0 has three audio but two videos (1, 2): one of them takes the left-over video of class 2 or 0.
    assert.equal([0, 1, 2].filter((i) => [1, 2].includes(a[i])).length, 2);
  });

  it('greedy differs from Hungarian where a cheap first pair forces an expensive one', () => {
    const pred: GroupPrediction = { audioClasses: [0, 0], videoClasses: [0, 0], distances: [[1, 2], [2, 100]] };
    assert.deepEqual(assignGroup(pred, { method: 'hungarian' }), [1, 0]);
    assert.deepEqual(assignGroup(pred, { method: 'greedy' }), [0, 1]);
  });

  it('task 3: dummy columns reject jointly, post-rejection only drops pairs beyond τ', () => {
    // Audio 1's own video is taken by audio 0 in the plain solution; with τ = 0.5 audio 1 is rejected.
    const pred: GroupPrediction = { audioClasses: [0, 0, 0], videoClasses: [0, 0], distances: [[0.1, 0.3], [0.2, 0.9], [0.8, 0.25]] };
    assert.deepEqual(assignGroup(pred, { threshold: 0.5, rejection: 'dummy' }), [0, -1, 1]);
    assert.deepEqual(assignGroup(pred, { threshold: 0.5, rejection: 'post' }), [0, -1, 1]);
    // Where they differ: plain Hungarian gives audio 0 → video 1 (0.3) and audio 1 → video 0 (0.2)... with τ = 0.25
    const p2: GroupPrediction = { audioClasses: [0, 0], videoClasses: [0, 0], distances: [[0.1, 0.3], [0.2, 0.9]] };
    assert.deepEqual(hungarian(p2.distances), [1, 0]); // 0.3 + 0.2 = 0.5 < 0.1 + 0.9
    assert.deepEqual(assignGroup(p2, { threshold: 0.25, rejection: 'post' }), [-1, 0]); // 0.3 > τ dropped
    assert.deepEqual(assignGroup(p2, { threshold: 0.25, rejection: 'dummy' }), [0, -1]); // 0.1 + 0.25 < 0.2 + 0.25
    // Greedy with τ never takes a pair beyond τ.
    assert.deepEqual(assignGroup(p2, { threshold: 0.25, method: 'greedy' }), [0, -1]);
    // No second round in task 3: a class with more audio than videos leaves the surplus at -1.
    const p3: GroupPrediction = { audioClasses: [0, 0, 1], videoClasses: [0, 1, 1], distances: [[0.1, 0.01, 0.02], [0.2, 0.03, 0.04], [0.9, 0.1, 0.2]] };
    assert.deepEqual(assignGroup(p3, { threshold: 1 }), [0, -1, 1]);
    // Task 2 (no τ) gives the surplus audio the left-over video of the other class.
    assert.deepEqual(assignGroup(p3), [0, 2, 1]);
  });

  it('chooseThreshold finds a τ separating true from false pairs and reports the accuracy curve', () => {
    const rng = new Rng(8);
    // Own videos at D ≈ 0.2, others at D ≈ 1; the last two audio items have no video, and the last two
    // videos belong to no audio item, so only τ can stop the surplus audio from taking them.
    const groups = [0, 1, 2].map(() => {
      const n = 6;
      const videos = 6;
      const distances = Array.from({ length: n }, (_, i) => Array.from({ length: videos }, (_, j) => (i === j && i < 4 ? rng.range(0.1, 0.3) : rng.range(0.9, 1.2))));
      return { pred: { audioClasses: new Array(n).fill(0), videoClasses: new Array(videos).fill(0), distances }, truth: [0, 1, 2, 3, -1, -1] };
    });
    const choice = chooseThreshold(groups);
    assert.ok(choice.threshold > 0.3 && choice.threshold < 0.9, `τ = ${choice.threshold}`);
    assert.equal(choice.accuracy, 1);
    assert.ok(choice.curve.length > 5 && choice.curve.some((c) => c.accuracy < 1));
    assert.throws(() => chooseThreshold([]), InputError);
  });

  it('rejects malformed groups', () => {
    assert.throws(() => assignGroup({ audioClasses: [0], videoClasses: [0, 1], distances: [[1]] }), InputError);
    assert.throws(() => assignGroup({ audioClasses: [0], videoClasses: [0], distances: [[1]] }, { threshold: NaN }), InputError);
  });
});

describe('matching: metrics', () => {
  it('splits errors into classification, wrong video, false reject and false accept', () => {
    const s = scoreMatching({
      answers: [0, 2, -1, 1, 3, -1],
      truth: [0, 1, 2, -1, 4, 3],
      audioPredicted: [0, 0, 1, 1, 2, 5],
      audioTrue: [0, 0, 1, 1, 2, 3],
      videoPredicted: [0, 0, 1, 9, 2],
      videoTrue: [0, 0, 1, 3, 3],
    });
    // item 0 correct; 1 wrong video of its class; 2 false reject; 3 false accept; 4 its video (4) misclassified;
    // 5 the audio itself misclassified.
    assert.deepEqual(s, { items: 6, correct: 1, accuracy: 1 / 6, classificationErrors: 2, wrongVideo: 1, falseReject: 1, falseAccept: 1 });
    assert.equal(answerAccuracy([1, 2, 3], [1, 0, 3]), 2 / 3);
  });

  it('recall@k ranks each audio item’s own video among the group', () => {
    const d = [
      [0.1, 0.5, 0.9],
      [0.2, 0.15, 0.1],
      [0.5, 0.5, 0.5],
    ];
    // Ranks: audio 0 → video 0 first; audio 1 → video 1 second (0.1 < 0.15); audio 2 → ties count ahead: rank 3.
    const r = recallAtK(d, [0, 1, 2], [1, 2, 3]);
    assert.deepEqual(r, { 1: 1 / 3, 2: 2 / 3, 3: 1 });
    // Items without a video are left out.
    assert.deepEqual(recallAtK(d, [0, -1, -1], [1]), { 1: 1 });
  });
});

describe('matching: pair sampling', () => {
  const objects = [0, 0, 0, 1, 1, 2];
  it('negatives are never the anchor, same class when asked, other classes otherwise', () => {
    const anchors = Array.from({ length: 200 }, (_, i) => i % objects.length);
    const same = sampleNegatives(objects, anchors, new Rng(1));
    anchors.forEach((a, k) => {
      assert.notEqual(same[k], a);
      // Object 2 has a single sample, so its negatives must come from another class.
      if (objects[a] !== 2) assert.equal(objects[same[k]], objects[a]);
      else assert.notEqual(objects[same[k]], 2);
    });
    const other = sampleNegatives(objects, anchors, new Rng(1), { sameClass: 0 });
    anchors.forEach((a, k) => assert.notEqual(objects[other[k]], objects[a]));
    // Every other-class sample gets drawn (uniform over them).
    assert.equal(new Set(Array.from(other).filter((_, k) => objects[anchors[k]] === 0)).size, 3);
  });

  it('is deterministic per seed and rejects bad input', () => {
    assert.deepEqual(sampleNegatives(objects, [0, 1, 3], new Rng(5)), sampleNegatives(objects, [0, 1, 3], new Rng(5)));
    assert.throws(() => sampleNegatives([0], [0], new Rng(1)), InputError);
    assert.throws(() => sampleNegatives(objects, [9], new Rng(1)), InputError);
    assert.throws(() => sampleNegatives(objects, [0], new Rng(1), { sameClass: 2 }), InputError);
  });
});
