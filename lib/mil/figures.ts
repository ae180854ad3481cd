/**
 * Figures of the MIL experiment (plain Plotly specs in the avlab theme): where a model looks for a
 * class — region scores painted over the frames beside the object's true box, and segment scores
 * over time beside the true sound interval and the frames where the object is visible. Per-class
 * F1 bars and the F1 comparison are the shared `perClassBars` and `meanCiBars`.
 */
import { ACCENT, avlabLayout, seriesColour } from '../plots/theme';
import type { Figure, Trace } from '../plots/types';
import { segmentSpan } from './features/audioSegments';
import { clipProposals, MilFeatures } from './features/instances';
import type { MilPrediction } from './models/milModel';

/** Per-pixel region score map of frame k for class c: each pixel takes the largest score of the proposals covering it (NaN where none does). */
export function regionScoreMap(f: MilFeatures, pred: MilPrediction, n: number, k: number, c: number): number[][] {
  const { frames: F, proposals: R, frameSize: S } = f.dims;
  const C = f.classNames.length;
  const map = Array.from({ length: S }, () => new Array<number>(S).fill(NaN));
  if (!pred.visualScores) return map;
  clipProposals(f, n, k).forEach((b, r) => {
    const v = pred.visualScores![((n * F + k) * R + r) * C + c];
    for (let y = b[1]; y < b[3]; y++) for (let x = b[0]; x < b[2]; x++) if (!(map[y][x] >= v)) map[y][x] = v;
  });
  return map;
}

/**
 * The clip's frames (2 rows of 5), each with its proposals' scores for class `c` as a translucent
 * heat map, the object's true box (dashed white) and the model's top region (solid orange).
 */
export function regionHeatmapFigure(f: MilFeatures, pred: MilPrediction, n: number, c: number, title: string): Figure {
  const { frames: F, frameSize: S, proposals: R } = f.dims;
  const C = f.classNames.length;
  const cols = 5;
  const rows = Math.ceil(F / cols);
  const event = f.truth[n].events.find((e) => e.cls === c);
  const I = F * R;
  let best = 0;
  if (pred.visualScores) for (let i = 1; i < I; i++) if (pred.visualScores[(n * I + i) * C + c] > pred.visualScores[(n * I + best) * C + c]) best = i;
  const maps = Array.from({ length: F }, (_, k) => regionScoreMap(f, pred, n, k, c));
  const all = maps.flat(2).filter(Number.isFinite);
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const data: Trace[] = [];
  const shapes: Record<string, unknown>[] = [];
  const axes: Record<string, unknown> = {};
  const gap = 0.02;
  const w = (1 - gap * (cols - 1)) / cols;
  const h = (1 - 0.08 * (rows - 1)) / rows;
  for (let k = 0; k < F; k++) {
    const sx = k === 0 ? '' : String(k + 1);
    const col = k % cols;
    const row = Math.floor(k / cols);
    const off = (n * F + k) * S * S * 3;
    const rgb = Array.from({ length: S }, (_, y) => Array.from({ length: S }, (_, x) => [0, 1, 2].map((ch) => Math.round(255 * f.frames[off + (y * S + x) * 3 + ch]))));
    data.push({ type: 'image', z: rgb, xaxis: `x${sx}`, yaxis: `y${sx}`, hoverinfo: 'skip' });
    data.push({
      type: 'heatmap',
      z: maps[k],
      zmin: lo,
      zmax: hi,
      opacity: 0.55,
      colorscale: [
        [0, 'rgba(68,1,84,0)'],
        [0.5, 'rgba(33,145,140,0.6)'],
        [1, 'rgba(253,231,37,1)'],
      ],
      showscale: k === 0,
      colorbar: { title: { text: 'region score' }, thickness: 12 },
      xaxis: `x${sx}`,
      yaxis: `y${sx}`,
      hovertemplate: `frame ${k}<br>(%{x}, %{y})<br>score %{z:.3f}<extra></extra>`,
    });
    axes[`xaxis${sx}`] = { domain: [col * (w + gap), col * (w + gap) + w], showticklabels: false, showgrid: false, range: [-0.5, S - 0.5], anchor: `y${sx}`, title: { text: `${k}–${k + 1} s` } };
    axes[`yaxis${sx}`] = { domain: [1 - (row + 1) * h - row * 0.08, 1 - row * (h + 0.08)], showticklabels: false, showgrid: false, range: [S - 0.5, -0.5], anchor: `x${sx}`, scaleanchor: `x${sx}` };
    const j = event ? event.frames.indexOf(k) : -1;
    if (j >= 0) {
      const b = event!.boxes[j];
      shapes.push({ type: 'rect', xref: `x${sx}`, yref: `y${sx}`, x0: b[0] - 0.5, y0: b[1] - 0.5, x1: b[2] - 0.5, y1: b[3] - 0.5, line: { color: 'white', width: 2, dash: 'dash' } });
    }
    if (pred.visualScores && Math.floor(best / R) === k) {
      const b = clipProposals(f, n, k)[best % R];
      shapes.push({ type: 'rect', xref: `x${sx}`, yref: `y${sx}`, x0: b[0] - 0.5, y0: b[1] - 0.5, x1: b[2] - 0.5, y1: b[3] - 0.5, line: { color: ACCENT, width: 2 } });
    }
  }
  return { data, layout: avlabLayout(title, { width: 960, height: 150 + 170 * rows, showlegend: false, margin: { l: 20, r: 20, t: 70, b: 40 }, shapes, ...axes }) };
}

