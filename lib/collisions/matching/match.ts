/**
 * From embeddings to answers: the distance matrix of a group, the per-class assignment of tasks 2
 * and 3, and the choice of the task-3 rejection threshold.
 *
 * Task 2 (complete matching). Audio items and video items are classified first; for each predicted
 * class c the audio items A_c and video items V_c form a distance matrix D_c[i][j] = ‖f(a_i) − g(v_j)‖₂
 * and the assignment problem min Σ D_c[i][σ(i)] is solved exactly (Hungarian). When the classifiers
 * disagree on a class's size (|A_c| ≠ |V_c|), the rectangular solution leaves items over; a second
 * round assigns the left-over audio to the left-over videos across classes, on the same distances,
 * so every audio item gets a video as task 2 requires. (Task 3 has no second round: there, a class
 * with more audio than video items is what missing videos look like.)
 *
 * Task 3 (incomplete matching). Some audio items have no video. A distance threshold τ, chosen on
 * validation data, decides: with `rejection: 'dummy'` (default) each audio item may take a dummy
 * video at cost τ — the assignment then rejects an item exactly when every video it could take costs
 * more than τ, jointly optimal over the group (`hungarianWithReject` in ./hungarian); with
 * `rejection: 'post'` the task-2 assignment is computed and pairs with D > τ are answered −1.
 * The difference: the dummy form lets a rejected item's video go to another audio item.
 *
 * `method: 'greedy'` swaps the Hungarian solver for the greedy baseline everywhere (with τ, pairs
 * above τ are never taken), for the Hungarian-vs-greedy comparison.
 */
import { greedyMatch, hungarian, hungarianWithReject } from './hungarian';
import { InputError } from '../../util/errors';

/** What the models say about one group (a task folder): classes and the audio × video distances. */
export interface GroupPrediction {
  /** Predicted class of each audio item. */
  audioClasses: number[];
  /** Predicted class of each video item. */
  videoClasses: number[];
  /** distances[i][j] = D(audio i, video j). */
  distances: number[][];
}

/** How a group is assigned. */
export interface AssignOptions {
  /** Exact assignment or the greedy baseline (default hungarian). */
  method?: 'hungarian' | 'greedy';
  /** Task 3: answer −1 beyond this distance (default: none, task 2). */
  threshold?: number;
  /** How τ is applied (default dummy; see the module comment). */
  rejection?: 'dummy' | 'post';
  /** Match within predicted classes first (default true); false matches the whole group at once. */
  classGating?: boolean;
}

/** Euclidean distances between every row of `a` (`[n, dim]`) and every row of `b` (`[m, dim]`). */
export function distanceMatrix(a: Float32Array, b: Float32Array, dim: number): number[][] {
  if (!(dim > 0) || a.length % dim !== 0 || b.length % dim !== 0) throw new InputError('distanceMatrix', `embeddings of ${a.length} and ${b.length} values do not form rows of ${dim}`);
  const n = a.length / dim;
  const m = b.length / dim;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: m }, (_, j) => {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const diff = a[i * dim + k] - b[j * dim + k];
        s += diff * diff;
      }
      return Math.sqrt(s);
    }),
  );
}

/** Solves one (sub)matrix with the chosen method and threshold; returns a column or −1 per row. */
function solve(cost: number[][], method: 'hungarian' | 'greedy', threshold: number | undefined, rejection: 'dummy' | 'post'): number[] {
  if (cost.length === 0) return [];
  if (threshold === undefined) return method === 'greedy' ? greedyMatch(cost) : hungarian(cost);
  if (rejection === 'post') {
    const a = method === 'greedy' ? greedyMatch(cost) : hungarian(cost);
    return a.map((j, i) => (j >= 0 && cost[i][j] > threshold ? -1 : j));
  }
  if (method === 'greedy') return greedyMatch(cost.map((row) => row.map((d) => (d > threshold ? Infinity : d))));
  return hungarianWithReject(cost, threshold);
}

/** Rows `rows` and columns `cols` of a matrix. */
function sub(m: number[][], rows: number[], cols: number[]): number[][] {
  return rows.map((i) => cols.map((j) => m[i][j]));
}

/**
 * Assigns every audio item of a group to a video index or −1 (see the module comment). Returns one
 * entry per audio item.
 */
