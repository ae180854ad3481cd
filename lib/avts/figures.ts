/**
 * Figures of the AVTS experiment (plain Plotly specs in the avlab theme): per-negative-type curves
 * across epochs with the curriculum switch marked, score histograms of positives against each
 * negative type, sync accuracy against the shift, downstream accuracy against the label budget, and
 * one pair's windows (frames and the audio heard).
 */
import { ACCENT, avlabLayout, seriesColour } from '../plots/theme';
import type { Figure, Trace } from '../plots/types';
import type { EpochRecord } from '../training/fit';
import type { PairKind } from './data/pairs';
import type { PairScores } from './train';

const KIND_COLOUR: Record<PairKind, number> = { positive: 0, easy: 1, hard: 2, superhard: 3 };
const KIND_NAME: Record<PairKind, string> = { positive: 'positive', easy: 'easy negative', hard: 'hard negative', superhard: 'super-hard negative' };
const DASHES = ['solid', 'dash', 'dot', 'dashdot'];

/**
 * Validation `metric` per pair type (`loss` or `auc`/`acc` per negative type) across epochs, one
 * line style per run; a vertical line marks the curriculum switch (after epoch `switchEpoch`).
 */
export function perTypeCurves(runs: readonly { name: string; history: readonly EpochRecord[] }[], metric: 'loss' | 'auc' | 'acc', switchEpoch: number | null, title: string): Figure {
  const kinds: PairKind[] = metric === 'loss' ? ['positive', 'easy', 'hard', 'superhard'] : ['easy', 'hard', 'superhard'];
  const data: Trace[] = [];
  runs.forEach((r, ri) =>
    kinds.forEach((k) => {
      const key = `${metric}_${k}`;
      if (!r.history.every((h) => key in h.metrics)) return;
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `${KIND_NAME[k]} · ${r.name}`,
        x: r.history.map((h) => h.epoch),
        y: r.history.map((h) => h.metrics[key]),
        line: { color: seriesColour(KIND_COLOUR[k]), width: 2, dash: DASHES[ri % DASHES.length] },
        marker: { size: 5, color: seriesColour(KIND_COLOUR[k]) },
        hovertemplate: `${KIND_NAME[k]} · ${r.name}<br>epoch %{x}<br>${metric} %{y:.3f}<extra></extra>`,
      });
    }),
  );
  const shapes = switchEpoch ? [{ type: 'line', xref: 'x', yref: 'paper', x0: switchEpoch + 0.5, x1: switchEpoch + 0.5, y0: 0, y1: 1, line: { color: ACCENT, width: 1.5, dash: 'dash' } }] : [];
  const annotations = switchEpoch ? [{ xref: 'x', yref: 'paper', x: switchEpoch + 0.5, y: 1, text: 'curriculum: hard negatives join', showarrow: false, xanchor: 'left', yanchor: 'bottom', font: { color: ACCENT, size: 12 } }] : [];
  const yTitle = metric === 'loss' ? 'mean per-pair loss (validation)' : metric === 'auc' ? 'AUC vs positives (validation)' : 'balanced sync accuracy (validation)';
  return { data, layout: avlabLayout(title, { width: 900, height: 480, xaxis: { title: { text: 'epoch' }, dtick: 1 }, yaxis: { title: { text: yTitle } }, shapes, annotations, legend: { font: { size: 11 } } }) };
}

/** Histograms of the out-of-sync score of positives and each negative type, with the threshold τ. */
export function scoreHistograms(s: PairScores, threshold: number, title: string, scoreName = 'distance D = ‖f_v − f_a‖₂'): Figure {
  const kinds: PairKind[] = ['positive', 'easy', 'hard', 'superhard'];
  const data: Trace[] = kinds
    .map((k) => ({ k, v: s.pairs.map((p, i) => (p.kind === k ? s.score[i] : NaN)).filter(Number.isFinite) }))
    .filter(({ v }) => v.length > 0)
    .map(({ k, v }) => ({
      type: 'histogram',
      name: `${KIND_NAME[k]} (${v.length})`,
      x: v,
      opacity: 0.55,
      histnorm: 'probability density',
      nbinsx: 30,
      marker: { color: seriesColour(KIND_COLOUR[k]) },
    }));
  return {
    data,
    layout: avlabLayout(title, {
      barmode: 'overlay',
      xaxis: { title: { text: scoreName } },
      yaxis: { title: { text: 'density' } },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: threshold, x1: threshold, y0: 0, y1: 1, line: { color: ACCENT, width: 1.5, dash: 'dash' } }],
      annotations: [{ xref: 'x', yref: 'paper', x: threshold, y: 1, text: `τ = ${threshold.toFixed(3)}`, showarrow: false, xanchor: 'left', yanchor: 'bottom', font: { color: ACCENT } }],
    }),
  };
}

/**
 * Accuracy against |δ| (frames converted to ms with `fps`): the positive at 0, then the fraction of
 * shifted pairs called out of sync; the window length F is marked (overlap below it).
 */
