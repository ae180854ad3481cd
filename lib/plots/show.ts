/**
 * Figures and tables as notebook HTML outputs. Nothing here calls a kernel API: the notebook
 * passes its own display function (e.g. `tslab.display.html`), so the library also runs in
 * scripts and tests.
 */
import { randomBytes } from 'crypto';
import { plotlyBundle, scriptJson } from './bundle';
import { escapeHtml } from './html';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from './theme';
import type { Figure } from './types';

export { tableHtml } from './table';
export type { TableHtmlOptions, TableInput, TableData, ColumnTableLike, Cell } from './table';

/** A function that renders an HTML string as a notebook output. */
export type HtmlDisplay = (html: string) => void;

/** Options for `figureHtml`. */
export interface FigureHtmlOptions {
  /** Element id of the plot; defaults to a fresh unique id (outputs of old runs may remain on the page). */
  id?: string;
  /**
   * When to inline the plotly bundle (~4.8 MB): `'auto'` (default) in the first output of the
   * process only, `'always'` in every output (each one then renders on its own), `'never'`.
   */
  bundle?: 'auto' | 'always' | 'never';
}

/** Plotly config for notebook outputs: no logo link, SVG from the camera button. */
export const DISPLAY_CONFIG: Record<string, unknown> = {
  displaylogo: false,
  responsive: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d'],
  toImageButtonOptions: { format: 'svg' },
};

let bundleEmitted = false;

/**
 * Self-contained HTML that draws `fig` with plotly.js. The bundle is inlined (guarded by
 * `if (!window.Plotly)`) in the first output of the process; later outputs wait for
 * `window.Plotly`, which also covers a reopened notebook whose outputs render out of order.
 * No external URLs are referenced.
 */
export function figureHtml(fig: Figure, options: FigureHtmlOptions = {}): string {
  const id = options.id ?? `avlab-fig-${randomBytes(6).toString('hex')}`;
  const mode = options.bundle ?? 'auto';
  const inline = mode === 'always' || (mode === 'auto' && !bundleEmitted);
  if (inline && mode === 'auto') bundleEmitted = true;

  const width = typeof fig.layout.width === 'number' ? fig.layout.width : DEFAULT_WIDTH;
  const height = typeof fig.layout.height === 'number' ? fig.layout.height : DEFAULT_HEIGHT;
  const spec = { data: fig.data, layout: fig.layout, config: { ...DISPLAY_CONFIG, ...fig.config } };
  const bundle = inline ? `<script type="text/javascript">if (!window.Plotly) {\n${plotlyBundle()}\n}</script>\n` : '';
  return `<div class="avlab-figure" id="${escapeHtml(id)}" style="width:${width}px;height:${height}px;max-width:100%"></div>
${bundle}<script type="text/javascript">
(function () {
  var id = ${scriptJson(id)};
  var spec = ${scriptJson(spec)};
  var waited = 0, seen = false;
  function tick() {
    var el = document.getElementById(id);
    if (el && window.Plotly) { el.textContent = ''; window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); return; }
    if (el) seen = true; else if (seen) return;
    waited += 250;
    if (el && waited === 10000) el.textContent = 'Waiting for plotly.js: it is embedded in the first figure output of the notebook; run that cell (or this one) again if nothing appears.';
    if (waited < 600000) setTimeout(tick, 250);
  }
  tick();
})();
</script>`;
}

/**
 * Renders `fig` through the injected `display` (the notebook passes `tslab.display.html`) and
 * returns the HTML; without `display` it only returns the HTML.
 */
export function showFigure(fig: Figure, display?: HtmlDisplay, options: FigureHtmlOptions = {}): string {
  const html = figureHtml(fig, options);
  if (display) display(html);
  return html;
}

/** Makes the next `'auto'` output inline the bundle again (e.g. after outputs were cleared). */
export function resetFigureBundle(): void {
  bundleEmitted = false;
}
