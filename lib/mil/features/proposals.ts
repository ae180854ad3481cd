/**
 * Class-agnostic region proposals, in the spirit of EdgeBoxes (Zitnick & Dollár, 2014), which
 * Parekh et al. ran on frames sampled at 1 fps: a box that tightly encloses an object contains
 * many edges, while few edges cross its boundary. Here, on small frames:
 *
 * 1. an edge map E: the largest Sobel gradient magnitude over the three colour channels;
 * 2. every sliding window of the sizes `sizes` at stride `stride`, scored by
 *
 *      objectness(b) = (Σ_{p ∈ b} E(p) − Σ_{p ∈ ring(b)} E(p)) / perimeter(b)^κ,
 *
 *    ring(b) being the `ring`-pixel band around b: edges inside count for the box, edges just
 *    outside (an object cut by the box, or clutter around it) count against it;
 * 3. greedy non-maximum suppression (IoU > `nmsIoU` with a better box removes a box), keeping the
 *    `topK` best boxes per frame.
 *
 * Window sums use an integral image, so scoring every window costs four lookups.
 */
import { Box, boxIoU } from '../../metrics/localisation';

/** Proposal options. */
export interface ProposalOptions {
  /** Window sizes [width, height] in pixels. */
  sizes: [number, number][];
  stride: number;
  ring: number;
  /** Perimeter exponent κ. */
  kappa: number;
  nmsIoU: number;
  topK: number;
  /** Weight of the edge term against the colour contrast. */
  edgeWeight: number;
}

function windowSizes(): [number, number][] {
  const sides = [4, 6, 8, 10, 13, 16, 20];
  return sides.flatMap((w) => sides.filter((h) => Math.max(w / h, h / w) <= 5).map((h): [number, number] => [w, h]));
}

export const DEFAULT_PROPOSAL_OPTIONS: ProposalOptions = { sizes: windowSizes(), stride: 1, ring: 2, kappa: 1, nmsIoU: 0.4, topK: 5, edgeWeight: 0 };

/** Edge map of one `size × size × 3` frame: max over channels of the Sobel gradient magnitude. */
export function edgeMap(frame: Float32Array, size: number): Float32Array {
  const E = new Float32Array(size * size);
  const at = (x: number, y: number, c: number) => frame[((Math.min(size - 1, Math.max(0, y)) * size + Math.min(size - 1, Math.max(0, x))) * 3) + c];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let best = 0;
      for (let c = 0; c < 3; c++) {
        const gx = at(x + 1, y - 1, c) + 2 * at(x + 1, y, c) + at(x + 1, y + 1, c) - at(x - 1, y - 1, c) - 2 * at(x - 1, y, c) - at(x - 1, y + 1, c);
        const gy = at(x - 1, y + 1, c) + 2 * at(x, y + 1, c) + at(x + 1, y + 1, c) - at(x - 1, y - 1, c) - 2 * at(x, y - 1, c) - at(x + 1, y - 1, c);
        best = Math.max(best, Math.hypot(gx, gy));
      }
      E[y * size + x] = best;
    }
  }
  return E;
}

/** Integral image with a zero first row and column: I[y][x] = Σ_{y' < y, x' < x} E. */
function integral(E: Float32Array, size: number): Float64Array {
  const n = size + 1;
  const I = new Float64Array(n * n);
  for (let y = 0; y < size; y++) {
    let row = 0;
    for (let x = 0; x < size; x++) {
      row += E[y * size + x];
      I[(y + 1) * n + x + 1] = I[y * n + x + 1] + row;
    }
  }
  return I;
}

/** Greedy non-maximum suppression: indices of kept boxes, best first, at most `topK`. */
export function nonMaxSuppression(boxes: readonly Box[], scores: ArrayLike<number>, iou: number, topK: number): number[] {
  const order = Int32Array.from(boxes.keys()).sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= topK) break;
    if (kept.every((j) => boxIoU(boxes[i], boxes[j]) <= iou)) kept.push(i);
  }
  return kept;
}