export function accuracyVsShift(series: readonly { name: string; points: readonly { shift: number; accuracy: number; lo?: number; hi?: number }[] }[], fps: number, windowFrames: number, title: string): Figure {
  const ms = (f: number) => (1000 * f) / fps;
  const data: Trace[] = series.map((s, i) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: s.name,
    x: s.points.map((p) => ms(p.shift)),
    y: s.points.map((p) => p.accuracy),
    line: { color: seriesColour(i), width: 2 },
    marker: { size: 6, color: seriesColour(i) },
    error_y: s.points.every((p) => p.lo !== undefined && p.hi !== undefined) ? { type: 'data', symmetric: false, array: s.points.map((p) => p.hi! - p.accuracy), arrayminus: s.points.map((p) => p.accuracy - p.lo!), thickness: 1, width: 3 } : undefined,
    hovertemplate: `${s.name}<br>|δ| %{x:.0f} ms<br>accuracy %{y:.3f}<extra></extra>`,
  }));
  return {
    data,
    layout: avlabLayout(title, {
      xaxis: { title: { text: '|δ|: audio shift against the video (ms); 0 = in sync' } },
      yaxis: { title: { text: 'fraction classified correctly' }, range: [0, 1.02], tickformat: '.0%' },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: ms(windowFrames), x1: ms(windowFrames), y0: 0, y1: 1, line: { color: ACCENT, width: 1.5, dash: 'dash' } }],
      annotations: [{ xref: 'x', yref: 'paper', x: ms(windowFrames), y: 0.02, text: 'window length: no overlap beyond', showarrow: false, xanchor: 'left', font: { color: ACCENT, size: 12 } }],
    }),
  };
}

/** Downstream test accuracy against the label budget (log axis), per method and modality, with CIs. */
export function downstreamFigure(points: readonly { modality: string; method: string; budget: number; mean: number; lo: number; hi: number }[], title: string, chance?: number): Figure {
  const methods = [...new Set(points.map((p) => p.method))];
  const modalities = [...new Set(points.map((p) => p.modality))];
  const data: Trace[] = [];
  modalities.forEach((mod, mi) =>
    methods.forEach((m, i) => {
      const ps = points.filter((p) => p.method === m && p.modality === mod).sort((a, b) => a.budget - b.budget);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `${m} · ${mod}`,
        x: ps.map((p) => 100 * p.budget),
        y: ps.map((p) => p.mean),
        line: { color: seriesColour(i), width: 2, dash: DASHES[mi % DASHES.length] },
        marker: { size: 6, color: seriesColour(i) },
        error_y: { type: 'data', symmetric: false, array: ps.map((p) => p.hi - p.mean), arrayminus: ps.map((p) => p.mean - p.lo), thickness: 1, width: 3 },
        hovertemplate: `${m} · ${mod}<br>%{x}% of labels<br>accuracy %{y:.3f}<extra></extra>`,
      });
    }),
  );
  const shapes = chance ? [{ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: chance, y1: chance, line: { color: '#888', width: 1, dash: 'dot' } }] : [];
  return { data, layout: avlabLayout(title, { xaxis: { title: { text: 'labelled training windows (% of all, log scale)' }, type: 'log' }, yaxis: { title: { text: 'test accuracy (10 objects)' }, range: [0, 1.02], tickformat: '.0%' }, shapes }) };
}

/**
 * One pair's inputs: the video window's frames (a strip of RGB images) over the audio heard (the
 * mean over microphones of the log-spectrogram bands, time on the same axis), with impacts marked.
 */
export function pairWindowFigure(frames: readonly Uint8Array[], width: number, height: number, audio: Float32Array, audioShape: [number, number, number], impactsSeconds: readonly number[], seconds: number, title: string): Figure {
  const [T, B, M] = audioShape;
  const z = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => {
    let s = 0;
    for (let m = 0; m < M; m++) s += audio[(t * B + b) * M + m];
    return s / M;
  }));
  const images: Trace[] = frames.map((f, i) => ({
    type: 'image',
    z: Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => [f[(y * width + x) * 3], f[(y * width + x) * 3 + 1], f[(y * width + x) * 3 + 2]])),
    x0: (i * seconds) / frames.length,
    dx: seconds / frames.length / width,
    y0: 0,
    dy: 1,
    xaxis: 'x',
    yaxis: 'y',
    hoverinfo: 'skip',
  }));
  const heat: Trace = { type: 'heatmap', z, x: Array.from({ length: T }, (_, t) => ((t + 0.5) * seconds) / T), colorscale: 'Viridis', showscale: false, xaxis: 'x', yaxis: 'y2', hovertemplate: 't %{x:.2f} s<br>band %{y}<extra></extra>' };
  const shapes = impactsSeconds.map((s) => ({ type: 'line', xref: 'x', yref: 'paper', x0: s, x1: s, y0: 0, y1: 0.48, line: { color: ACCENT, width: 2 } }));
  return {
    data: [...images, heat],
    layout: avlabLayout(title, {
      width: 960,
      height: 360,
      showlegend: false,
      xaxis: { title: { text: 'time in the window (s); orange: impacts heard' }, range: [0, seconds] },
      yaxis: { domain: [0.55, 1], showticklabels: false, autorange: 'reversed', scaleanchor: undefined },
      yaxis2: { domain: [0, 0.48], title: { text: 'band' } },
      shapes,
    }),
  };
}
