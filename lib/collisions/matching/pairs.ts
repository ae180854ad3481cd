/**
 * Balanced pair sampling for the contrastive loss. With γ samples per class there are γ matching
 * (audio, trajectory) pairs and γ² − γ non-matching ones; training on all of them would drown the
 * positives (the imbalance the source report fought with λ). Instead every audio sample is an anchor
 * once per epoch and contributes one positive pair (its own trajectory) and one negative pair.
 *
 * Negatives come from the **same class** by default: at test time audio and video are first
 * classified and only items of one predicted class are matched with each other, so the embedding
 * has to separate impacts of the same object; telling a basketball from a screwdriver is the
 * classifiers' job. A fraction of cross-class negatives (`sameClass` < 1) keeps the metric sane
 * when a classifier errs.
 */
import { Rng } from '../../util/rng';
import { InputError } from '../../util/errors';

/** One negative partner per anchor. */
export interface NegativeOptions {
  /** Probability that a negative comes from the anchor's class (default 1). */
  sameClass?: number;
}

/**
 * For each anchor index, a different sample index to pair it with as a negative: from the anchor's
 * class with probability `sameClass` (when the class has another member), else from any other class.
 * Deterministic for a given `rng` state.
 */
export function sampleNegatives(objects: ArrayLike<number>, anchors: readonly number[], rng: Rng, opts: NegativeOptions = {}): Int32Array {
  const sameClass = opts.sameClass ?? 1;
  if (!(sameClass >= 0 && sameClass <= 1)) throw new InputError('sampleNegatives', `sameClass must lie in [0, 1], got ${sameClass}`);
  const n = objects.length;
  if (n < 2) throw new InputError('sampleNegatives', `needs at least two samples, got ${n}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(objects[i]) ?? [];
    list.push(i);
    byClass.set(objects[i], list);
  }
  const out = new Int32Array(anchors.length);
  anchors.forEach((a, k) => {
    if (!Number.isInteger(a) || a < 0 || a >= n) throw new InputError('sampleNegatives', `anchor ${a} is not a sample index`);
    const own = byClass.get(objects[a])!;
    const wantSame = rng.uniform() < sameClass;
    if ((wantSame && own.length > 1) || own.length === n) {
      // Any member of the class but the anchor itself.
      let j = own[rng.int(own.length - 1)];
      if (j === a) j = own[own.length - 1];
      out[k] = j;
    } else {
      // Any sample outside the class.
      let j = rng.int(n - own.length);
      // Map j onto the (n − |own|) samples not in the class, in index order.
      for (let i = 0; i < n; i++) {
        if (objects[i] === objects[a]) continue;
        if (j-- === 0) {
          out[k] = i;
          break;
        }
      }
    }
  });
  return out;
}
