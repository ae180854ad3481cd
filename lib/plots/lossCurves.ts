/**
 * Training curves of any `fit` run: train and validation loss per epoch on the left axis, one
 * validation metric (accuracy, pair accuracy, recall@1, …) on the right, and the epoch the model was
 * selected at (best checkpoint / early stopping) marked.
 */
import { ACCENT, avlabLayout, seriesColour } from './theme';
import type { Figure, Trace } from './types';
import type { EpochRecord } from '../training/fit';

/** The part of `fit`'s epoch record the figure reads. A metric may be a fraction (0–1) or a percentage. */
/** The curves read `epoch`, `trainLoss`, `valLoss` and `metrics` of training's one record type. */
type CurveRecord = Pick<EpochRecord, 'epoch' | 'trainLoss' | 'valLoss' | 'metrics'>;

/** Options for `lossCurves`. */
export interface LossCurvesOptions {
  title?: string;
  /** The selected epoch; defaults to the epoch with the lowest validation loss. */
  bestEpoch?: number;
  /** The metric on the right axis: default `accuracy` when recorded, else the first metric; `null` for none. */
  metric?: string | null;
  /** How the metric is named on the figure (default: `val <metric>`). */
  metricLabel?: string;
}

/**
 * Train/val loss and a validation metric per epoch with the selected epoch marked by a vertical
 * line, a marker on the val-loss curve and an annotation. Throws if `history` is empty, `bestEpoch`
 * is not one of its epochs, or `metric` was not recorded.
 */
export function lossCurves(history: readonly CurveRecord[], options: LossCurvesOptions = {}): Figure {
  if (history.length === 0) throw new Error('lossCurves: history is empty');
  const best = options.bestEpoch ?? lowestValLossEpoch(history);
  const bestRecord = history.find((h) => h.epoch === best);
  if (bestRecord === undefined) {
    throw new Error(`lossCurves: bestEpoch ${best} is not in the history (epochs ${history[0].epoch}–${history[history.length - 1].epoch})`);
  }
  const recorded = Object.keys(history[0].metrics ?? {});
  const metric = options.metric === undefined ? (recorded.includes('accuracy') ? 'accuracy' : recorded[0]) : options.metric ?? undefined;
  if (metric !== undefined && !history.every((h) => h.metrics && metric in h.metrics)) throw new Error(`lossCurves: metric "${metric}" is not recorded (recorded: ${recorded.join(', ') || 'none'})`);
  const label = options.metricLabel ?? `val ${metric}`;
  const values = metric === undefined ? [] : history.map((h) => h.metrics[metric]);
  const epochs = history.map((h) => h.epoch);
  // Metrics are stored either way across the code base; show them on a matching axis.
  const fraction = values.every((v) => !Number.isFinite(v) || v <= 1);
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
    line('val loss', history.map((h) => h.valLoss), seriesColour(1), {
      hovertemplate: 'epoch %{x}<br>val loss %{y:.4f}<extra></extra>',
    }),
  ];
  if (metric !== undefined) {
    data.push(
      line(label, values, seriesColour(2), {
        yaxis: 'y2',
        line: { color: seriesColour(2), width: 2, dash: 'dot' },
        hovertemplate: `epoch %{x}<br>${label} %{y:${accFormat}}<extra></extra>`,
      }),
    );
  }
  data.push({
    type: 'scatter',
    mode: 'markers',
    name: `best epoch (${best})`,
    x: [best],
    y: [bestRecord.valLoss],
    marker: { symbol: 'star', size: 15, color: ACCENT, line: { color: '#ffffff', width: 1 } },
    hovertemplate: 'best epoch %{x}<br>val loss %{y:.4f}<extra></extra>',
  });

  const bestValue = metric === undefined ? NaN : bestRecord.metrics[metric];
  const metricText = metric === undefined ? '' : `, ${label} ${fraction ? `${(bestValue * 100).toFixed(1)}%` : bestValue.toFixed(1)}`;
  const layout = avlabLayout(options.title ?? 'Training curves', {
    margin: { r: 70 },
    xaxis: { title: { text: 'epoch' } },
    yaxis: { title: { text: 'loss' }, rangemode: 'tozero' },
    ...(metric === undefined
      ? {}
      : {
          yaxis2: {
            title: { text: fraction ? label : `${label} (%)`, standoff: 8 },
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
        }),
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
        text: `best epoch ${best}<br>val loss ${bestRecord.valLoss.toFixed(3)}${metricText}`,
        font: { size: 12, color: ACCENT },
        bgcolor: 'rgba(255,255,255,0.85)',
      },
    ],
  });
  return { data, layout };
}

/** The first epoch with the lowest finite validation loss (the usual checkpoint rule). */
function lowestValLossEpoch(history: readonly CurveRecord[]): number {
  let best = history[0];
  for (const h of history) {
    if (Number.isFinite(h.valLoss) && (!Number.isFinite(best.valLoss) || h.valLoss < best.valLoss)) best = h;
  }
  return best.epoch;
}
