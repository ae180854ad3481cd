/**
 * The linear assignment problem: given a cost matrix C (rows × cols), choose at most one column per
 * row and at most one row per column so that min(rows, cols) pairs are formed and Σ C[i][σ(i)] is
 * minimal. Matching every audio clip of a group to the video it came from, given the learnt
 * audio–video distances, is this problem (Kuhn's "Hungarian method", 1955).
 *
 * `hungarian` solves it exactly in O(n²m) (n = min(rows, cols), m = max) with the shortest
 * augmenting path form of Jonker & Volgenant (1987): rows are added one at a time, each by a
 * Dijkstra-like search over reduced costs C[i][j] − u[i] − v[j] ≥ 0 that keeps the dual potentials
 * u, v feasible, so the final matching is optimal by LP duality. `greedyMatch` is the baseline that
 * repeatedly takes the cheapest remaining pair.
 *
 * Conventions shared by every function here:
 * - the result has one entry per row: the assigned column, or -1;
 * - `+Infinity` marks a forbidden pair: it is never assigned. Rows are then left out only where no
 *   allowed pairing exists: the solution has the largest number of allowed pairs possible and, among
 *   those, the least total cost;
 * - `NaN` and `-Infinity` are rejected with an InputError (a cost of −∞ has no finite optimum);
 * - ragged rows are rejected.
 */
import { InputError } from '../../util/errors';

/** Where cost-matrix errors are reported (the matrix is not a file). */
const WHAT = 'cost matrix';

/** Validates the matrix and returns its column count (0 for an empty matrix). */
function checkCost(cost: readonly (readonly number[])[]): number {
  if (!Array.isArray(cost)) throw new InputError(WHAT, 'must be an array of rows');
  const cols = cost.length ? cost[0].length : 0;
  cost.forEach((r, i) => {
    if (!Array.isArray(r) && !ArrayBuffer.isView(r)) throw new InputError(WHAT, 'must be an array of rows', `row ${i}`);
    const row = r as ArrayLike<unknown>;
    if (row.length !== cols) throw new InputError(WHAT, `rows must have equal lengths: row 0 has ${cols} entries, row ${i} has ${row.length}`);
    for (let j = 0; j < cols; j++) {
      const c = row[j];
      if (typeof c !== 'number' || Number.isNaN(c)) throw new InputError(WHAT, `entry is ${String(c)}; every cost must be a number (use Infinity to forbid a pair)`, `${i}][${j}`);
      if (c === -Infinity) throw new InputError(WHAT, 'entry is -Infinity, which has no finite optimum (use a large negative number to force a pair)', `${i}][${j}`);
    }
  });
  return cols;
}

/**
 * Solves the assignment problem for n ≤ m (rows ≤ cols) on a finite matrix, returning the column of
 * each row. The classic potentials formulation, 1-indexed with a virtual column 0.
 */
function solveWide(a: Float64Array[], n: number, m: number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row matched to column j (0 = none)
  const way = new Int32Array(m + 1); // way[j]: previous column on the shortest path to j
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      const row = a[i0 - 1];
      const ui = u[i0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = row[j - 1] - ui - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      // Shift the potentials so the tree's edges stay tight and the new column's edge becomes tight.
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Augment along the path back to the virtual column.
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] !== 0) colOf[p[j] - 1] = j - 1;
  return colOf;
}

/**
 * Minimum-cost assignment (see the module comment). For each row, the assigned column or -1:
 * with rows ≤ cols every row is assigned (unless forbidden pairs make it impossible); with
 * rows > cols, rows − cols rows get -1. O(n²·m) time, O(n·m) memory.
 *
 * @example hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]]) // → [1, 0, 2], total cost 5
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const cols = checkCost(cost);
  const rows = cost.length;
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // Forbidden pairs become one big finite cost: larger than any difference a set of allowed pairs
  // can make, so the optimum uses as few of them as possible; they are unassigned afterwards.
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of cost) {
    for (let j = 0; j < cols; j++) {
      const c = row[j];
      if (c !== Infinity) {
        if (c < lo) lo = c;
        if (c > hi) hi = c;
      }
    }
  }
  if (lo === Infinity) return new Array<number>(rows).fill(-1);
  const k = Math.min(rows, cols);
  const big = (hi - lo) * (k + 1) + 1;
  if (!Number.isFinite(big)) throw new InputError(WHAT, `finite costs span ${lo} to ${hi}, too wide to solve in double precision`);
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  const a: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      // Costs shifted by the minimum (so ≥ 0): the same optimum, and `big` stays well scaled.
      const c = transposed ? cost[j][i] : cost[i][j];
      r[j] = c === Infinity ? big : c - lo;
    }
    a.push(r);
  }
  const sol = solveWide(a, n, m);
  const out = new Array<number>(rows).fill(-1);
  for (let i = 0; i < n; i++) {
    const j = sol[i];
    if (j < 0) continue;
    const [r, c] = transposed ? [j, i] : [i, j];
    if (cost[r][c] !== Infinity) out[r] = c;
  }
  return out;
}

/**
 * Greedy matching, the baseline: repeatedly take the cheapest pair whose row and column are both
 * still free (ties: lower row, then lower column). Forbidden (+Infinity) pairs are never taken.
 * Not optimal in general: a cheap early pair can force expensive later ones.
 */
export function greedyMatch(cost: readonly (readonly number[])[]): number[] {
  const cols = checkCost(cost);
  const rows = cost.length;
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (cost[i][j] !== Infinity) pairs.push([cost[i][j], i, j]);
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const out = new Array<number>(rows).fill(-1);
  const colUsed = new Uint8Array(cols);
  let left = Math.min(rows, cols);
  for (const [, i, j] of pairs) {
    if (left === 0) break;
    if (out[i] !== -1 || colUsed[j]) continue;
    out[i] = j;
    colUsed[j] = 1;
    left--;
  }
  return out;
}

/**
 * Assignment with a reject option: each row may also stay unassigned (-1) at cost `rejectCost`.
 * Solved exactly by appending one dummy column per row whose only finite entry (`rejectCost`) is
 * on its own row, so a row is rejected exactly when every available real column would cost more
 * than rejecting it, jointly over the whole matrix. Columns may stay unused.
 */
export function hungarianWithReject(cost: readonly (readonly number[])[], rejectCost: number): number[] {
  const cols = checkCost(cost);
  if (!Number.isFinite(rejectCost)) throw new InputError(WHAT, `rejectCost must be finite, got ${rejectCost}`);
  const rows = cost.length;
  const padded = cost.map((row, i) => {
    const r = Array.from(row);
    for (let d = 0; d < rows; d++) r.push(d === i ? rejectCost : Infinity);
    return r;
  });
  return hungarian(padded).map((j) => (j >= cols ? -1 : j));
}

/** Σ cost[i][assignment[i]] over the assigned rows (rows with -1 add nothing). */
export function assignmentCost(cost: readonly (readonly number[])[], assignment: readonly number[]): number {
  if (assignment.length !== cost.length) throw new InputError(WHAT, `assignment has ${assignment.length} entries for ${cost.length} rows`);
  const seen = new Set<number>();
  let total = 0;
  assignment.forEach((j, i) => {
    if (j === -1) return;
    if (!Number.isInteger(j) || j < 0 || j >= (cost[i]?.length ?? 0)) throw new InputError(WHAT, `assignment names column ${j}, which does not exist`, `row ${i}`);
    if (seen.has(j)) throw new InputError(WHAT, `column ${j} is assigned twice`, `row ${i}`);
    seen.add(j);
    total += cost[i][j];
  });
  return total;
}
