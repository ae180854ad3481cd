/**
 * Assembles `report/index.html` from the notebooks' results files and exported figures, then
 * prints it to `report/report.pdf` with the same headless Chromium used for figure export.
 */
import { existsSync } from 'fs';
import { join, relative, resolve, sep } from 'path';
import { pathToFileURL } from 'url';
import { writeFileAtomic } from '../io/files';
import { withChromium } from '../plots/browser';
import { readNotebookResults, notebookStem } from './results';
import { renderReportHtml } from './render';

/** Options for `buildReport`; paths are relative to the working directory. */
export interface BuildReportOptions {
  /** Where the notebooks wrote `<notebook>.json` (default `report/results`). */
  resultsDir?: string;
  /** Where the figures were exported (default `figures`); SVG is preferred over PNG. */
  figuresDir?: string;
  /** Where `index.html` and `report.pdf` go (default `report`). */
  outDir?: string;
  /** Executed notebooks rendered as HTML, `<notebook>.html` (default `<outDir>/notebooks`). */
  notebooksHtmlDir?: string;
  /** Also print `report.pdf` (default true; needs Chromium). */
  pdf?: boolean;
  /** Date shown in the header (default now); fixed in tests for reproducible output. */
  generatedAt?: Date;
}

/** What `buildReport` wrote. */
export interface BuildReportResult {
  indexHtml: string;
  pdf?: string;
  /** Notebook names in report order. */
  notebooks: string[];
  /** Figure names referenced by results but found in neither SVG nor PNG form. */
  missingFigures: string[];
  pdfMs?: number;
}

/**
 * Builds the report: one section per notebook in notebook order, figures referenced by relative
 * paths (the folder renders offline), links to executed notebooks where present, and an A4 PDF.
 */
export async function buildReport(options: BuildReportOptions = {}): Promise<BuildReportResult> {
  const resultsDir = options.resultsDir ?? join('report', 'results');
  const figuresDir = options.figuresDir ?? 'figures';
  const outDir = options.outDir ?? 'report';
  const notebooksDir = options.notebooksHtmlDir ?? join(outDir, 'notebooks');
  const notebooks = readNotebookResults(resultsDir);
  const missing = new Set<string>();

  const html = renderReportHtml(notebooks, {
    generatedAt: options.generatedAt ?? new Date(),
    figureSrc: (name) => {
      for (const ext of ['svg', 'png']) {
        const file = join(figuresDir, `${name}.${ext}`);
        if (existsSync(file)) return relativeUrl(outDir, file);
      }
      missing.add(name);
      return undefined;
    },
    notebookHref: (notebook) => {
      const file = join(notebooksDir, `${notebookStem(notebook)}.html`);
      return existsSync(file) ? relativeUrl(outDir, file) : undefined;
    },
  });
  const indexHtml = join(outDir, 'index.html');
  writeFileAtomic(indexHtml, html, { createDir: true });
  const result: BuildReportResult = {
    indexHtml,
    notebooks: notebooks.map((n) => n.notebook),
    missingFigures: [...missing],
  };

  if (options.pdf ?? true) {
    const t0 = performance.now();
    const pdf = join(outDir, 'report.pdf');
    writeFileAtomic(pdf, await printPdf(indexHtml), { createDir: true });
    result.pdf = pdf;
    result.pdfMs = performance.now() - t0;
  }
  return result;
}

/** Prints an HTML file to A4 PDF bytes; loaded by file URL so its relative images resolve. */
export async function printPdf(htmlFile: string): Promise<Buffer> {
  return withChromium(async (browser) => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(resolve(htmlFile)).href, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:8px;width:100%;text-align:center;color:#888"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    });
  });
}

/** `file` relative to `fromDir` as a URL path (forward slashes, each segment encoded). */
function relativeUrl(fromDir: string, file: string): string {
  return relative(resolve(fromDir), resolve(file)).split(sep).map(encodeURIComponent).join('/');
}
