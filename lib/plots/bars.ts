/** Bar charts: per-class values across models, and method comparisons with error bars. */
import { avlabLayout, seriesColour } from './theme';
import type { Figure, Trace } from './types';

/** Options shared by the bar builders. */
export interface BarOptions {
  title?: string;
  yTitle?: string;
  /** Values are fractions to show as percentages (axis ticks and bar labels). */
  percent?: boolean;
}

/** A named series of per-class values, e.g. one model's per-class accuracy. */
export interface ClassSeries {
  name: string;
  values: number[];
}

/**
 * Grouped bars: one group per class, one bar (and legend entry) per series. Throws if a
 * series' length differs from `classNames`.
 */
export function perClassBars(
  series: readonly ClassSeries[],
  classNames: readonly string[],
  options: BarOptions = {},
): Figure {
  for (const s of series) {
    if (s.values.length !== classNames.length) {
      throw new Error(`perClassBars: series "${s.name}" has ${s.values.length} values for ${classNames.length} classes`);
    }
  }
  const fmt = valueFormat(options.percent);
  const data: Trace[] = series.map((s, i) => ({
    type: 'bar',
    name: s.name,
    x: [...classNames],
    y: [...s.values],
    marker: { color: seriesColour(i) },
    hovertemplate: `${escapeTemplate(s.name)}<br>%{x}: %{y:${fmt}}<extra></extra>`,
  }));
  return {
    data,
    layout: avlabLayout(options.title ?? 'Per-class results', {
      barmode: 'group',
      bargap: 0.2,
      bargroupgap: 0.05,
      margin: { b: 110 },
      legend: { y: -0.32 },
      xaxis: { tickangle: -35, type: 'category', showgrid: false },
      yaxis: { title: { text: options.yTitle ?? '' }, rangemode: 'tozero', tickformat: options.percent ? '.0%' : undefined },
    }),
  };
}

/** One bar of a method comparison; `group` (e.g. "simulated", "published") picks the colour. */
export interface ComparisonRow {
  method: string;
  value: number;
  /** Half-width of the error bar (e.g. one standard deviation over seeds). */
  error?: number;
  group?: string;
}

/**
 * One bar per method, labelled with its value; rows sharing a `group` share a colour and a
 * legend entry, and groups sit side by side per method. Methods keep their first-seen order.
 * Throws on a repeated (method, group) pair.
 */
export function comparisonBars(rows: readonly ComparisonRow[], options: BarOptions = {}): Figure {
  const methods = unique(rows.map((r) => r.method));
  const groups = unique(rows.map((r) => r.group ?? ''));
  const seen = new Set<string>();
  for (const r of rows) {
    const key = JSON.stringify([r.method, r.group ?? '']);
    if (seen.has(key)) throw new Error(`comparisonBars: method "${r.method}" appears twice in group "${r.group ?? ''}"`);
    seen.add(key);
  }
  const fmt = valueFormat(options.percent);
  const data: Trace[] = groups.map((g, i) => {
    const mine = rows.filter((r) => (r.group ?? '') === g);
    const hasError = mine.some((r) => r.error !== undefined);
    return {
      type: 'bar',
      name: g === '' ? options.yTitle ?? 'value' : g,
      showlegend: g !== '',
      x: mine.map((r) => r.method),
      y: mine.map((r) => r.value),
      text: mine.map((r) => r.value),
      texttemplate: `%{y:${fmt}}`,
      // Inside the bar's top so the label never collides with the error bar above it.
      textposition: 'inside',
      insidetextanchor: 'end',
      cliponaxis: false,
      marker: { color: seriesColour(i) },
      error_y: hasError
        ? { type: 'data', array: mine.map((r) => r.error ?? 0), visible: true, color: '#444', thickness: 1.2, width: 4 }
        : { visible: false },
      hovertemplate: `%{x}${g === '' ? '' : ` (${escapeTemplate(g)})`}: %{y:${fmt}}<extra></extra>`,
    };
  });
  return {
    data,
    layout: avlabLayout(options.title ?? 'Method comparison', {
      barmode: 'group',
      bargap: 0.25,
      margin: { b: 100 },
      xaxis: { type: 'category', showgrid: false, categoryorder: 'array', categoryarray: methods, tickangle: methods.length > 5 ? -25 : 0 },
      yaxis: { title: { text: options.yTitle ?? '' }, rangemode: 'tozero', tickformat: options.percent ? '.0%' : undefined },
    }),
  };
}

function valueFormat(percent: boolean | undefined): string {
  return percent ? '.1%' : '.3~g';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Plotly templates treat `%{...}` specially; a literal name must not start one. */
function escapeTemplate(s: string): string {
  return s.replace(/%\{/g, '%\u200b{');
}
