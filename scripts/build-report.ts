/**
 * Builds report/index.html and report/report.pdf from report/results/*.json and figures/, with an
 * appendix "The notebook in Jupyter" showing figures/appendix/jupyter-notebook.png (written by
 * scripts/jupyter-check.ts) when it exists.
 * Usage: tsx scripts/build-report.ts [--no-pdf] [--results DIR] [--figures DIR] [--out DIR] [--notebooks DIR]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport, printPdf } from '../lib/report';
import type { BuildReportOptions } from '../lib/report';
import { escapeHtml } from '../lib/plots/html';
import type { BrowserCheckResult } from '../lib/notebook/browserCheck';

function parseArgs(argv: string[]): BuildReportOptions {
  const opts: BuildReportOptions = {};
  const value = (i: number): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${argv[i]} needs a directory`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-pdf') opts.pdf = false;
    else if (a === '--results') opts.resultsDir = value(i++);
    else if (a === '--figures') opts.figuresDir = value(i++);
    else if (a === '--out') opts.outDir = value(i++);
    else if (a === '--notebooks') opts.notebooksHtmlDir = value(i++);
    else if (a === '-h' || a === '--help') {
      console.log('usage: build-report [--no-pdf] [--results DIR] [--figures DIR] [--out DIR] [--notebooks DIR]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** What scripts/jupyter-check.ts found (figures/appendix/jupyter-notebook.json). */
type JupyterCheckSummary = Pick<BrowserCheckResult, 'notebook' | 'kernel' | 'executedCells' | 'codeCells' | 'tables' | 'figures' | 'plots' | 'errors' | 'seconds'> & { profile: string };

/**
 * The appendix section showing the browser check's screenshot, or null when there is none. `outDir`
 * is where index.html lives (the image is linked relative to it).
 */
function jupyterAppendix(figuresDir: string, outDir: string): string | null {
  const png = path.join(figuresDir, 'appendix', 'jupyter-notebook.png');
  if (!fs.existsSync(png)) return null;
  const src = path.relative(path.resolve(outDir), path.resolve(png)).split(path.sep).map(encodeURIComponent).join('/');
  let found = '';
  try {
    const r = JSON.parse(fs.readFileSync(png.replace(/\.png$/, '.json'), 'utf8')) as JupyterCheckSummary;
    const errors = r.errors.length === 0 ? 'no error output' : `${r.errors.length} error output${r.errors.length === 1 ? '' : 's'}: ${r.errors.map((e) => `<code>${escapeHtml(e)}</code>`).join('; ')}`;
    found =
      `<p class="meta">notebook <code>${escapeHtml(r.notebook)}</code> · profile <b>${escapeHtml(r.profile)}</b> · kernel <b>${escapeHtml(r.kernel)}</b> · ` +
      `${r.executedCells} of ${r.codeCells} code cells run · ${r.tables} table${r.tables === 1 ? '' : 's'} · ` +
      `${r.plots} of ${r.figures} figures drawn by plotly.js · ${errors} · ${r.seconds.toFixed(1)} s</p>`;
  } catch {
    /* the screenshot alone */
  }
  return `<section class="notebook" id="appendix-jupyter">
<h2>The notebook in Jupyter</h2>
${found}
<p>The first notebook opened in Jupyter Notebook as <code>npm run jupyter</code> serves it, in Chromium, with every cell run through the page on the TypeScript kernel: the tables and the interactive plotly figures are those a reader sees when exploring the notebooks (<code>scripts/jupyter-check.ts</code>).</p>
<figure><img src="${escapeHtml(src)}" alt="Notebook 01 in Jupyter Notebook, its figures drawn"><figcaption>appendix/jupyter-notebook</figcaption></figure>
</section>`;
}

/** Adds the appendix to the report page: after the notebooks, and to the table of contents. */
function addAppendix(indexHtml: string, section: string): void {
  let html = fs.readFileSync(indexHtml, 'utf8');
  html = html.replace('</ol></nav>', '</ol><b>Appendix</b><ol><li><a href="#appendix-jupyter">The notebook in Jupyter</a></li></ol></nav>');
  html = html.replace('\n<footer>', `\n${section}\n<footer>`);
  const tmp = `${indexHtml}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, indexHtml);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const appendix = jupyterAppendix(opts.figuresDir ?? 'figures', opts.outDir ?? 'report');
  // With an appendix the page is completed first and printed afterwards.
  const result = await buildReport(appendix ? { ...opts, pdf: false } : opts);
  if (appendix) {
    addAppendix(result.indexHtml, appendix);
    console.log('appendix: the notebook in Jupyter');
    if (opts.pdf ?? true) {
      const t = performance.now();
      const pdf = path.join(path.dirname(result.indexHtml), 'report.pdf');
      const tmp = `${pdf}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, await printPdf(result.indexHtml));
      fs.renameSync(tmp, pdf);
      result.pdf = pdf;
      result.pdfMs = performance.now() - t;
    }
  }
  console.log(`notebooks: ${result.notebooks.length > 0 ? result.notebooks.join(', ') : 'none'}`);
  console.log(`wrote ${result.indexHtml}`);
  if (result.pdf) console.log(`wrote ${result.pdf} (${((result.pdfMs ?? 0) / 1000).toFixed(1)} s)`);
  if (result.missingFigures.length > 0) {
    console.warn(`warning: figures not found (export them first): ${result.missingFigures.join(', ')}`);
  }
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`build-report: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
