/**
 * Training curves: train and cv loss per epoch on the left axis, cv accuracy on the right, and
 * the epoch the model was selected at (early stopping / best checkpoint) marked.
 */
import { ACCENT, avlabLayout, seriesColour } from './theme';
import type { Figure, Trace } from './types';

/** One epoch of a training run. Accuracy may be a fraction (0–1) or a percentage. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  cvLoss: number;
  cvAccuracy: number;
}

/** Options for `lossCurves`. */
export interface LossCurvesOptions {
  title?: string;
  /** The selected epoch; defaults to the epoch with the lowest cv loss. */
  bestEpoch?: number;
}

/**
 * Train/cv loss and cv accuracy per epoch with the best epoch marked by a vertical line, a
 * marker on the cv-loss curve and an annotation. Throws if `history` is empty or `bestEpoch`
 * is not one of its epochs.
 */
export function lossCurves(history: readonly EpochRecord[], options: LossCurvesOptions = {}): Figure {
  if (history.length === 0) throw new Error('lossCurves: history is empty');
  const best = options.bestEpoch ?? lowestCvLossEpoch(history);
  const bestRecord = history.find((h) => h.epoch === best);
  if (bestRecord === undefined) {
    throw new Error(`lossCurves: bestEpoch ${best} is not in the history (epochs ${history[0].epoch}–${history[history.length - 1].epoch})`);
  }
  const epochs = history.map((h) => h.epoch);
  // Accuracy is stored either way across the code base; show it on a matching axis.
  const fraction = history.every((h) => !Number.isFinite(h.cvAccuracy) || h.cvAccuracy <= 1);
  const accFormat = fraction ? '.1%' : '.1f';
  const line = (name: string, y: number[], colour: string, extra: Partial<Trace> = {}): Trace => ({
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: epochs,
    y,
    line: { color: colour, width: 2 },
    marker: { size: 5, color: colour },
    ...extra,
  });

  const data: Trace[] = [
    line('train loss', history.map((h) => h.trainLoss), seriesColour(0), {
      hovertemplate: 'epoch %{x}<br>train loss %{y:.4f}<extra></extra>',
    }),
    line('cv loss', history.map((h) => h.cvLoss), seriesColour(1), {
      hovertemplate: 'epoch %{x}<br>cv loss %{y:.4f}<extra></extra>',
    }),
    line('cv accuracy', history.map((h) => h.cvAccuracy), seriesColour(2), {
      yaxis: 'y2',
      line: { color: seriesColour(2), width: 2, dash: 'dot' },
      hovertemplate: `epoch %{x}<br>cv accuracy %{y:${accFormat}}<extra></extra>`,
    }),
    {
      type: 'scatter',
      mode: 'markers',
      name: `best epoch (${best})`,
      x: [best],
      y: [bestRecord.cvLoss],
      marker: { symbol: 'star', size: 15, color: ACCENT, line: { color: '#ffffff', width: 1 } },
      hovertemplate: 'best epoch %{x}<br>cv loss %{y:.4f}<extra></extra>',
    },
  ];

  const accText = fraction ? `${(bestRecord.cvAccuracy * 100).toFixed(1)}%` : bestRecord.cvAccuracy.toFixed(1);
  const layout = avlabLayout(options.title ?? 'Training curves', {
    margin: { r: 70 },
    xaxis: { title: { text: 'epoch' } },
    yaxis: { title: { text: 'loss' }, rangemode: 'tozero' },
    yaxis2: {
      title: { text: fraction ? 'cv accuracy' : 'cv accuracy (%)', standoff: 8 },
      overlaying: 'y',
      side: 'right',
      range: fraction ? [0, 1] : [0, 100],
      tickformat: fraction ? '.0%' : undefined,
      showgrid: false,
      showline: true,
      linecolor: '#444',
      ticks: 'outside',
      zeroline: false,
      automargin: true,
    },
    shapes: [
      {
        type: 'line',
        xref: 'x',
        yref: 'paper',
        x0: best,
        x1: best,
        y0: 0,
        y1: 1,
        line: { color: ACCENT, width: 1.5, dash: 'dash' },
      },
    ],
    annotations: [
      {
        x: best,
        xref: 'x',
        y: 1,
        yref: 'paper',
        xanchor: 'left',
        yanchor: 'top',
        xshift: 4,
        showarrow: false,
        align: 'left',
        text: `best epoch ${best}<br>cv loss ${bestRecord.cvLoss.toFixed(3)}, cv acc ${accText}`,
        font: { size: 12, color: ACCENT },
        bgcolor: 'rgba(255,255,255,0.85)',
      },
    ],
  });
  return { data, layout };
}

/** The first epoch with the lowest finite cv loss (the usual checkpoint rule). */
function lowestCvLossEpoch(history: readonly EpochRecord[]): number {
  let best = history[0];
  for (const h of history) {
    if (Number.isFinite(h.cvLoss) && (!Number.isFinite(best.cvLoss) || h.cvLoss < best.cvLoss)) best = h;
  }
  return best.epoch;
}
