/**
 * Writes figures to disk: static PNG/SVG rendered by plotly.js in headless Chromium (one browser
 * per batch), and interactive standalone HTML.
 */
import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { writeFileAtomic } from '../io/files';
import { withChromium, plotlyPage } from './browser';
import { plotlyBundle, plotlyBundlePath, scriptJson } from './bundle';
import { escapeHtml } from './html';
import { normaliseSvg } from './svg';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from './theme';
import type { Figure } from './types';

/** A file format `exportFigures` can write. */
export type ExportFormat = 'png' | 'svg' | 'html';

/** A figure and the file stem it is written under (letters, digits, `.`, `_`, `-`). */
export interface NamedFigure {
  name: string;
  figure: Figure;
}

/** Options for `exportFigures`. */
export interface ExportOptions {
  /** Formats to write (default `['png', 'svg', 'html']`). */
  formats?: ExportFormat[];
  /** PNG pixel ratio (default 2, for crisp raster figures on high-density screens and print). */
  scale?: number;
  /**
   * How the HTML files get plotly.js: `'shared'` (default) copies `plotly.min.js` once into
   * `outDir` and references it relatively (offline, 4.8 MB once rather than per figure);
   * `'inline'` embeds it in every file (each file stands alone).
   */
  htmlBundle?: 'shared' | 'inline';
}

/** Time spent on one figure, in milliseconds. */
export interface ExportTiming {
  name: string;
  ms: number;
  perFormat: Partial<Record<ExportFormat, number>>;
}

/** What `exportFigures` wrote and how long it took. */
export interface ExportResult {
  files: string[];
  timings: ExportTiming[];
  /** Browser start and plotly load, shared by the batch (0 when only HTML was written). */
  setupMs: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Config for exported HTML: no logo link, SVG from the camera button. */
const HTML_CONFIG = { displaylogo: false, responsive: true, toImageButtonOptions: { format: 'svg' } };

/**
 * Writes `<outDir>/<name>.<format>` for every figure and format, atomically. SVG ids are
 * normalised so identical figures give byte-identical files. Static formats need Chromium
 * (`$AVLAB_CHROMIUM` or `/usr/bin/chromium`); HTML does not.
 */
export async function exportFigures(
  figs: readonly NamedFigure[],
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const formats = options.formats ?? ['png', 'svg', 'html'];
  const scale = options.scale ?? 2;
  const seen = new Set<string>();
  for (const { name } of figs) {
    if (!NAME.test(name)) throw new Error(`exportFigures: bad figure name "${name}" (use letters, digits, ".", "_", "-")`);
    if (seen.has(name)) throw new Error(`exportFigures: figure name "${name}" given twice`);
    seen.add(name);
  }
  const files: string[] = [];
  const timings: ExportTiming[] = figs.map(({ name }) => ({ name, ms: 0, perFormat: {} }));
  const timed = async (i: number, format: ExportFormat, fn: () => Promise<string> | string): Promise<void> => {
    const t0 = performance.now();
    files.push(await fn());
    const ms = performance.now() - t0;
    timings[i].perFormat[format] = ms;
    timings[i].ms += ms;
  };

  if (formats.includes('html')) {
    const shared = (options.htmlBundle ?? 'shared') === 'shared';
    if (shared && figs.length > 0) ensureSharedBundle(outDir);
    for (let i = 0; i < figs.length; i++) {
      await timed(i, 'html', () => {
        const path = join(outDir, `${figs[i].name}.html`);
        writeFileAtomic(path, standaloneHtml(figs[i], shared), { createDir: true });
        return path;
      });
    }
  }

  let setupMs = 0;
  const statics = formats.filter((f): f is 'png' | 'svg' => f === 'png' || f === 'svg');
  if (statics.length > 0 && figs.length > 0) {
    const t0 = performance.now();
    await withChromium(async (browser) => {
      const page = await plotlyPage(browser);
      setupMs = performance.now() - t0;
      for (let i = 0; i < figs.length; i++) {
        for (const format of statics) {
          await timed(i, format, async () => {
            const path = join(outDir, `${figs[i].name}.${format}`);
            writeFileAtomic(path, await renderStatic(page, figs[i], format, scale), { createDir: true });
            return path;
          });
        }
      }
    });
  }
  return { files, timings, setupMs };
}

/**
 * Renders one figure to PNG bytes or normalised SVG text on a page that has plotly loaded.
 * Trace uids are fixed first because plotly otherwise puts random ones in class names.
 */
export async function renderStatic(page: Page, fig: NamedFigure, format: 'png' | 'svg', scale = 2): Promise<string | Buffer> {
  const figure = {
    data: fig.figure.data.map((t, i) => ({ uid: `${fig.name}-trace${i}`, ...t })),
    layout: fig.figure.layout,
    config: { ...fig.figure.config, staticPlot: true },
  };
  const width = typeof figure.layout.width === 'number' ? figure.layout.width : DEFAULT_WIDTH;
  const height = typeof figure.layout.height === 'number' ? figure.layout.height : DEFAULT_HEIGHT;
  const url = await page.evaluate(
    async ({ figure, format, width, height, scale }) => {
      const Plotly = (window as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
      return Plotly.toImage(figure, { format, width, height, scale: format === 'png' ? scale : 1 });
    },
    { figure, format, width, height, scale },
  );
  const comma = url.indexOf(',');
  if (format === 'png') return Buffer.from(url.slice(comma + 1), 'base64');
  return normaliseSvg(decodeURIComponent(url.slice(comma + 1)), fig.name);
}

/** A standalone interactive page for one figure; deterministic for a given figure. */
export function standaloneHtml(fig: NamedFigure, sharedBundle: boolean): string {
  const script = sharedBundle
    ? '<script src="plotly.min.js"></script>'
    : `<script type="text/javascript">\n${plotlyBundle()}\n</script>`;
  const spec = { data: fig.figure.data, layout: fig.figure.layout, config: { ...HTML_CONFIG, ...fig.figure.config } };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(fig.name)}</title>
${script}
</head>
<body style="margin:0;background:#fff">
<div id="figure"></div>
<script type="text/javascript">
(function () {
  var spec = ${scriptJson(spec)};
  var el = document.getElementById('figure');
  if (!window.Plotly) { el.textContent = 'plotly.min.js is missing next to this file.'; return; }
  window.Plotly.newPlot(el, spec.data, spec.layout, spec.config);
})();
</script>
</body>
</html>
`;
}

/** Copies the plotly bundle into `dir` unless an identical-size copy is already there. */
function ensureSharedBundle(dir: string): void {
  const src = plotlyBundlePath();
  const dest = join(dir, 'plotly.min.js');
  let current = -1;
  try {
    current = statSync(dest).size;
  } catch {
    // not there yet
  }
  if (current !== statSync(src).size) writeFileAtomic(dest, readFileSync(src), { createDir: true });
}
