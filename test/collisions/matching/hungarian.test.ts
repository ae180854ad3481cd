import assert from 'node:assert/strict';
import { assignmentCost, greedyMatch, hungarian, hungarianWithReject } from '../../../lib/collisions/matching/hungarian';
import { InputError } from '../../../lib/util/errors';
import { Rng } from '../../../lib/util/rng';

type Matrix = number[][];

function randomMatrix(rng: Rng, rows: number, cols: number, kind: 'int' | 'float' | 'forbidden'): Matrix {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => {
      if (kind === 'int') return rng.int(10);
      if (kind === 'float') return rng.normal(0, 5);
      return rng.uniform() < 0.3 ? Infinity : rng.int(20) - 5;
    }),
  );
}

/**
 * Exhaustive search over every injective map from the smaller side into the larger one. Returns the
 * best (allowed pairs, total cost): most allowed pairs first, then least cost, which is what
 * `hungarian` promises when some pairs are forbidden.
 */
function bruteForce(cost: Matrix): { pairs: number; total: number } {
  const rows = cost.length;
  const cols = rows ? cost[0].length : 0;
  const small = Math.min(rows, cols);
  const large = Math.max(rows, cols);
  const at = (s: number, l: number) => (rows <= cols ? cost[s][l] : cost[l][s]);
  let best = { pairs: -1, total: Infinity };
  const used = new Array<boolean>(large).fill(false);
  const walk = (s: number, pairs: number, total: number) => {
    if (s === small) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total)) best = { pairs, total };
      return;
    }
    for (let l = 0; l < large; l++) {
      if (used[l]) continue;
      used[l] = true;
      const c = at(s, l);
      if (c === Infinity) walk(s + 1, pairs, total);
      else walk(s + 1, pairs + 1, total + c);
      used[l] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

/** Checks the result is a valid partial matching and returns (pairs, total). */
function score(cost: Matrix, assignment: number[]): { pairs: number; total: number } {
  assert.equal(assignment.length, cost.length);
  const total = assignmentCost(cost, assignment); // also checks that no column is used twice
  const pairs = assignment.filter((j) => j >= 0).length;
  assignment.forEach((j, i) => j >= 0 && assert.notEqual(cost[i][j], Infinity, `row ${i} was given a forbidden column`));
  return { pairs, total };
}

/** Exact optimum by dynamic programming over subsets of the columns (cols ≤ ~14): independent of any augmenting-path idea. */
function subsetDp(cost: Matrix): number {
  const rows = cost.length;
  const cols = cost[0].length;
  assert.ok(rows <= cols && cols <= 14);
  // dp[mask] = least cost of assigning the first popcount(mask) rows to the columns in mask.
  const dp = new Float64Array(1 << cols).fill(Infinity);
  dp[0] = 0;
  let best = Infinity;
  for (let mask = 0; mask < 1 << cols; mask++) {
    if (dp[mask] === Infinity) continue;
    let i = 0;
    for (let b = mask; b; b &= b - 1) i++;
    if (i === rows) {
      best = Math.min(best, dp[mask]);
      continue;
    }
    for (let j = 0; j < cols; j++) {
      if (mask & (1 << j)) continue;
      const next = mask | (1 << j);
      dp[next] = Math.min(dp[next], dp[mask] + cost[i][j]);
    }
  }
  return best;
}

/**
 * Exact optimum as a min-cost flow (source → rows → cols → sink, unit capacities) solved by
 * successive shortest paths with Bellman–Ford on the residual graph: a different algorithm from the
 * one under test, for sizes where brute force and the subset DP are out of reach.
 */
function minCostFlow(cost: Matrix): number {
  const rows = cost.length;
  const cols = cost[0].length;
  const N = rows + cols + 2;
  const S = rows + cols;
  const T = S + 1;
  type Edge = { to: number; cap: number; cost: number; rev: number };
  const g: Edge[][] = Array.from({ length: N }, () => []);
  const add = (u: number, v: number, c: number) => {
    g[u].push({ to: v, cap: 1, cost: c, rev: g[v].length });
    g[v].push({ to: u, cap: 0, cost: -c, rev: g[u].length - 1 });
  };
  for (let i = 0; i < rows; i++) add(S, i, 0);
  for (let j = 0; j < cols; j++) add(rows + j, T, 0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) add(i, rows + j, cost[i][j]);
  let total = 0;
  for (let flow = 0; flow < Math.min(rows, cols); flow++) {
    const dist = new Array<number>(N).fill(Infinity);
    const prev: [number, number][] = new Array(N);
    dist[S] = 0;
    for (let round = 0; round < N; round++) {
      let changed = false;
      for (let u = 0; u < N; u++) {
        if (dist[u] === Infinity) continue;
        g[u].forEach((e, k) => {
          if (e.cap > 0 && dist[u] + e.cost < dist[e.to] - 1e-12) {
            dist[e.to] = dist[u] + e.cost;
            prev[e.to] = [u, k];
            changed = true;
          }
        });
      }
      if (!changed) break;
    }
    for (let v = T; v !== S; ) {
      const [u, k] = prev[v];
      const e = g[u][k];
      e.cap -= 1;
      g[v][e.rev].cap += 1;
      v = u;
    }
    total += dist[T];
  }
  return total;
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('hungarian', () => {
  it('solves a hand-made case and shows why greedy is not enough', () => {
    const cost = [
      [1, 2],
      [2, 100],
    ];
    assert.deepEqual(hungarian(cost), [1, 0]); // 2 + 2 = 4
    assert.deepEqual(greedyMatch(cost), [0, 1]); // 1 + 100 = 101
    assert.deepEqual(hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), [1, 0, 2]);
  });

  for (const kind of ['int', 'float', 'forbidden'] as const) {
    it(`is optimal on every size 1..5 × 1..5 against brute force (${kind} costs, 6 seeds each)`, () => {
      let cases = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const rng = new Rng(seed * 101 + kind.length);
        for (let rows = 1; rows <= 5; rows++) {
          for (let cols = 1; cols <= 5; cols++) {
            const cost = randomMatrix(rng, rows, cols, kind);
            const want = bruteForce(cost);
            const got = score(cost, hungarian(cost));
            const what = `${kind} ${rows}×${cols} seed ${seed} ${JSON.stringify(cost)}`;
            assert.equal(got.pairs, want.pairs, `${what}: pairs`);
            close(got.total, want.total, what);
            if (kind !== 'forbidden') assert.equal(got.pairs, Math.min(rows, cols), `${what}: complete on the smaller side`);
            cases++;
          }
        }
      }
      assert.equal(cases, 150);
    });
  }

  it('rows > cols leaves exactly rows − cols rows unassigned; cols > rows assigns every row', () => {
    const rng = new Rng(5);
    const tall = randomMatrix(rng, 7, 3, 'float');
    assert.equal(hungarian(tall).filter((j) => j === -1).length, 4);
    const wide = randomMatrix(rng, 3, 7, 'float');
    assert.ok(hungarian(wide).every((j) => j >= 0));
  });

  it('matches a subset DP on random 10×10, 8×12 and 12×12 matrices', () => {
    const rng = new Rng(77);
    for (const [r, c] of [[10, 10], [8, 12], [12, 12], [11, 13]]) {
      for (let t = 0; t < 3; t++) {
        const cost = randomMatrix(rng, r, c, t === 0 ? 'int' : 'float');
        close(score(cost, hungarian(cost)).total, subsetDp(cost), `${r}×${c}`);
      }
    }
  });

  it('matches a min-cost flow on random 30×30, 20×35 and 35×20 matrices', () => {
    const rng = new Rng(3);
    for (const [r, c] of [[30, 30], [20, 35], [35, 20], [40, 40]]) {
      for (let t = 0; t < 3; t++) {
        const cost = randomMatrix(rng, r, c, t === 1 ? 'int' : 'float');
        const got = score(cost, hungarian(cost));
        assert.equal(got.pairs, Math.min(r, c));
        close(got.total, minCostFlow(cost), `${r}×${c} trial ${t}`);
        // Never worse than greedy.
        assert.ok(got.total <= assignmentCost(cost, greedyMatch(cost)) + 1e-9);
      }
    }
  });

  it('is invariant to adding a constant to a row or a column (same optimal total shift)', () => {
    const rng = new Rng(11);
    const cost = randomMatrix(rng, 6, 6, 'float');
    const base = assignmentCost(cost, hungarian(cost));
    const shifted = cost.map((row, i) => row.map((c) => c + (i === 2 ? 7.5 : 0)));
    close(assignmentCost(shifted, hungarian(shifted)), base + 7.5, 'row shift');
  });

  it('runs 200×200 quickly (O(n³))', () => {
    const rng = new Rng(9);
    const cost = randomMatrix(rng, 200, 200, 'float');
    const t0 = Date.now();
    const a = hungarian(cost);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(new Set(a).size, 200);
  });

  it('treats Infinity as forbidden and leaves a row out only when it must', () => {
    const a = hungarian([[Infinity, 1], [Infinity, 2]]);
    assert.deepEqual(a, [1, -1]); // row 0 takes column 1 (cost 1 < 2); row 1 has no allowed column left
    assert.deepEqual(hungarian([[Infinity, Infinity], [Infinity, Infinity]]), [-1, -1]);
    // An allowed but expensive pair beats leaving a row out.
    assert.deepEqual(hungarian([[1000, Infinity], [1, 2]]), [0, 1]);
  });

  it('handles empty and degenerate shapes', () => {
    assert.deepEqual(hungarian([]), []);
    assert.deepEqual(hungarian([[], []]), [-1, -1]);
    assert.deepEqual(hungarian([[3]]), [0]);
    assert.deepEqual(greedyMatch([]), []);
  });

  it('rejects NaN, -Infinity and ragged rows with clear errors', () => {
    assert.throws(() => hungarian([[1, NaN]]), (e: Error) => e instanceof InputError && /NaN/.test(e.message) && /0\]\[1/.test(e.message));
    assert.throws(() => hungarian([[1, -Infinity]]), (e: Error) => e instanceof InputError && /-Infinity/.test(e.message));
    assert.throws(() => hungarian([[1, 2], [3]]), /equal lengths/);
    assert.throws(() => greedyMatch([[NaN]]), InputError);
    assert.throws(() => hungarian([[1e308, -1e308]]), /too wide/);
  });
});