/**
 * One panel per class of the clip: the audio segment scores (line) and the best region score of
 * each frame (bars) over time, with the true sound interval (shaded blue) and the frames where the
 * object is visible (shaded green). In an unsynchronised clip the two shadings do not overlap.
 */
export function segmentScoresFigure(f: MilFeatures, pred: MilPrediction, n: number, title: string): Figure {
  const { segments: Sg, frames: F, proposals: R } = f.dims;
  const C = f.classNames.length;
  const events = f.truth[n].events;
  const data: Trace[] = [];
  const shapes: Record<string, unknown>[] = [];
  const axes: Record<string, unknown> = {};
  const rows = events.length;
  const h = (1 - 0.1 * (rows - 1)) / rows;
  events.forEach((e, i) => {
    const sx = i === 0 ? '' : String(i + 1);
    const c = e.cls;
    const name = f.classNames[c];
    if (pred.audioScores) {
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: 'audio segment score',
        showlegend: i === 0,
        x: Array.from({ length: Sg }, (_, s) => (segmentSpan(s, f.options.segments)[0] + segmentSpan(s, f.options.segments)[1]) / 2),
        y: Array.from({ length: Sg }, (_, s) => pred.audioScores![(n * Sg + s) * C + c]),
        line: { color: seriesColour(0), width: 2 },
        xaxis: `x${sx}`,
        yaxis: `y${sx}`,
      });
    }
    if (pred.visualScores) {
      data.push({
        type: 'bar',
        name: 'best region score of the frame',
        showlegend: i === 0,
        x: Array.from({ length: F }, (_, k) => k + 0.5),
        y: Array.from({ length: F }, (_, k) => Math.max(...Array.from({ length: R }, (_, r) => pred.visualScores![((n * F + k) * R + r) * C + c]))),
        marker: { color: seriesColour(2), opacity: 0.6 },
        width: 0.5,
        xaxis: `x${sx}`,
        yaxis: `y${sx}`,
      });
    }
    if (e.audio) shapes.push({ type: 'rect', xref: `x${sx}`, yref: `y${sx} domain`, x0: e.audio[0], x1: e.audio[1], y0: 0, y1: 1, fillcolor: 'rgba(0,114,178,0.15)', line: { width: 0 }, layer: 'below' });
    for (const k of e.frames) shapes.push({ type: 'rect', xref: `x${sx}`, yref: `y${sx} domain`, x0: k, x1: k + 1, y0: 0, y1: 1, fillcolor: 'rgba(0,158,115,0.15)', line: { width: 0 }, layer: 'below' });
    const kind = e.audio && e.frames.length ? (e.offset === 0 ? 'heard and seen together' : `seen ${e.offset! > 0 ? 'after' : 'before'} heard (${Math.abs(e.offset!).toFixed(1)} s)`) : e.audio ? 'heard only' : 'seen only';
    axes[`xaxis${sx}`] = { domain: [0, 1], range: [0, 10], anchor: `y${sx}`, title: { text: i === rows - 1 ? 'time (s)' : '' }, showticklabels: i === rows - 1 };
    axes[`yaxis${sx}`] = { domain: [1 - (i + 1) * h - i * 0.1, 1 - i * (h + 0.1)], anchor: `x${sx}`, title: { text: `${name}<br><sup>${kind}</sup>` } };
  });
  return { data, layout: avlabLayout(title, { width: 900, height: 140 + 190 * rows, shapes, barmode: 'overlay', legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' }, margin: { l: 110, r: 30, t: 90, b: 60 }, ...axes }) };
}
