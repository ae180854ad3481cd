/**
 * The avlab look: one palette, font and frame for every figure, so notebook outputs, exported
 * PNG/SVG and the report read as one document.
 */
import type { Layout } from './types';

/** Default figure size in CSS pixels (also the static export size). */
export const DEFAULT_WIDTH = 720;
export const DEFAULT_HEIGHT = 480;

/** Okabe–Ito palette: distinguishable under the common colour-vision deficiencies. */
export const PALETTE = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // green
  '#CC79A7', // pink
  '#56B4E9', // sky
  '#D55E00', // vermillion
  '#F0E442', // yellow
  '#000000',
] as const;

/** Accent colour for highlights (best epoch and the like). */
export const ACCENT = '#D55E00';

/** Fonts in preference order; DejaVu Sans is what headless Debian Chromium actually has. */
export const FONT_FAMILY = "Inter, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif";

/** Colour for the i-th series, cycling through the palette. */
export function seriesColour(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

const AXIS = {
  showline: true,
  linecolor: '#444',
  linewidth: 1,
  ticks: 'outside',
  tickcolor: '#444',
  gridcolor: '#e6e6e6',
  zeroline: false,
  automargin: true,
  title: { standoff: 8 },
};

/**
 * The base layout every builder starts from; `overrides` are merged deeply (arrays replace) so
 * a builder can set `xaxis.title.text` without losing the axis styling.
 */
export function avlabLayout(title: string, overrides: Layout = {}): Layout {
  const base: Layout = {
    title: { text: title, x: 0.02, xanchor: 'left', font: { size: 17 } },
    width: DEFAULT_WIDTH,
    height: DEFAULT_HEIGHT,
    margin: { l: 70, r: 30, t: 60, b: 60, pad: 2 },
    font: { family: FONT_FAMILY, size: 13, color: '#222' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    colorway: [...PALETTE],
    hoverlabel: { font: { family: FONT_FAMILY } },
    legend: { orientation: 'h', x: 0, y: -0.18, xanchor: 'left', yanchor: 'top' },
    xaxis: { ...AXIS },
    yaxis: { ...AXIS },
  };
  return mergeLayout(base, overrides);
}

/** Deep merge of plain objects; arrays and scalars in `overrides` replace. */
function mergeLayout(base: Record<string, unknown>, overrides: Record<string, unknown>): Layout {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const prior = out[key];
    out[key] = isPlainObject(prior) && isPlainObject(value) ? mergeLayout(prior, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
