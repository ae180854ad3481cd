/**
 * Interactive Jupyter as people use it: the Notebook server `npm run jupyter` starts, and notebook 01
 * run cell by cell in its page in Chromium on the quick profile, tables and plotly figures drawn.
 * Needs Debian's jupyter-notebook and chromium (scripts/setup.sh installs both): without them the
 * tests are skipped, except under CI, where that is a failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { checkNotebookInBrowser } from '../../lib/notebook/browserCheck';
import { parseServerPort, startNotebookServer } from '../../lib/notebook/server';
import { chromiumPath } from '../../lib/plots';

const root = path.resolve(__dirname, '../..');
const notebook = path.join(root, 'notebooks', '01_unimodal.ipynb');

/** What is missing for the browser tests, or null when everything is there. */
function missingTools(): string | null {
  const missing: string[] = [];
  try {
    execFileSync('jupyter', ['notebook', '--version'], { stdio: 'ignore' });
  } catch {
    missing.push("Jupyter's Notebook server (Debian package jupyter-notebook)");
  }
  if (!fs.existsSync(chromiumPath())) missing.push(`Chromium (${chromiumPath()})`);
  return missing.length ? `${missing.join(' and ')} not installed; run npm run setup` : null;
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('notebook server', () => {
  it('reads the port from the line Notebook prints once it listens', () => {
    assert.equal(parseServerPort('[I 23:53:48.520 NotebookApp] http://127.0.0.1:39355/?token=...'), 39355);
    assert.equal(parseServerPort('[I 23:53:48.521 NotebookApp]  or http://127.0.0.1:8890/?token=...'), 8890);
    assert.equal(parseServerPort('[I 23:53:48.519 NotebookApp] The port 8888 is already in use, trying another port.'), null);
  });

  it('says how to install Jupyter when it cannot be started', async () => {
    await assert.rejects(
      startNotebookServer({ dir: os.tmpdir(), env: { PATH: path.join(os.tmpdir(), 'no-such-bin') } }),
      (err: Error) => /could not be started/.test(err.message) && /jupyter-notebook/.test(err.message) && /npm run setup/.test(err.message),
    );
  });
});

describe('notebooks in a browser (Jupyter Notebook 6 + Chromium)', function () {
  this.timeout(10 * 60 * 1000);
  const missing = missingTools();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-browser-'));

  before(function () {
    if (missing) {
      if (process.env.CI) throw new Error(`CI must run the browser tests: ${missing}`);
      this.skip();
    }
    // Notebooks import the compiled library; compile it so they run today's lib/.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it("serves this checkout's kernel launcher, as the default kernel, to token holders only", async () => {
    const server = await startNotebookServer({ dir: out });
    try {
      assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
      const denied = await fetch(`${server.url}api/kernelspecs`);
      assert.equal(denied.status, 403, 'requests without the token are refused');
      const res = await fetch(`${server.url}api/kernelspecs?token=${server.token}`);
      assert.equal(res.status, 200);
      const specs = (await res.json()) as { default: string; kernelspecs: Record<string, { spec: { argv: string[]; display_name: string } }> };
      assert.equal(specs.default, 'tslab', 'new notebooks get the TypeScript kernel');
      const tslab = specs.kernelspecs.tslab?.spec;
      assert.ok(tslab, 'the tslab kernelspec is listed');
      assert.ok(tslab.argv.includes(path.join(root, 'scripts', 'tslab-kernel.cjs')), `argv ${JSON.stringify(tslab.argv)} runs this checkout's launcher`);
      assert.equal(tslab.display_name, 'TypeScript');
    } finally {
      await server.stop();
    }
    assert.throws(() => process.kill(server.pid, 0), 'the server has exited');
    await assert.rejects(fetch(`${server.url}api/status`), 'nothing listens on its port any more');
  });

  /** A notebook of code cells on the tslab kernel, written into the scratch folder. */
  const probe = (name: string, cells: string[]): string => {
    const file = path.join(out, 'probes', `${name}.ipynb`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const code = cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source }));
    fs.writeFileSync(file, JSON.stringify({ cells: code, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 }));
    return file;
  };

  it("reports a failing cell and a kernel that dies instead of passing", async () => {
    const failing = await checkNotebookInBrowser({ notebook: probe('failing', ['const a: number = 1;', "throw new Error('boom from cell 2');", 'console.log(a);']) });
    assert.equal(failing.kernel, 'tslab');
    assert.equal(failing.executedCells, 2, 'the cells after the error do not run');
    assert.ok(failing.errors.some((e) => /cell 1\b.*boom from cell 2/.test(e)), `errors: ${JSON.stringify(failing.errors)}`);

    const dying = await checkNotebookInBrowser({ notebook: probe('dying', ['console.log(1);', "process.kill(process.pid, 'SIGKILL');", 'console.log(3);']) });
    assert.ok(dying.errors.some((e) => /kernel stopped while cells ran/.test(e)), `errors: ${JSON.stringify(dying.errors)}`);
    assert.ok(dying.executedCells < dying.codeCells);
  });

  it('runs notebook 01 in Chromium: tables and plotly figures drawn, no errors, a screenshot', async () => {
    const before = sha(notebook);
    const checkpoints = path.join(root, 'notebooks', '.ipynb_checkpoints');
    const hadCheckpoints = fs.existsSync(checkpoints);
    const screenshot = path.join(out, 'jupyter-notebook.png');
    const result = await checkNotebookInBrowser({
      notebook,
      screenshot,
      env: {
        AVLAB_PROFILE: 'quick',
        AVLAB_FIGURES_DIR: path.join(out, 'figures'),
        AVLAB_RESULTS_DIR: path.join(out, 'results'),
        AVLAB_RUNS_DIR: path.join(out, 'runs'),
      },
      timeoutMs: 8 * 60 * 1000,
    });
    assert.deepEqual(result.errors, [], 'no error outputs');
    assert.deepEqual(result.pageErrors, [], 'no uncaught errors in the page');
    assert.equal(result.kernel, 'tslab');
    assert.equal(result.executedCells, result.codeCells, 'every code cell ran');
    assert.ok(result.tables >= 1, `tables: ${result.tables}`);
    assert.ok(result.plots >= 1, `plotly plots drawn: ${result.plots}`);
    assert.equal(result.plots, result.figures, 'every avlab figure was drawn by plotly.js');

    const bytes = fs.readFileSync(screenshot);
    assert.ok(bytes.length > 30_000, `screenshot of ${bytes.length} bytes`);
    const png = PNG.sync.read(bytes);
    assert.ok(png.width >= 1000 && png.height >= 800, `screenshot of ${png.width} × ${png.height}`);
    // Not a blank page: a rendered notebook with figures has many distinct colours.
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
    assert.ok(colours.size > 50, `${colours.size} distinct colours in the screenshot`);

    assert.equal(sha(notebook), before, 'the notebook on disk is left as it was');
    assert.equal(fs.existsSync(checkpoints), hadCheckpoints, 'no checkpoint folder was made beside the notebooks');
  });
});
