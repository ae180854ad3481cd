/**
 * The plain Plotly figure shape avlab's builders return. Deliberately loose (Plotly's schema is
 * huge and its type package is not a dependency): builders, exporters and the notebook display
 * only need to pass specs through, and tests read the few keys they check.
 */

/** One Plotly trace (`scatter`, `bar`, `heatmap`, ...). Unlisted keys pass through to Plotly. */
export interface Trace {
  type: string;
  name?: string;
  x?: unknown[];
  y?: unknown[];
  z?: unknown[][];
  text?: unknown;
  mode?: string;
  yaxis?: string;
  [key: string]: unknown;
}

/** A Plotly layout; `width`/`height` are also the static export size. */
export interface Layout {
  title?: unknown;
  width?: number;
  height?: number;
  shapes?: Record<string, unknown>[];
  annotations?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** A complete figure spec, serialisable as JSON and renderable by `Plotly.newPlot`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
  /** Plotly `config` (mode bar, responsiveness); the display and exporters supply defaults. */
  config?: Record<string, unknown>;
}
