/**
 * The audio/video disagreement table as a 2 × 2 heatmap: rows audio right / wrong, columns video
 * right / wrong; optionally each cell also says how often the fused model is right there.
 */
import type { DisagreementCounts, Resolution } from '../experiments/conflict';
import { avlabLayout } from '../../plots/theme';
import type { Figure } from '../../plots/types';

/** Options of {@link disagreementFigure}. */
export interface DisagreementFigureOptions {
  title?: string;
  /** Adds "fused right x %" to each cell (from `resolution`). */
  resolution?: Resolution;
}

/**
 * Heatmap of the four disagreement counts with count and share in each cell; z holds the counts
 * as `[[bothRight, audioOnly], [videoOnly, neither]]` (y: audio right, audio wrong; x: video
 * right, video wrong). Throws when the counts do not add up to the total.
 */
export function disagreementFigure(counts: DisagreementCounts, options: DisagreementFigureOptions = {}): Figure {
  const { bothRight, audioOnly, videoOnly, neither, total } = counts;
  if (bothRight + audioOnly + videoOnly + neither !== total || total <= 0) {
    throw new Error(`disagreementFigure: cells ${bothRight}+${audioOnly}+${videoOnly}+${neither} do not make a positive total ${total}`);
  }
  const z = [
    [bothRight, audioOnly],
    [videoOnly, neither],
  ];
  const res = options.resolution;
  const fused = res
    ? [
        [res.bothRight, res.audioOnly],
        [res.videoOnly, res.neither],
      ]
    : undefined;
  const text = z.map((row, i) =>
    row.map((v, j) => {
      let t = `${v}<br>(${((100 * v) / total).toFixed(1)}%)`;
      const cell = fused?.[i][j];
      if (cell && cell.clips > 0) t += `<br>fused right ${(100 * cell.rate).toFixed(1)}%`;
      return t;
    }),
  );
  return {
    data: [
      {
        type: 'heatmap',
        x: ['video right', 'video wrong'],
        y: ['audio right', 'audio wrong'],
        z,
        text,
        texttemplate: '%{text}',
        textfont: { size: 13 },
        colorscale: [
          [0, '#f7fbff'],
          [0.5, '#6baed6'],
          [1, '#08306b'],
        ],
        zmin: 0,
        zmax: Math.max(1, ...z.flat()),
        xgap: 2,
        ygap: 2,
        colorbar: { title: { text: 'clips' }, thickness: 14 },
        hovertemplate: '%{y}, %{x}<br>%{text}<extra></extra>',
      },
    ],
    layout: avlabLayout(options.title ?? 'Audio vs video: who is right?', {
      width: 560,
      height: 460,
      xaxis: { type: 'category', showgrid: false, ticks: '', side: 'top' },
      yaxis: { type: 'category', autorange: 'reversed', showgrid: false, ticks: '' },
    }),
  };
}