export function assignGroup(pred: GroupPrediction, options: AssignOptions = {}): number[] {
  const { audioClasses, videoClasses, distances } = pred;
  const method = options.method ?? 'hungarian';
  const rejection = options.rejection ?? 'dummy';
  const threshold = options.threshold;
  if (distances.length !== audioClasses.length || distances.some((r) => r.length !== videoClasses.length)) {
    throw new InputError('assignGroup', `distances must be ${audioClasses.length} × ${videoClasses.length}`);
  }
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new InputError('assignGroup', `threshold must be finite, got ${threshold}`);
  const answer = new Array<number>(audioClasses.length).fill(-1);
  const videoUsed = new Array<boolean>(videoClasses.length).fill(false);
  const place = (rows: number[], cols: number[]) => {
    solve(sub(distances, rows, cols), method, threshold, rejection).forEach((j, r) => {
      if (j < 0) return;
      answer[rows[r]] = cols[j];
      videoUsed[cols[j]] = true;
    });
  };
  const gating = options.classGating ?? true;
  if (gating) {
    const classes = [...new Set([...audioClasses, ...videoClasses])].sort((x, y) => x - y);
    for (const c of classes) {
      const rows = audioClasses.flatMap((k, i) => (k === c ? [i] : []));
      const cols = videoClasses.flatMap((k, j) => (k === c ? [j] : []));
      if (rows.length > 0 && cols.length > 0) place(rows, cols);
    }
  }
  // Without gating, one round over the whole group. With gating, a second round only for task 2,
  // where every audio item must get a video; in task 3 a class with more audio than video items is
  // what missing videos look like, so its left-over audio is answered −1.
  if (!gating || threshold === undefined) {
    const rows = answer.flatMap((j, i) => (j < 0 ? [i] : []));
    const cols = videoClasses.flatMap((_, j) => (videoUsed[j] ? [] : [j]));
    if (rows.length > 0 && cols.length > 0) place(rows, cols);
  }
  return answer;
}

/** One validation group for choosing τ: what the models predict and the true answers. */
export interface ThresholdGroup {
  pred: GroupPrediction;
  /** True video index (or −1) per audio item. */
  truth: number[];
}

/** The outcome of `chooseThreshold`. */
export interface ThresholdChoice {
  threshold: number;
  /** Task-3 accuracy over the validation groups at the chosen τ. */
  accuracy: number;
  /** Accuracy at every candidate τ (for the figure). */
  curve: { threshold: number; accuracy: number }[];
}

/**
 * Chooses τ to maximise task-3 accuracy over validation groups. Candidates: `steps` quantiles of the
 * validation distances from each audio item to its three nearest videos; among equally good τ, the centre of the longest best run (in distance, up to
 * the worse neighbours) is taken, which keeps away from the edges where accuracy starts to drop.
 */
export function chooseThreshold(groups: readonly ThresholdGroup[], options: Omit<AssignOptions, 'threshold'> = {}, steps = 60): ThresholdChoice {
  // The decisions happen near each audio item's nearest videos, so candidates are quantiles of every
  // row's three smallest distances (quantiles of all distances would be mostly far negatives).
  const all = groups
    .flatMap((g) => g.pred.distances.flatMap((row) => row.filter(Number.isFinite).sort((a, b) => a - b).slice(0, 3)))
    .sort((a, b) => a - b);
  if (all.length === 0) throw new InputError('chooseThreshold', 'no validation distances');
  const candidates = [...new Set(Array.from({ length: steps }, (_, k) => all[Math.min(all.length - 1, Math.round(((k + 0.5) / steps) * (all.length - 1)))]))];
  const total = groups.reduce((s, g) => s + g.truth.length, 0);
  const accuracyAt = (threshold: number) => {
    let correct = 0;
    for (const g of groups) assignGroup(g.pred, { ...options, threshold }).forEach((j, i) => (correct += j === g.truth[i] ? 1 : 0));
    return correct / total;
  };
  const curve = candidates.map((threshold) => ({ threshold, accuracy: accuracyAt(threshold) }));
  const bestAcc = Math.max(...curve.map((c) => c.accuracy));
  // The longest run of consecutive candidates at the best accuracy.
  let best: [number, number] = [0, 0];
  let found = false;
  for (let k = 0; k < curve.length; k++) {
    if (curve[k].accuracy !== bestAcc) continue;
    let e = k;
    while (e + 1 < curve.length && curve[e + 1].accuracy === bestAcc) e++;
    if (!found || e - k > best[1] - best[0]) best = [k, e];
    found = true;
    k = e;
  }
  // Its centre in distance, between the neighbouring candidates that are worse: the τ with the widest
  // margin on both sides. Kept only if it scores as well (distances between candidates may differ).
  const lo = curve[Math.max(0, best[0] - 1)].threshold;
  const hi = curve[Math.min(curve.length - 1, best[1] + 1)].threshold;
  const centre = (lo + hi) / 2;
  const centreAcc = accuracyAt(centre);
  const mid = centreAcc >= bestAcc ? { threshold: centre, accuracy: centreAcc } : curve[Math.floor((best[0] + best[1]) / 2)];
  return { threshold: mid.threshold, accuracy: mid.accuracy, curve };
}
