import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../lib/cli';
import { runCapture } from './helpers/cli';
import { SCENE_CLASSES } from '../lib/scenes/data/types';
import { writePredictionCsv } from '../lib/scenes/courseFiles';
import { COURSE_LABEL_FILES, loadCourseKit, parseClipId } from '../lib/scenes/data/courseKit';
import { COURSE_KIT_FILES } from './helpers/fixtures';
import { simulateScenes } from '../lib/scenes/data/simulator';
import { listHdf5 } from '../lib/io/hdf5';
import { readNpz } from '../lib/io/npz';
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

/** What the scikit-learn fixture prints for `file` with extra arguments (e.g. --dtype float32). */
function sklearnText(file: string, ...extra: string[]): string {
  const py = spawnSync(PYTHON, [SKLEARN_SCRIPT, file, ...extra], { encoding: 'utf8' });
  assert.equal(py.status, 0, `${SKLEARN_SCRIPT} failed: ${py.stderr}`);
  assert.match(py.stdout, /^ +precision +recall +f1-score +support\n/);
  return py.stdout;
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
      // The default reproduces scikit-learn on float32 probabilities (the course's evaluate.py).
      expected = sklearnText(input, '--dtype', 'float32');
    });

    it('runCli evaluate prints the same text byte for byte', async () => {
      const r = await run('evaluate', input, ...flags);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, expected);
    });

    it('--log-loss-eps float64 and sklearn<1.2 reproduce scikit-learn on float64 and its old 1e-15 clipping', async () => {
      const r64 = await run('evaluate', input, '--log-loss-eps', 'float64', ...flags);
      assert.equal(r64.code, 0, r64.stderr);
      assert.equal(r64.stdout, sklearnText(input, '--dtype', 'float64'));
      const legacy = await run('evaluate', input, '--log-loss-eps=sklearn<1.2');
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.equal(legacy.stdout, sklearnText(input, '--legacy'));
      const loss = (text: string): number => Number(/overall log loss: ([\d.]+)/.exec(text)![1]);
      // Clipping a 0.000 true-class probability at float32 eps costs far less than at 1e-15.
      assert.ok(loss(expected) < loss(legacy.stdout) && loss(legacy.stdout) < loss(r64.stdout), `${loss(expected)} ${loss(legacy.stdout)} ${loss(r64.stdout)}`);
      const bad = await run('evaluate', input, '--log-loss-eps', 'float16');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--log-loss-eps must be float32, float64, sklearn<1\.2 or a number/);
      const both = await run('evaluate', input, '--log-loss-eps', 'sklearn<1.2', '--no-renormalize');
      assert.equal(both.code, 2);
      assert.match(both.stderr, /does not apply/);
    });

    it('a constructed case: true-class probability 0 costs -ln(float32 eps), not -ln(float64 eps)', async () => {
      // Clip z1 gives its true class (bus) probability 0; eight more are certain and right, so every
      // class occurs (as in the course, whose classification_report needs all ten).
      const header = ['aid', 'scene_pred', 'scene_label', ...SCENE_CLASSES].join('\t');
      const row = (aid: string, pred: string, label: string, hot: number): string =>
        [aid, pred, label, ...SCENE_CLASSES.map((_, k) => (k === hot ? '1.000' : '0.000'))].join('\t');
      const file = path.join(dir, 'zero.csv');
      const certain = SCENE_CLASSES.slice(2).map((c, k) => row(`c${k}`, c, c, k + 2));
      fs.writeFileSync(file, [header, row('z1', 'airport', 'bus', 0), ...certain].join('\n') + '\n');
      const r32 = await run('evaluate', file, ...flags);
      const r64 = await run('evaluate', file, '--log-loss-eps', 'float64', ...flags);
      assert.equal(r32.stdout, sklearnText(file, '--dtype', 'float32'));
      assert.equal(r64.stdout, sklearnText(file, '--dtype', 'float64'));
      assert.match(r32.stdout, /overall log loss: 1\.771\n$/); // (-ln 1.1920929e-07 = 15.942) / 9
      assert.match(r64.stdout, /overall log loss: 4\.005\n$/); // (-ln 2.220446e-16 = 36.044) / 9
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

  describe("evaluate with the course's label file and its tolerances", function () {
    this.timeout(120_000);
    let pred: string;
    let labels: string;
    let flags: string[];
    // One clip per class (the course's classification_report needs every class to occur).
    const truth = [...SCENE_CLASSES];
    const ids = truth.map((c, k) => `${c}-lisbon-${1000 + k}-${40000 + k}`);
    // Two decimals, as a student's rounding might leave them: rows 2 and 4 sum to 0.97 and 1.03;
    // row 3 gives its true class (metro) probability 0.
    const rows: number[][] = truth.map((_, k) => truth.map((__, j) => (j === k ? 0.91 : 0.01)));
    rows[1] = [0.05, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.02];
    rows[2] = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    rows[3] = [0.1, 0.1, 0.1, 0.1, 0.33, 0.1, 0.1, 0.1, 0, 0];
    const labelLine = (id: string, label: string): string => `audio/${id}.wav\tvideo/${id}.mp4\t${label}`;

    before(() => {
      const [major, minor] = sklearnVersion();
      flags = major > 1 || (major === 1 && minor >= 5) ? ['--no-renormalize'] : [];
      // pandas' to_csv(sep="\t") with its index: an unnamed first column; no scene_label column.
      const header = ['', 'aid', 'scene_pred', ...SCENE_CLASSES].join('\t');
      const body = rows.map((p, i) => [String(i), ids[i], SCENE_CLASSES[p.indexOf(Math.max(...p))], ...p.map((x) => x.toFixed(2))].join('\t'));
      pred = path.join(dir, 'indexed-prediction.csv');
      fs.writeFileSync(pred, [header, ...body].join('\n') + '\n');
      // The label file lists the clips in another order, plus one clip without a prediction.
      labels = path.join(dir, 'fold1_evaluate.csv');
      const lines = ids.map((id, i) => labelLine(id, truth[i])).reverse();
      fs.writeFileSync(labels, ['filename_audio\tfilename_video\tscene_label', ...lines, labelLine('street_traffic-paris-1030-1', 'street_traffic')].join('\n') + '\n');
    });

    it('joins by clip id, skips the index column, scores off-sum rows with a warning, and equals scikit-learn', async () => {
      const r = await run('evaluate', pred, '--labels', labels, ...flags);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, sklearnText(pred, '--dtype', 'float32', '--labels', labels));
      assert.match(r.stderr, /(?:^|\n)avlab: warning: [^\n]*indexed-prediction\.csv: 2 of 10 row\(s\) have probabilities that do not sum to 1 within 0\.01 \(line 3: 0\.97, line 5: 1\.03\)[^\n]*\n/);
      assert.match(r.stderr, /avlab: warning: [^\n]*fold1_evaluate\.csv: 1 clip\(s\) have no prediction[^\n]*street_traffic-paris-1030-1/);
      const r64 = await run('evaluate', pred, '--labels', labels, '--log-loss-eps', 'float64', ...flags);
      assert.equal(r64.stdout, sklearnText(pred, '--dtype', 'float64', '--labels', labels));
    });

    it('names the file when a prediction has no label, a label file repeats a clip, or no labels are given', async () => {
      const partial = path.join(dir, 'partial.csv');
      fs.writeFileSync(partial, ['filename_audio\tfilename_video\tscene_label', labelLine(ids[0], truth[0])].join('\n') + '\n');
      let r = await run('evaluate', pred, '--labels', partial);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^avlab: [^\n]*indexed-prediction\.csv: 9 of 10 clip id\(s\) are not in the label file [^\n]*partial\.csv \(line 3: "bus-lisbon-1001-40001", [^\n]*\n$/);

      const dup = path.join(dir, 'dup.csv');
      fs.writeFileSync(dup, ['filename_audio\tfilename_video\tscene_label', ...ids.map((id, i) => labelLine(id, truth[i])), labelLine(ids[2], 'metro')].join('\n') + '\n');
      r = await run('evaluate', pred, '--labels', dup);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^avlab: [^\n]*dup\.csv \[line 12, column "filename_audio"\]: clip "metro-lisbon-1002-40002" already appears on line 4\n$/);

      const noColumn = path.join(dir, 'nolabel.csv');
      fs.writeFileSync(noColumn, 'filename_audio\tfilename_video\naudio/x.wav\tvideo/x.mp4\n');
      r = await run('evaluate', pred, '--labels', noColumn);
      assert.match(r.stderr, /nolabel\.csv \[line 1\]: missing column\(s\) "scene_label"/);

      r = await run('evaluate', pred);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /indexed-prediction\.csv \[line 1\]: missing column\(s\) "scene_label" [^\n]*--labels fold1_evaluate\.csv/);
    });
  });

  describe('export-scenes', function () {
    this.timeout(300_000);
    it('writes the course layout that the course code opens, and loadCourseKit reads it back', async () => {
      const out = path.join(dir, 'export');
      const r = await run('export-scenes', '--out', out, '--seed', '5', '--clips-per-class', '2,1,1', '--frames', '3');
      assert.equal(r.code, 0, r.stderr);
      const expectedFiles = ['configs/baseline.yaml', ...COURSE_LABEL_FILES, ...COURSE_KIT_FILES].sort();
      assert.deepEqual(r.stdout.trim().split('\n').sort(), expectedFiles);
      for (const f of expectedFiles) assert.ok(fs.existsSync(path.join(out, f)), f);

      // Same vectors and locations as the simulator gives for the same options.
      const sim = simulateScenes({ seed: 5, clipsPerClass: { train: 2, val: 1, test: 1 }, frames: 3 });
      const kit = await loadCourseKit(out, { view: 'sequence', maxFrames: 3, standardise: false });
      for (const split of ['train', 'val', 'test'] as const) {
        const order = kit[split].ids.map((id) => sim[split].ids.indexOf(id));
        assert.ok(order.every((i) => i >= 0), `${split}: ids differ`);
        assert.deepEqual(kit[split].locations, order.map((i) => sim[split].locations![i]));
        assert.deepEqual(Array.from(kit[split].labels), order.map((i) => sim[split].labels[i]));
        const per = 3 * sim[split].dim;
        order.forEach((i, j) => {
          assert.deepEqual(kit[split].audio.subarray(j * per, (j + 1) * per), sim[split].audio.subarray(i * per, (i + 1) * per));
          assert.deepEqual(kit[split].video.subarray(j * per, (j + 1) * per), sim[split].video.subarray(i * per, (i + 1) * per));
        });
        for (const id of kit[split].ids) assert.ok(parseClipId(id), `${id} is not a DCASE id`);
      }

      // What the course's dataset.py opens: "<label index>/audio/<id>", the same key with "video".
      for (const split of ['train', 'val', 'test']) {
        const audio = await listHdf5(path.join(out, 'feature', 'audio_features_data', `${split}.hdf5`));
        const video = await listHdf5(path.join(out, 'feature', 'video_features_data', `${split}.hdf5`));
        assert.ok(audio.datasets.length > 0);
        for (const d of audio.datasets) {
          assert.match(d.path, /^\d\/audio\/[a-z_]+-[a-z]+-\d+-\d+$/);
          assert.ok(video.datasets.some((v) => v.path === d.path.replace('audio', 'video')), d.path);
          assert.equal(d.shape[1], 512);
        }
      }
      // train.py / evaluate.py: np.load(...)["global_mean"], ["global_std"].
      for (const m of ['audio', 'video']) {
        const npz = readNpz(path.join(out, 'feature', `${m}_features_data`, 'global_mean_std.npz'));
        assert.deepEqual(Object.keys(npz).sort(), ['global_mean', 'global_std']);
        assert.deepEqual(npz.global_mean.shape, [512]);
      }
      // eval_prediction.py: pd.read_csv(label, sep="\t")["filename_audio"], ["scene_label"].
      const table = (rel: string): string[][] => fs.readFileSync(path.join(out, rel), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
      const evaluate = table('evaluation_setup/fold1_evaluate.csv');
      assert.deepEqual(evaluate[0], ['filename_audio', 'filename_video', 'scene_label']);
      assert.deepEqual(evaluate.slice(1).map((c) => c[0]).sort(), sim.test.ids.map((id) => `audio/${id}.wav`).sort());
      assert.equal(table('evaluation_setup/fold1_train.csv').length, 1 + sim.train.ids.length + sim.val.ids.length);
      assert.deepEqual(table('evaluation_setup/fold1_test.csv')[0], ['filename_audio', 'filename_video']);
      assert.deepEqual(table('meta.csv')[0], ['filename_audio', 'filename_video', 'scene_label', 'identifier']);
      // train.py reads its config: every data path in it exists.
      const py = spawnSync(
        PYTHON,
        ['-c', 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))["data"]; print("\\n".join([d[s][m] for s in ("train", "cv", "test") for m in ("audio_feature", "video_feature")] + [d["audio_norm"], d["video_norm"]]))', path.join(out, 'configs', 'baseline.yaml')],
        { encoding: 'utf8' },
      );
      assert.equal(py.status, 0, py.stderr);
      const paths = py.stdout.trim().split('\n');
      assert.equal(paths.length, 8);
      for (const p of paths) assert.ok(fs.existsSync(p), p);

      const bad = await run('export-scenes', '--profile', 'huge');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--profile must be quick or full/);
      assert.match((await run('export-scenes')).stderr, /needs --out <dir>/);
    });
  });
});
