/**
 * Overlap measures for localisation: boxes in images and intervals in time.
 *
 *   IoU(A, B) = |A ∩ B| / |A ∪ B|        (0 when both are empty)
 *
 * Boxes are `[x0, y0, x1, y1]` with x1 > x0 and y1 > y0 (pixel edges, so a box covering pixels
 * 2…5 is [2, y, 6, y']); intervals are `[start, end]`.
 */

/** A box `[x0, y0, x1, y1]`. */
export type Box = readonly [number, number, number, number];

/** Intersection over union of two boxes. */
export function boxIoU(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Length of the overlap of two intervals. */
export function intervalOverlap(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/** Intersection over union of two intervals. */
export function intervalIoU(a: readonly [number, number], b: readonly [number, number]): number {
  const inter = intervalOverlap(a, b);
  const union = a[1] - a[0] + (b[1] - b[0]) - inter;
  return union <= 0 ? 0 : inter / union;
}
