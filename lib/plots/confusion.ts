/** Confusion-matrix heatmap: true class on y (top to bottom), predicted class on x. */
import { avlabLayout } from './theme';
import type { Figure } from './types';

/** Options for `confusionMatrixFigure`. */
export interface ConfusionOptions {
  title?: string;
  /** `'true'` divides each row by its total (per-class recall on the diagonal); default `'none'`. */
  normalise?: 'true' | 'none';
}

/** Sequential blues, light to dark, readable both on screen and in print. */
const BLUES: [number, string][] = [
  [0, '#f7fbff'],
  [0.25, '#c6dbef'],
  [0.5, '#6baed6'],
  [0.75, '#2171b5'],
  [1, '#08306b'],
];

/**
 * A heatmap of `matrix[true][predicted]` with every cell labelled (counts, or rates when
 * `normalise: 'true'`). Rows that sum to zero normalise to zeros. Throws unless the matrix is
 * square, matches `classNames`, and holds finite non-negative values.
 */
export function confusionMatrixFigure(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
  options: ConfusionOptions = {},
): Figure {
  const n = classNames.length;
  if (matrix.length !== n) throw new Error(`confusionMatrixFigure: ${matrix.length} rows for ${n} classes`);
  matrix.forEach((row, i) => {
    if (row.length !== n) throw new Error(`confusionMatrixFigure: row ${i} has ${row.length} columns, expected ${n}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) throw new Error(`confusionMatrixFigure: cell [${i}][${j}] is ${v}; expected a finite count >= 0`);
    });
  });
  const normalise = options.normalise ?? 'none';
  const z = normalise === 'true' ? normaliseRows(matrix) : matrix.map((row) => [...row]);
  const text = z.map((row) => row.map((v) => (normalise === 'true' ? v.toFixed(2) : formatCount(v))));
  const zmax = normalise === 'true' ? 1 : Math.max(1, ...z.flat());
  const names = [...classNames];
  return {
    data: [
      {
        type: 'heatmap',
        x: names,
        y: names,
        z,
        text,
        texttemplate: '%{text}',
        textfont: { size: n > 12 ? 9 : 11 },
        colorscale: BLUES,
        zmin: 0,
        zmax,
        xgap: 1,
        ygap: 1,
        colorbar: { title: { text: normalise === 'true' ? 'rate' : 'count' }, thickness: 14 },
        hovertemplate: 'true %{y}<br>predicted %{x}<br>%{text}<extra></extra>',
      },
    ],
    layout: avlabLayout(options.title ?? 'Confusion matrix', {
      width: 720,
      height: 640,
      margin: { l: 130, b: 120, r: 30 },
      xaxis: { title: { text: 'predicted' }, tickangle: -35, showgrid: false, ticks: '', type: 'category' },
      yaxis: { title: { text: 'true' }, autorange: 'reversed', showgrid: false, ticks: '', type: 'category' },
    }),
  };
}

/** Each row divided by its sum; all-zero rows stay zero rather than becoming NaN. */
export function normaliseRows(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

function formatCount(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
