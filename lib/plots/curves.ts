/**
 * Figures for the seed and robustness analyses: score-versus-corruption curves, and method means
 * with asymmetric confidence intervals (which `comparisonBars`' symmetric error bars cannot show).
 */
import { comparisonBars } from './bars';
import { avlabLayout, PALETTE, seriesColour } from './theme';
import type { Figure, Trace } from './types';

/** One curve: a score at each level of a corruption (e.g. a `RobustnessSeries`). */
export interface CurveSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

/** Options of {@link robustnessCurves}. */
export interface CurveOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** y values are fractions to show as percentages. */
  percent?: boolean;
}

/**
 * One line with markers per series, e.g. test accuracy against the noise std added to audio,
 * to video and to both. Throws when a series' x and y lengths differ.
 */
export function robustnessCurves(series: readonly CurveSeries[], options: CurveOptions = {}): Figure {
  for (const s of series) {
    if (s.x.length !== s.y.length) throw new Error(`robustnessCurves: series "${s.name}" has ${s.x.length} x values and ${s.y.length} y values`);
  }
  const fmt = options.percent ? '.1%' : '.3~g';
  const data: Trace[] = series.map((s, i) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: s.name,
    x: [...s.x],
    y: [...s.y],
    // The palette has PALETTE.length colours; later series repeat them, so they change line and marker style.
    line: { color: seriesColour(i), width: 2, dash: i >= PALETTE.length ? 'dash' : 'solid' },
    marker: { color: seriesColour(i), size: 7, symbol: i >= PALETTE.length ? 'diamond' : 'circle' },
    hovertemplate: `${s.name.replace(/%\{/g, '%\u200b{')}<br>%{x}: %{y:${fmt}}<extra></extra>`,
  }));
  return {
    data,
    layout: avlabLayout(options.title ?? 'Robustness', {
      xaxis: { title: { text: options.xTitle ?? 'noise std (standardised units)' } },
      yaxis: { title: { text: options.yTitle ?? 'score' }, tickformat: options.percent ? '.0%' : undefined },
    }),
  };
}

/** A method's mean with its confidence interval; `group` picks the colour, as in `comparisonBars`. */
export interface MeanCiRow {
  method: string;
  mean: number;
  lo: number;
  hi: number;
  group?: string;
}

/** Options of {@link meanCiBars}. */
export interface MeanCiOptions {
  title?: string;
  yTitle?: string;
  percent?: boolean;
}

/**
 * `comparisonBars` with error bars from lo to hi (asymmetric: bootstrap intervals need not be
 * centred on the mean), the interval in the hover. Throws unless lo ≤ mean ≤ hi, all finite.
 */
export function meanCiBars(rows: readonly MeanCiRow[], options: MeanCiOptions = {}): Figure {
  rows.forEach((r) => {
    if (![r.mean, r.lo, r.hi].every(Number.isFinite) || r.lo > r.mean || r.mean > r.hi) {
      throw new Error(`meanCiBars: "${r.method}" needs finite lo <= mean <= hi, got ${r.lo}, ${r.mean}, ${r.hi}`);
    }
  });
  const fig = comparisonBars(
    rows.map((r) => ({ method: r.method, value: r.mean, group: r.group })),
    { title: options.title ?? 'Mean and confidence interval', yTitle: options.yTitle, percent: options.percent },
  );
  const fmt = options.percent ? '.1%' : '.3~g';
  // comparisonBars makes one trace per group, in first-seen group order, rows in input order.
  const groups = [...new Set(rows.map((r) => r.group ?? ''))];
  fig.data = fig.data.map((trace, i) => {
    const mine = rows.filter((r) => (r.group ?? '') === groups[i]);
    return {
      ...trace,
      customdata: mine.map((r) => [r.lo, r.hi]),
      error_y: {
        type: 'data',
        symmetric: false,
        array: mine.map((r) => r.hi - r.mean),
        arrayminus: mine.map((r) => r.mean - r.lo),
        visible: true,
        color: '#444',
        thickness: 1.2,
        width: 4,
      },
      hovertemplate: `%{x}${groups[i] === '' ? '' : ` (${groups[i].replace(/%\{/g, '%\u200b{')})`}: %{y:${fmt}} [%{customdata[0]:${fmt}}, %{customdata[1]:${fmt}}]<extra></extra>`,
    };
  });
  return fig;
}
