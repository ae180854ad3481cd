/**
 * Scores of the matching tasks. The course scores every task by accuracy (the fraction of audio
 * items answered correctly); to see *why* an answer is wrong, errors are split:
 *
 * - **classification**: the audio item, or the video it belongs to, was put in the wrong class, so
 *   per-class matching could not pair them;
 * - **wrong video**: both classified correctly, but the audio was given another video of its class;
 * - **false reject** (task 3): answered −1 although its video is there;
 * - **false accept** (task 3): given a video although it has none.
 *
 * Recall@k measures the embedding alone: the fraction of audio items whose own video is among the
 * k nearest videos of the group.
 */
import { InputError } from '../../util/errors';

/** Fraction of equal entries. */
export function answerAccuracy(predicted: readonly number[], truth: readonly number[]): number {
  if (predicted.length !== truth.length) throw new InputError('answerAccuracy', `${predicted.length} predictions for ${truth.length} items`);
  if (truth.length === 0) return NaN;
  return predicted.reduce((s, p, i) => s + (p === truth[i] ? 1 : 0), 0) / truth.length;
}

/** Counts of a matching task's outcomes (see the module comment). */
export interface MatchingScore {
  items: number;
  correct: number;
  accuracy: number;
  /** Wrong because the audio or its video was misclassified. */
  classificationErrors: number;
  /** Both classified correctly, another video chosen. */
  wrongVideo: number;
  /** Answered −1 although the video is present (classification correct). */
  falseReject: number;
  /** Answered a video although there is none (classification correct). */
  falseAccept: number;
}

/** What `scoreMatching` needs: answers, truth and the classes both sides were given. */
export interface MatchingOutcome {
  /** Answer per audio item: video index or −1. */
  answers: readonly number[];
  /** True video index (or −1) per audio item. */
  truth: readonly number[];
  audioPredicted: readonly number[];
  audioTrue: readonly number[];
  videoPredicted: readonly number[];
  videoTrue: readonly number[];
}

/** Accuracy and the error split of a task-2 or task-3 answer set. */
export function scoreMatching(o: MatchingOutcome): MatchingScore {
  const n = o.truth.length;
  for (const [name, arr] of [['answers', o.answers], ['audioPredicted', o.audioPredicted], ['audioTrue', o.audioTrue]] as const) {
    if (arr.length !== n) throw new InputError('scoreMatching', `${name} has ${arr.length} entries for ${n} audio items`);
  }
  if (o.videoPredicted.length !== o.videoTrue.length) throw new InputError('scoreMatching', 'videoPredicted and videoTrue differ in length');
  const s: MatchingScore = { items: n, correct: 0, accuracy: NaN, classificationErrors: 0, wrongVideo: 0, falseReject: 0, falseAccept: 0 };
  for (let i = 0; i < n; i++) {
    const a = o.answers[i];
    const t = o.truth[i];
    if (a === t) {
      s.correct++;
      continue;
    }
    const audioWrong = o.audioPredicted[i] !== o.audioTrue[i];
    const videoWrong = t >= 0 && o.videoPredicted[t] !== o.videoTrue[t];
    if (audioWrong || videoWrong) s.classificationErrors++;
    else if (a === -1) s.falseReject++;
    else if (t === -1) s.falseAccept++;
    else s.wrongVideo++;
  }
  s.accuracy = n ? s.correct / n : NaN;
  return s;
}

/**
 * Audio→video recall@k: over audio items that have a video, the fraction whose own video is among
 * the k closest (ties counted pessimistically: a video at the same distance ranks ahead).
 */
export function recallAtK(distances: readonly (readonly number[])[], truth: readonly number[], ks: readonly number[]): Record<number, number> {
  if (distances.length !== truth.length) throw new InputError('recallAtK', `${distances.length} rows for ${truth.length} audio items`);
  const ranks: number[] = [];
  truth.forEach((t, i) => {
    if (t < 0) return;
    const own = distances[i][t];
    ranks.push(distances[i].reduce((r, d, j) => r + (j !== t && d <= own ? 1 : 0), 1));
  });
  const out: Record<number, number> = {};
  for (const k of ks) out[k] = ranks.length ? ranks.filter((r) => r <= k).length / ranks.length : NaN;
  return out;
}
