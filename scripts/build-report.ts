/**
 * Builds report/index.html and report/report.pdf from report/results/*.json and figures/.
 * Usage: tsx scripts/build-report.ts [--no-pdf] [--results DIR] [--figures DIR] [--out DIR] [--notebooks DIR]
 */
import { buildReport } from '../lib/report';
import type { BuildReportOptions } from '../lib/report';

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

async function main(): Promise<void> {
  const t0 = Date.now();
  const result = await buildReport(parseArgs(process.argv.slice(2)));
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