describe('greedyMatch', () => {
  it('takes the cheapest free pair first and never a forbidden one', () => {
    assert.deepEqual(greedyMatch([[5, 1], [0, 9]]), [1, 0]);
    assert.deepEqual(greedyMatch([[Infinity, Infinity], [1, 2]]), [-1, 0]);
    assert.deepEqual(greedyMatch([[1], [0], [2]]), [-1, 0, -1]);
  });
});

describe('hungarianWithReject', () => {
  it('rejects a row exactly when all its options cost more than rejecting', () => {
    const cost = [
      [0.1, 5],
      [0.2, 6],
      [4, 0.3],
    ];
    // Row 1 would have to take column 0 from row 0 (0.2 + 5) or pay 6: rejecting (1.0) is cheaper.
    assert.deepEqual(hungarianWithReject(cost, 1), [0, -1, 1]);
    // Only two columns: one row must be rejected whatever the price, the same one plain hungarian leaves out.
    assert.deepEqual(hungarian(cost), [0, -1, 1]);
    assert.deepEqual(hungarianWithReject(cost, 100), [0, -1, 1]);
    assert.deepEqual(hungarianWithReject(cost, 0.05), [-1, -1, -1]);
  });

  it('is optimal against brute force over reject sets on small random cases', () => {
    const rng = new Rng(21);
    for (let t = 0; t < 60; t++) {
      const rows = 1 + rng.int(5);
      const cols = 1 + rng.int(5);
      const cost = randomMatrix(rng, rows, cols, 'float').map((r) => r.map(Math.abs));
      const reject = rng.range(0, 6);
      const got = hungarianWithReject(cost, reject);
      const gotTotal = assignmentCost(cost, got) + got.filter((j) => j === -1).length * reject;
      // Brute force: every row either rejects or takes a distinct column.
      let best = Infinity;
      const used = new Array<boolean>(cols).fill(false);
      const walk = (i: number, total: number) => {
        if (i === rows) return void (best = Math.min(best, total));
        walk(i + 1, total + reject);
        for (let j = 0; j < cols; j++) {
          if (used[j]) continue;
          used[j] = true;
          walk(i + 1, total + cost[i][j]);
          used[j] = false;
        }
      };
      walk(0, 0);
      close(gotTotal, best, `case ${t}`);
    }
  });

  it('rejects a non-finite reject cost', () => {
    assert.throws(() => hungarianWithReject([[1]], Infinity), InputError);
  });
});
