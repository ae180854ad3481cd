/**
 * Reliability diagram (Guo et al. 2017, fig. 1): per confidence bin, the accuracy as a bar against
 * the diagonal of perfect calibration, with the gap to the bin's mean confidence shaded and the
 * expected calibration error in the title.
 */
import { eceFromBins, ReliabilityBin } from '../metrics/calibration';
import { ACCENT, avlabLayout, seriesColour } from './theme';
import type { Figure } from './types';

/** Options of {@link reliabilityDiagram}. */
export interface ReliabilityDiagramOptions {
  title?: string;
}

/**
 * Bars of accuracy per confidence bin (empty bins left out), a translucent "gap" bar from each
 * bar's top to the bin's mean confidence (above the bar: over-confident, below: under-confident),
 * and the diagonal. ECE is appended to the title and shown as an annotation. Traces, in order:
 * `accuracy`, `gap`, `perfect calibration`. Throws on bins with no predictions at all.
 */
export function reliabilityDiagram(bins: readonly ReliabilityBin[], options: ReliabilityDiagramOptions = {}): Figure {
  const ece = eceFromBins(bins);
  const used = bins.filter((b) => b.count > 0);
  const centre = used.map((b) => (b.lower + b.upper) / 2);
  const width = used.map((b) => b.upper - b.lower);
  const counts = used.map((b) => b.count);
  const eceText = `ECE ${(ece * 100).toFixed(2)}%`;
  const title = options.title ?? 'Reliability diagram';
  return {
    data: [
      {
        type: 'bar',
        name: 'accuracy',
        x: centre,
        y: used.map((b) => b.accuracy),
        width,
        customdata: used.map((b) => [b.lower, b.upper, b.count, b.confidence]),
        marker: { color: seriesColour(0), line: { color: '#ffffff', width: 1 } },
        hovertemplate: 'confidence (%{customdata[0]:.2f}, %{customdata[1]:.2f}]<br>accuracy %{y:.3f}<br>mean confidence %{customdata[3]:.3f}<br>%{customdata[2]} predictions<extra></extra>',
      },
      {
        // Drawn from the accuracy up (or down) to the mean confidence: the calibration gap.
        type: 'bar',
        name: 'gap',
        x: centre,
        y: used.map((b) => b.confidence - b.accuracy),
        base: used.map((b) => b.accuracy),
        width,
        // Hatched like Guo et al.'s figure, so a gap inside the bar (under-confidence) stays legible.
        marker: { color: 'rgba(213, 94, 0, 0.18)', line: { color: ACCENT, width: 1 }, pattern: { shape: '/', fgcolor: ACCENT, size: 6, solidity: 0.25 } },
        hovertemplate: 'gap %{y:+.3f}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: 'perfect calibration',
        x: [0, 1],
        y: [0, 1],
        line: { color: '#444', width: 1.5, dash: 'dash' },
        hoverinfo: 'skip',
      },
    ],
    layout: avlabLayout(`${title} (${eceText})`, {
      width: 560,
      height: 520,
      barmode: 'overlay',
      xaxis: { title: { text: 'confidence (largest class probability)' }, range: [0, 1], tickformat: '.1f', showgrid: false },
      yaxis: { title: { text: 'accuracy' }, range: [0, 1], tickformat: '.1f' },
      annotations: [
        {
          x: 0.03,
          y: 0.97,
          xref: 'paper',
          yref: 'paper',
          xanchor: 'left',
          yanchor: 'top',
          showarrow: false,
          align: 'left',
          text: `${eceText}<br>${counts.reduce((a, b) => a + b, 0)} predictions, ${bins.length} bins`,
          bgcolor: 'rgba(255,255,255,0.85)',
        },
      ],
    }),
  };
}