/** Per-channel integral images of a `size × size × 3` frame. */
function colourIntegrals(frame: Float32Array, size: number): Float64Array[] {
  return [0, 1, 2].map((c) => integral(Float32Array.from({ length: size * size }, (_, i) => frame[i * 3 + c]), size));
}

/**
 * The `topK` proposals of one frame, best first, with their objectness (see the module comment).
 * Fewer only if the frame has fewer windows.
 */
export function proposeRegions(frame: Float32Array, size: number, o: ProposalOptions = DEFAULT_PROPOSAL_OPTIONS): { boxes: Box[]; scores: number[] } {
  const edges = o.edgeWeight > 0 ? integral(edgeMap(frame, size), size) : null;
  const [R, G, B] = colourIntegrals(frame, size);
  const n = size + 1;
  let total = 0;
  for (const [w, h] of o.sizes) if (w <= size && h <= size) total += Math.ceil((size - h + 1) / o.stride) * Math.ceil((size - w + 1) / o.stride);
  const coords = new Int16Array(4 * total);
  const scores = new Float32Array(total);
  let i = 0;
  for (const [w, h] of o.sizes) {
    if (w > size || h > size) continue;
    const areaIn = w * h;
    for (let y = 0; y + h <= size; y += o.stride) {
      const Y0 = Math.max(0, y - o.ring);
      const Y1 = Math.min(size, y + h + o.ring);
      for (let x = 0; x + w <= size; x += o.stride) {
        const X0 = Math.max(0, x - o.ring);
        const X1 = Math.min(size, x + w + o.ring);
        const areaRing = Math.max(1, (X1 - X0) * (Y1 - Y0) - areaIn);
        // Corner offsets of the box and of the box grown by the ring.
        const a00 = y * n + x, a01 = y * n + x + w, a10 = (y + h) * n + x, a11 = (y + h) * n + x + w;
        const b00 = Y0 * n + X0, b01 = Y0 * n + X1, b10 = Y1 * n + X0, b11 = Y1 * n + X1;
        const r = R[a11] - R[a01] - R[a10] + R[a00];
        const g = G[a11] - G[a01] - G[a10] + G[a00];
        const b = B[a11] - B[a01] - B[a10] + B[a00];
        const dr = r / areaIn - (R[b11] - R[b01] - R[b10] + R[b00] - r) / areaRing;
        const dg = g / areaIn - (G[b11] - G[b01] - G[b10] + G[b00] - g) / areaRing;
        const db = b / areaIn - (B[b11] - B[b01] - B[b10] + B[b00] - b) / areaRing;
        let edge = 0;
        if (edges) {
          const eIn = edges[a11] - edges[a01] - edges[a10] + edges[a00];
          const eAll = edges[b11] - edges[b01] - edges[b10] + edges[b00];
          edge = (o.edgeWeight * Math.max(0, 2 * eIn - eAll)) / (2 * (w + h)) ** o.kappa;
        }
        coords[4 * i] = x;
        coords[4 * i + 1] = y;
        coords[4 * i + 2] = w;
        coords[4 * i + 3] = h;
        scores[i++] = Math.sqrt(dr * dr + dg * dg + db * db) * (1 + edge);
      }
    }
  }
  // NMS only ever looks at the best few hundred windows: cut there with a native sort first.
  const sorted = Float32Array.from(scores).sort();
  const cut = sorted[Math.max(0, sorted.length - 60 * o.topK)];
  const pool: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] >= cut) pool.push(i);
  const box = (i: number): Box => [coords[4 * i], coords[4 * i + 1], coords[4 * i] + coords[4 * i + 2], coords[4 * i + 1] + coords[4 * i + 3]];
  const kept = nonMaxSuppression(pool.map(box), pool.map((i) => scores[i]), o.nmsIoU, o.topK).map((k) => pool[k]);
  return { boxes: kept.map(box), scores: kept.map((i) => scores[i]) };
}
