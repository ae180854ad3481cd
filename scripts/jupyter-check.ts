/**
 * The main job's check of interactive Jupyter: notebook 01 opened in Jupyter Notebook in Chromium,
 * every cell run through the page on the current AVLAB_PROFILE, tables and plotly figures drawn.
 * Writes the screenshot to figures/appendix/jupyter-notebook.png and what was found to
 * figures/appendix/jupyter-notebook.json (the report's appendix shows both), prints the findings,
 * and exits non-zero when a cell failed or no table or figure showed.
 * The notebook reuses the finished runs in data/runs (the headless run just made them); its figures
 * and results go to a temporary folder, so the report's own files are left as the headless run wrote them.
 * Usage: tsx scripts/jupyter-check.ts [--notebook FILE] [--out PNG]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkNotebookInBrowser } from '../lib/notebook/browserCheck';

const root = path.resolve(__dirname, '..');

function parseArgs(argv: string[]): { notebook: string; out: string } {
  let notebook = path.join(root, 'notebooks', '01_unimodal.ipynb');
  let out = path.join(root, 'figures', 'appendix', 'jupyter-notebook.png');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return path.resolve(v);
    };
    if (a === '--notebook') notebook = value();
    else if (a === '--out') out = value();
    else if (a === '-h' || a === '--help') {
      console.log('usage: jupyter-check [--notebook FILE] [--out PNG]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return { notebook, out };
}

async function main(): Promise<void> {
  const { notebook, out } = parseArgs(process.argv.slice(2));
  const summaryFile = out.replace(/\.png$/, '') + '.json';
  // A failed check must not leave an older screenshot behind for the report to show.
  fs.rmSync(out, { force: true });
  fs.rmSync(summaryFile, { force: true });
  const profile = process.env.AVLAB_PROFILE || 'full';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-jupyter-check-'));
  console.log(`jupyter-check: ${path.relative(root, notebook)} in Jupyter Notebook in Chromium (profile ${profile})`);
  try {
    const r = await checkNotebookInBrowser({
      notebook,
      screenshot: out,
      env: { AVLAB_PROFILE: profile, AVLAB_FIGURES_DIR: path.join(scratch, 'figures'), AVLAB_RESULTS_DIR: path.join(scratch, 'results') },
      timeoutMs: 30 * 60 * 1000,
      log: (line) => {
        if (!line.startsWith('jupyter: ')) console.log(`jupyter-check:   ${line}`);
      },
    });
    const summary = {
      notebook: path.basename(notebook),
      profile,
      kernel: r.kernel,
      executedCells: r.executedCells,
      codeCells: r.codeCells,
      tables: r.tables,
      figures: r.figures,
      plots: r.plots,
      errors: r.errors,
      pageErrors: r.pageErrors,
      seconds: Math.round(r.seconds * 10) / 10,
      checkedAt: new Date().toISOString(),
    };
    fs.writeFileSync(summaryFile, JSON.stringify(summary, null, 1) + '\n');
    console.log(
      `jupyter-check: kernel ${r.kernel}; ${r.executedCells} of ${r.codeCells} code cells ran; ${r.tables} table(s); ` +
        `${r.plots} of ${r.figures} figure(s) drawn by plotly.js; ${r.errors.length} error output(s); ${r.seconds.toFixed(1)} s`,
    );
    for (const e of [...r.errors, ...r.pageErrors.map((e) => `page: ${e}`)]) console.log(`jupyter-check:   error: ${e}`);
    console.log(`jupyter-check: screenshot ${path.relative(root, out)}`);
    const problems = [
      ...(r.executedCells < r.codeCells ? [`${r.codeCells - r.executedCells} code cell(s) did not run`] : []),
      ...(r.tables < 1 ? ['no table showed'] : []),
      ...(r.plots < 1 ? ['no plotly figure was drawn'] : []),
      ...(r.errors.length > 0 ? ['cells reported errors'] : []),
    ];
    if (problems.length > 0) throw new Error(problems.join('; '));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`jupyter-check: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
