import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../lib/cli';
import { runCapture } from './helpers/cli';
import { SCENE_CLASSES } from '../lib/scenes/data/types';
import { writePredictionCsv } from '../lib/scenes/courseFiles';
import { formatFixed } from '../lib/metrics/pythonFormat';
import {
  ABSENT_FROM_PREDICTIONS,
  ABSENT_FROM_TRUTH,
  randomCoursePredictions,
} from './fixtures/metrics/randomPredictions';

const ROOT = path.join(__dirname, '..');
const SHIM = path.join(ROOT, 'scripts', 'avlab.cjs');
const SKLEARN_SCRIPT = path.join(ROOT, 'test', 'fixtures', 'metrics', 'sklearn_result.py');
const PYTHON = '/usr/bin/python3';

/** Runs the CLI in-process and captures what it prints. */
const run = runCapture;

/** The scikit-learn version of the system Python; fails (does not skip) when it is missing. */
function sklearnVersion(): [number, number] {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) {
    assert.fail(
      `these tests compare avlab with scikit-learn and need ${PYTHON} with scikit-learn ` +
        `(Debian/Ubuntu: apt-get install python3-sklearn). Python said: ${r.error?.message ?? r.stderr.trim()}`,
    );
  }
  const [major, minor] = r.stdout.trim().split('.').map(Number);
  return [major, minor];
}

describe('avlab CLI', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-cli-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('usage', () => {
    it('prints help with exit status 0', async () => {
      for (const flag of ['--help', '-h', 'help']) {
        const r = await run(flag);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^Usage: avlab <command>/);
        assert.match(r.stdout, /evaluate <prediction\.csv> \[-o result\.txt\]/);
        assert.equal(r.stderr, '');
      }
      const r = await run('evaluate', '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: avlab evaluate/);
    });

    it('answers bad usage with one line and exit status 2', async () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /missing command/],
        [['train'], /unknown command "train"/],
        [['evaluate'], /needs a prediction file/],
        [['evaluate', 'a.csv', 'b.csv'], /one prediction file, got 2/],
        [['evaluate', 'a.csv', '--fast'], /unknown option --fast/],
        [['evaluate', 'a.csv', '-o'], /-o needs a file name/],
      ];
      for (const [argv, message] of cases) {
        const r = await run(...argv);
        assert.equal(r.code, 2, argv.join(' '));
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^avlab: [^\n]*\n$/);
        assert.match(r.stderr, message);
      }
    });
  });

  describe('evaluate', () => {
    it('reports bad input in one line naming the file and line, without a stack trace', async () => {
      const missing = path.join(dir, 'missing.csv');
      let r = await run('evaluate', missing);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `avlab: ${missing}: file not found\n`);

      const bad = path.join(dir, 'bad.csv');
      const header = ['aid', 'scene_pred', 'scene_label', ...SCENE_CLASSES].join('\t');
      fs.writeFileSync(bad, `${header}\na1\tairport\tbeach\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\n`);
      r = await run('evaluate', bad);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^avlab: [^\n]*bad\.csv \[line 2, column "scene_label"\]: unknown class "beach"[^\n]*\n$/);
    });

    it('prints result.txt and writes it with -o; an unwritable -o is bad input', async () => {
      const input = path.join(dir, 'prediction.csv');
      writePredictionCsv(input, randomCoursePredictions(7, 20));
      const output = path.join(dir, 'result.txt');
      const r = await run('evaluate', input, '-o', output);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\n {2}\naccuracy: \d\.\d{3}\noverall log loss: \d+\.\d{3}\n$/);
      assert.equal(fs.readFileSync(output, 'utf8'), r.stdout);
      const r2 = await run('evaluate', `--output=${output}`, input);
      assert.equal(r2.stdout, r.stdout);

      const unwritable = path.join(dir, 'no-such-dir', 'result.txt');
      const r3 = await run('evaluate', input, '-o', unwritable);
      assert.equal(r3.code, 2);
      assert.match(r3.stderr, /^avlab: [^\n]*no-such-dir[^\n]*cannot be written \(ENOENT\)\n$/);
    });
  });

  describe('agreement with scikit-learn on a course-format prediction.csv', function () {
    this.timeout(120_000);
    let input: string;
    let expected: string;
    let flags: string[];

    before(() => {
      const rows = randomCoursePredictions(1234, 200);
      // The fixture must really contain the awkward cases it is meant to test.
      const labels = new Set(rows.map((r) => r.sceneLabel));
      const predicted = new Set(rows.map((r) => r.scenePred));
      assert.ok(!labels.has(SCENE_CLASSES[ABSENT_FROM_TRUTH]) && predicted.has(SCENE_CLASSES[ABSENT_FROM_TRUTH]));
      assert.ok(labels.has(SCENE_CLASSES[ABSENT_FROM_PREDICTIONS]) && !predicted.has(SCENE_CLASSES[ABSENT_FROM_PREDICTIONS]));
      input = path.join(dir, 'random-prediction.csv');
      writePredictionCsv(input, rows);
      const zeroForTruth = rows.filter((r) => formatFixed(r.probabilities[(SCENE_CLASSES as readonly string[]).indexOf(r.sceneLabel)], 3) === '0.000');
      assert.ok(zeroForTruth.length > 0, 'no row gives its true class probability 0.000 (log-loss clipping untested)');

      const [major, minor] = sklearnVersion();
      // scikit-learn 1.5 stopped renormalising rows in log_loss; compare like with like.
      flags = major > 1 || (major === 1 && minor >= 5) ? ['--no-renormalize'] : [];
      const py = spawnSync(PYTHON, [SKLEARN_SCRIPT, input], { encoding: 'utf8' });
      assert.equal(py.status, 0, `${SKLEARN_SCRIPT} failed: ${py.stderr}`);
      expected = py.stdout;
      assert.match(expected, /^ +precision +recall +f1-score +support\n/);
    });

    it('runCli evaluate prints the same text byte for byte', async () => {
      const r = await run('evaluate', input, ...flags);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, expected);
    });

    it('node scripts/avlab.cjs evaluate prints the same text and exits 0', () => {
      const r = spawnSync(process.execPath, [SHIM, 'evaluate', input, ...flags], { encoding: 'utf8', cwd: ROOT });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, expected);
    });

    it('the shim exits 2 with one line on bad input', () => {
      const r = spawnSync(process.execPath, [SHIM, 'evaluate', path.join(dir, 'nope.csv')], { encoding: 'utf8', cwd: ROOT });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^avlab: [^\n]*nope\.csv: file not found\n$/);
    });
  });
});
