/** Attention weights over time: one heatmap row per clip. */
import { avlabLayout } from '../../plots/theme';
import type { Figure } from '../../plots/types';

/** One clip's attention weights over its positions. */
export interface AttentionRow {
  /** Row label, e.g. "bus (predicted tram)". */
  label: string;
  weights: number[];
}

/** Options of `attentionFigure`. */
export interface AttentionFigureOptions {
  title?: string;
  /**
   * Frames per modality when the positions are audio frames followed by video frames (the
   * `attention` model's concatenation): a line marks the boundary and the axis says which is which.
   */
  framesPerModality?: number;
}

/** A heatmap of attention weights α (rows: clips, columns: positions in time). */
export function attentionFigure(rows: readonly AttentionRow[], options: AttentionFigureOptions = {}): Figure {
  if (rows.length === 0) throw new Error('attentionFigure: no rows');
  const width = rows[0].weights.length;
  rows.forEach((r) => {
    if (r.weights.length !== width) throw new Error(`attentionFigure: row "${r.label}" has ${r.weights.length} weights, expected ${width}`);
  });
  const T = options.framesPerModality;
  const x = Array.from({ length: width }, (_, i) => (T ? (i < T ? `a${i + 1}` : `v${i - T + 1}`) : String(i + 1)));
  const shapes = T && width === 2 * T
    ? [{ type: 'line', xref: 'x', yref: 'paper', x0: T - 0.5, x1: T - 0.5, y0: 0, y1: 1, line: { color: '#222', width: 2, dash: 'dot' } }]
    : [];
  return {
    data: [
      {
        type: 'heatmap',
        x: x.map((_, i) => i),
        y: rows.map((r) => r.label),
        z: rows.map((r) => r.weights),
        colorscale: 'Viridis',
        zmin: 0,
        colorbar: { title: { text: 'α' }, thickness: 14 },
        hovertemplate: '%{y}<br>position %{x}<br>α = %{z:.3f}<extra></extra>',
      },
    ],
    layout: avlabLayout(options.title ?? 'Attention weights over time', {
      width: 760,
      height: Math.max(320, 60 + 34 * rows.length),
      margin: { l: 220, b: 70, r: 30 },
      xaxis: {
        title: { text: T ? 'position (a = audio frame, v = video frame)' : 'frame' },
        tickmode: 'array',
        tickvals: x.map((_, i) => i).filter((i) => i % Math.max(1, Math.round(width / 16)) === 0),
        ticktext: x.filter((_, i) => i % Math.max(1, Math.round(width / 16)) === 0),
        showgrid: false,
      },
      yaxis: { autorange: 'reversed', showgrid: false, type: 'category' },
      shapes,
    }),
  };
}
