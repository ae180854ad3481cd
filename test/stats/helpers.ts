/** Shared assertions for the statistics tests. */
import assert from 'node:assert/strict';

/** Asserts |actual − expected| ≤ tol · max(1, |expected|) (relative for large values). */
export function close(actual: number, expected: number, tol = 1e-12): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol * scale, `${actual} is not within ${tol} of ${expected}`);
}

/** Outcome flags with `b` examples A-right/B-wrong, `c` A-wrong/B-right, plus concordant ones. */
export function discordant(b: number, c: number, bothRight = 0, bothWrong = 0): { a: Uint8Array; b: Uint8Array } {
  const n = b + c + bothRight + bothWrong;
  const a = new Uint8Array(n);
  const bb = new Uint8Array(n);
  let i = 0;
  for (let k = 0; k < b; k++, i++) a[i] = 1;
  for (let k = 0; k < c; k++, i++) bb[i] = 1;
  for (let k = 0; k < bothRight; k++, i++) a[i] = bb[i] = 1;
  return { a, b: bb };
}
