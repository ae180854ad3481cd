/**
 * Figures of the matching experiment (plain Plotly specs in the avlab theme): the model inputs
 * (4-channel spectrograms, trajectories), a distance matrix with the chosen and the true
 * assignment, the task-3 threshold curve, and the task accuracies by method. Training curves are
 * the shared `lossCurves` (lib/plots/lossCurves) of each part's `fit` history.
 */
import { ACCENT, avlabLayout, seriesColour } from '../plots/theme';
import type { Figure, Trace } from '../plots/types';
import type { MethodResult } from './experiment';

const MIC_NAMES = ['left', 'right', 'top', 'bottom'];

/** Dark-to-light sequential scale for spectrograms and distances (viridis-like, colour-blind safe). */
const VIRIDIS: [number, string][] = [
  [0, '#440154'],
  [0.25, '#3b528b'],
  [0.5, '#21918c'],
  [0.75, '#5ec962'],
  [1, '#fde725'],
];

/**
 * The audio input of one sample: one heatmap per microphone (rows: frequency bands, low at the
 * bottom; columns: time). `values` is `[F, T, channels]` channels last, as the models read it.
 */
export function spectrogramFigure(values: Float32Array, shape: [number, number, number], title: string, options: { frequencyLabel?: string; seconds?: number } = {}): Figure {
  const [F, T, C] = shape;
  if (values.length !== F * T * C) throw new Error(`spectrogramFigure: ${values.length} values for ${F} × ${T} × ${C}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const seconds = options.seconds ?? 4;
  const times = Array.from({ length: T }, (_, t) => Number((((t + 0.5) * seconds) / T).toFixed(3)));
  const data: Trace[] = Array.from({ length: C }, (_, c) => ({
    type: 'heatmap',
    name: MIC_NAMES[c] ?? `channel ${c}`,
    x: times,
    z: Array.from({ length: F }, (_, f) => Array.from({ length: T }, (_, t) => values[(f * T + t) * C + c])),
    zmin: lo,
    zmax: hi,
    colorscale: VIRIDIS,
    showscale: c === C - 1,
    colorbar: { title: { text: 'log(1+|X|)' }, thickness: 12 },
    xaxis: c === 0 ? 'x' : `x${c + 1}`,
    yaxis: c === 0 ? 'y' : `y${c + 1}`,
    hovertemplate: `${MIC_NAMES[c] ?? c} mic<br>t %{x:.2f} s<br>band %{y}<br>%{z:.2f}<extra></extra>`,
  }));
  const axes: Record<string, unknown> = {};
  const gap = 0.03;
  const w = (1 - gap * (C - 1)) / C;
  for (let c = 0; c < C; c++) {
    const sx = c === 0 ? '' : String(c + 1);
    axes[`xaxis${sx}`] = { domain: [c * (w + gap), c * (w + gap) + w], title: { text: `${MIC_NAMES[c] ?? c} mic · time (s)` }, showgrid: false, anchor: `y${sx}` };
    axes[`yaxis${sx}`] = { title: { text: c === 0 ? options.frequencyLabel ?? 'frequency band (log scale)' : '' }, showticklabels: c === 0, showgrid: false, anchor: `x${sx}` };
  }
  return { data, layout: avlabLayout(title, { width: 960, height: 330, margin: { l: 70, r: 30, t: 60, b: 60 }, showlegend: false, ...axes }) };
}

/** One trajectory to draw: centroid positions per frame (pixels) and where it hit a wall. */
export interface TrajectoryTrace {
  name: string;
  /** F × 2 (x, y) in pixels, row-major. */
  xy: Float32Array;
  impacts?: { x: number; y: number; time: number }[];
}

/** Mask-centroid paths in the tray seen from above (y down, as in the image), impacts starred. */
export function trajectoryFigure(tracks: readonly TrajectoryTrace[], size: [number, number], title: string): Figure {
  const data: Trace[] = [];
  tracks.forEach((tr, i) => {
    const n = tr.xy.length / 2;
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: tr.name,
      x: Array.from({ length: n }, (_, f) => tr.xy[2 * f]),
      y: Array.from({ length: n }, (_, f) => tr.xy[2 * f + 1]),
      line: { color: seriesColour(i), width: 2 },
      marker: { size: 3, color: seriesColour(i) },
      hovertemplate: `${tr.name}<br>frame %{pointNumber}<br>(%{x:.1f}, %{y:.1f}) px<extra></extra>`,
    });
    if (tr.impacts?.length) {
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: `${tr.name}: impacts`,
        showlegend: false,
        x: tr.impacts.map((m) => m.x),
        y: tr.impacts.map((m) => m.y),
        text: tr.impacts.map((m) => `impact at ${m.time.toFixed(2)} s`),
        marker: { symbol: 'star', size: 13, color: seriesColour(i), line: { color: '#000', width: 1 } },
        hovertemplate: '%{text}<extra></extra>',
      });
    }
  });
  const [W, H] = size;
  return {
    data,
    layout: avlabLayout(title, {
      width: 560,
      height: 560,
      xaxis: { title: { text: 'x (pixels)' }, range: [0, W], constrain: 'domain' },
      yaxis: { title: { text: 'y (pixels)' }, range: [H, 0], scaleanchor: 'x', scaleratio: 1 },
      shapes: [{ type: 'rect', x0: 0, y0: 0, x1: W, y1: H, line: { color: '#444', width: 2 } }],
    }),
  };
}

function line(name: string, x: number[], y: number[], i: number, extra: Partial<Trace> = {}): Trace {
  return { type: 'scatter', mode: 'lines+markers', name, x, y, line: { color: seriesColour(i), width: 2 }, marker: { size: 5, color: seriesColour(i) }, ...extra };
}

/**
 * A distance matrix (audio rows × video columns) with the chosen assignment (white dots) and the
 * true pairs (red squares): a dot inside a square is a correct match.
 */
export function distanceMatrixFigure(distances: readonly (readonly number[])[], rowLabels: readonly string[], colLabels: readonly string[], chosen: readonly number[], truth: readonly number[], title: string): Figure {
  const x = [...colLabels];
  const y = [...rowLabels];
  const pairs = (a: readonly number[]) => a.flatMap((j, i) => (j >= 0 && j < x.length ? [[x[j], y[i]]] : []));
  const t = pairs(truth);
  const c = pairs(chosen);
  const size = Math.max(420, Math.min(760, 150 + 26 * Math.max(x.length, y.length)));
  return {
    data: [
      { type: 'heatmap', x, y, z: distances.map((r) => [...r]), colorscale: VIRIDIS, reversescale: true, colorbar: { title: { text: 'D' }, thickness: 12 }, hovertemplate: 'audio %{y}<br>video %{x}<br>D = %{z:.3f}<extra></extra>' },
      { type: 'scatter', mode: 'markers', name: 'true pair', x: t.map((p) => p[0]), y: t.map((p) => p[1]), marker: { symbol: 'square-open', size: 16, color: ACCENT, line: { width: 2.5 } }, hoverinfo: 'skip' },
      { type: 'scatter', mode: 'markers', name: 'chosen pair', x: c.map((p) => p[0]), y: c.map((p) => p[1]), marker: { symbol: 'circle', size: 7, color: '#ffffff', line: { color: '#000', width: 1 } }, hoverinfo: 'skip' },
    ],
    layout: avlabLayout(title, {
      width: size + 220,
      height: size + 110,
      margin: { t: 90, b: 110 },
      xaxis: { title: { text: 'video item' }, type: 'category', showgrid: false, tickangle: -45 },
      yaxis: { title: { text: 'audio item' }, type: 'category', autorange: 'reversed', showgrid: false },
      // Above the plot: below it, the slanted video labels would run into the legend.
      legend: { orientation: 'h', x: 0, y: 1.01, xanchor: 'left', yanchor: 'bottom' },
    }),
  };
}

/** Task-3 validation accuracy against the threshold τ, the chosen τ marked. */
export function thresholdFigure(curve: readonly { threshold: number; accuracy: number }[], chosen: number, title: string): Figure {
  return {
    data: [line('validation task-3 accuracy', curve.map((c) => c.threshold), curve.map((c) => c.accuracy), 0)],
    layout: avlabLayout(title, {
      xaxis: { title: { text: 'rejection threshold τ (embedding distance)' } },
      yaxis: { title: { text: 'accuracy' }, tickformat: '.0%', rangemode: 'tozero' },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: chosen, x1: chosen, y0: 0, y1: 1, line: { color: ACCENT, width: 1.5, dash: 'dash' } }],
      annotations: [{ x: chosen, xref: 'x', y: 1, yref: 'paper', xanchor: 'left', yanchor: 'top', xshift: 4, showarrow: false, text: `τ = ${chosen.toFixed(3)}`, font: { color: ACCENT } }],
    }),
  };
}

/** Stacked bars per task and method: correct, then each kind of error, as fractions of the items. */
export function errorSplitFigure(task1: { accuracy: number }, methods: readonly MethodResult[], title: string): Figure {
  const labels = ['task 1: ResNet', ...methods.map((m) => `task ${m.task}: ${m.method}`)];
  const frac = (f: (m: MethodResult) => number) => methods.map((m) => f(m) / m.score.items);
  const parts: [string, number[]][] = [
    ['correct', [task1.accuracy, ...frac((m) => m.score.correct)]],
    ['classification error', [1 - task1.accuracy, ...frac((m) => m.score.classificationErrors)]],
    ['wrong video (same class)', [0, ...frac((m) => m.score.wrongVideo)]],
    ['false reject', [0, ...frac((m) => m.score.falseReject)]],
    ['false accept', [0, ...frac((m) => m.score.falseAccept)]],
  ];
  const colours = [seriesColour(2), seriesColour(5), seriesColour(1), seriesColour(4), seriesColour(3)];
  return {
    data: parts.map(([name, values], i) => ({
      type: 'bar',
      orientation: 'h',
      name,
      y: labels,
      x: values,
      marker: { color: colours[i] },
      text: values.map((v) => (v >= 0.04 ? `${(100 * v).toFixed(0)}%` : '')),
      textposition: 'inside',
      hovertemplate: `%{y}<br>${name}: %{x:.1%}<extra></extra>`,
    })),
    layout: avlabLayout(title, {
      barmode: 'stack',
      width: 900,
      height: 160 + 46 * labels.length,
      margin: { l: 330 },
      xaxis: { title: { text: 'fraction of audio items' }, tickformat: '.0%', range: [0, 1] },
      yaxis: { autorange: 'reversed' },
    }),
  };
}
