/**
 * Every notebook executed headless in real Jupyter with the tslab kernel on the quick profile, as
 * the main job runs them. Outputs go to a temporary directory, never to the repository's figures.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executeNotebook, listNotebooks, notebookOutputs } from '../../lib/notebook/execute';
import { readNotebookResults } from '../../lib/report/results';

const root = path.resolve(__dirname, '../..');

describe('notebooks (headless, quick profile)', function () {
  this.timeout(15 * 60 * 1000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-notebooks-'));
  const env = {
    AVLAB_PROFILE: 'quick',
    AVLAB_FIGURES_DIR: path.join(out, 'figures'),
    AVLAB_RESULTS_DIR: path.join(out, 'results'),
    AVLAB_RUNS_DIR: path.join(out, 'runs'),
  };

  before(() => {
    // Notebooks import the compiled library through notebooks/avlab.ts, which would compile a stale
    // dist/ itself; compiling here once keeps that out of the first notebook's time.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  });

  /** The HTML outputs of an executed notebook's cells, one string per cell. */
  const htmlOutputs = (executed: string): string[] => {
    const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as { cells: { outputs?: { data?: Record<string, string | string[]> }[] }[] };
    return nb.cells.map((c) => (c.outputs ?? []).map((o) => [o.data?.['text/html'] ?? ''].flat().join('')).join('\n'));
  };

  it('headless runs use this checkout\'s kernel launcher, and it answers', async () => {
    const nb = path.join(out, 'probe.ipynb');
    const cell = { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['const answer: number = 6 * 7;\n', 'console.log(`answer ${answer} from ${process.argv[1]}`);'] };
    fs.writeFileSync(nb, JSON.stringify({ cells: [cell], metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 }));
    const run = await executeNotebook(nb, { outDir: path.join(out, 'executed') });
    assert.equal(notebookOutputs(run.executed).text.trim(), `answer 42 from ${path.join(root, 'scripts', 'tslab-kernel.cjs')}`);
  });

  for (const notebook of listNotebooks(path.join(root, 'notebooks'))) {
    const id = path.basename(notebook, '.ipynb');
    it(`${id} runs without a cell error and emits its figures and results`, async () => {
      const run = await executeNotebook(notebook, { outDir: path.join(out, 'executed'), env });
      const { errors, text } = notebookOutputs(run.executed);
      assert.deepEqual(errors, [], `cell errors in ${id}`);
      assert.match(text, /avlab backend: /, 'the run prints its backend');
      assert.match(text, new RegExp(`avlab ${id}: profile quick`), 'the first cell is av.setup');
      if (id === '02_fusion') {
        // The look-inside section: the builder's source, the layer table and one batch's shapes.
        const html = htmlOutputs(run.executed).join('\n');
        assert.match(html, /class="avlab-source"[\s\S]*lib\/scenes\/models\/registry\.ts:\d+/, 'showSource of the fusion builder');
        assert.match(html, /intermediate\/concat/, 'layer table names the concatenation');
        assert.match(html, /\[16, 256\]/, 'one batch of 16 clips is 256 wide after the concatenation');
      }
      const results = readNotebookResults(env.AVLAB_RESULTS_DIR).find((r) => r.notebook === id);
      assert.ok(results, `report/results/${id}.json was written`);
      assert.equal(results!.profile, 'quick');
      const figures = results!.sections.flatMap((s) => s.figures ?? []);
      assert.ok(figures.length > 0, 'the notebook reports figures');
      for (const f of figures) {
        for (const ext of ['png', 'svg', 'html']) {
          const file = path.join(env.AVLAB_FIGURES_DIR, `${f}.${ext}`);
          assert.ok(fs.existsSync(file) && fs.statSync(file).size > 1000, `${f}.${ext} exists`);
        }
      }
      // The course's files for every trained model.
      const runs = path.join(env.AVLAB_RUNS_DIR, 'quick', 'scenes');
      for (const model of fs.existsSync(runs) ? fs.readdirSync(runs) : []) {
        for (const file of ['train.log', 'result.txt', 'prediction.csv']) assert.ok(fs.existsSync(path.join(runs, model, file)), `${model}/${file}`);
      }
    });
  }
});
