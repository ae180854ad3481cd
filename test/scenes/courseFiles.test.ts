import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCENE_CLASSES } from '../../lib/scenes/data/types';
import { classificationReport } from '../../lib/metrics/classification';
import {
  FLOAT32_EPS,
  courseLogLoss,
  courseTrainLogLine,
  evaluatePredictionFile,
  readCourseLabels,
  formatPredictionCsv,
  formatResultTxt,
  readPredictionCsv,
  toPredictionRows,
  writePredictionCsv,
  writeResultTxt,
  type PredictionRow,
} from '../../lib/scenes/courseFiles';
import { InputError } from '../../lib/util/errors';

const HEADER = ['aid', 'scene_pred', 'scene_label', ...SCENE_CLASSES].join('\t');

/** A 10-class probability row with the given non-zero entries. */
function probs(entries: Partial<Record<(typeof SCENE_CLASSES)[number], number>>): string {
  return SCENE_CLASSES.map((c) => (entries[c] ?? 0).toFixed(3)).join('\t');
}

const GOOD_ROWS = [
  `a1\tairport\tairport\t${probs({ airport: 0.9, bus: 0.1 })}`,
  `a2\tairport\tbus\t${probs({ airport: 0.3, bus: 0.7 })}`,
];

describe('course prediction.csv and result.txt', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-course-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  describe('formatPredictionCsv / writePredictionCsv', () => {
    const rows: PredictionRow[] = [
      { aid: 'x-1', scenePred: 'b', sceneLabel: 'a', probabilities: [0.0625, 0.5075, 0.43] },
      { aid: 'x-2', scenePred: 'c', sceneLabel: 'c', probabilities: new Float32Array([0, 0, 1]) },
    ];

    it('writes a tab-separated header and three-decimal probabilities, as pandas "%.3f" does', () => {
      // 0.0625 is an exact tie (rounded to even: 0.062, where toFixed says 0.063); 0.5075 is stored
      // just below its tie.
      assert.equal(
        formatPredictionCsv(rows, ['a', 'b', 'c']),
        'aid\tscene_pred\tscene_label\ta\tb\tc\n' + 'x-1\tb\ta\t0.062\t0.507\t0.430\n' + 'x-2\tc\tc\t0.000\t0.000\t1.000\n',
      );
      assert.equal(formatPredictionCsv(rows.slice(0, 1), ['a', 'b', 'c'], { decimals: 4 }).split('\n')[1], 'x-1\tb\ta\t0.0625\t0.5075\t0.4300');
    });

    it('round-trips through a file with the scene classes', () => {
      const file = path.join(dir, 'prediction.csv');
      const original = toPredictionRows(['c1', 'c2'], [3, 9], [
        [0.1, 0.1, 0.1, 0.4, 0.1, 0.05, 0.05, 0.05, 0.05, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0.25, 0.75],
      ]);
      assert.equal(original[0].scenePred, 'metro_station');
      assert.equal(original[1].scenePred, 'tram');
      writePredictionCsv(file, original);
      const read = readPredictionCsv(file);
      assert.deepEqual(read.classes, [...SCENE_CLASSES]);
      assert.deepEqual(
        read.rows,
        original.map((r) => ({ ...r, probabilities: Array.from(r.probabilities) })),
      );
      assert.deepEqual(fs.readdirSync(dir), ['prediction.csv']); // no temporary file left behind
    });

    it('replaces an existing file', () => {
      const file = write('prediction.csv', 'old contents');
      writePredictionCsv(file, rows, ['a', 'b', 'c']);
      assert.equal(fs.readFileSync(file, 'utf8'), formatPredictionCsv(rows, ['a', 'b', 'c']));
    });

    it('refuses rows it could not write faithfully', () => {
      const bad = (patch: Partial<PredictionRow>): PredictionRow[] => [{ ...rows[0], ...patch }];
      assert.throws(() => formatPredictionCsv(bad({ aid: 'has\ttab' }), ['a', 'b', 'c']), RangeError);
      assert.throws(() => formatPredictionCsv(bad({ sceneLabel: 'z' }), ['a', 'b', 'c']), /"z"/);
      assert.throws(() => formatPredictionCsv(bad({ probabilities: [1, 0] }), ['a', 'b', 'c']), RangeError);
      assert.throws(() => formatPredictionCsv(bad({ probabilities: [NaN, 0, 1] }), ['a', 'b', 'c']), RangeError);
    });
  });

  describe('readPredictionCsv accepts what the course writes', () => {
    it('reads CRLF endings, a missing final newline, reordered columns and rounding slack', () => {
      const header = ['scene_label', 'aid', ...[...SCENE_CLASSES].reverse(), 'scene_pred'].join('\t');
      // Rounded to three decimals, the first row sums to 0.995.
      const row = ['park', 'p1', '0.000', '0.000', '0.000', '0.000', '0.000', '0.995', '0.000', '0.000', '0.000', '0.000', 'park'];
      const file = write('p.csv', `${header}\r\n${row.join('\t')}`);
      const read = readPredictionCsv(file);
      assert.equal(read.rows.length, 1);
      assert.deepEqual(read.rows[0], {
        aid: 'p1',
        scenePred: 'park',
        sceneLabel: 'park',
        probabilities: [0, 0, 0, 0, 0.995, 0, 0, 0, 0, 0],
      });
    });
  });

  describe('readPredictionCsv tolerates what the course tolerates', () => {
    it('keeps rows that do not sum to 1 within 0.01 and lists them', () => {
      const lines = `${HEADER}\n${GOOD_ROWS.join('\n')}\n`.split('\n');
      lines[2] = lines[2].replace('0.700', '0.600'); // sums to 0.9
      const read = readPredictionCsv(write('p.csv', lines.join('\n')));
      assert.equal(read.rows.length, 2);
      assert.deepEqual(read.offSum.map((o) => o.line), [3]);
      assert.ok(Math.abs(read.offSum[0].sum - 0.9) < 1e-12);
    });

    it('skips a leading pandas index column (empty or "Unnamed: 0" header)', () => {
      for (const name of ['', 'Unnamed: 0']) {
        const text = `${name}\t${HEADER}\n` + GOOD_ROWS.map((r, i) => `${i}\t${r}`).join('\n') + '\n';
        const read = readPredictionCsv(write('p.csv', text));
        assert.equal(read.indexColumn, true);
        assert.deepEqual(read.rows.map((r) => r.aid), ['a1', 'a2']);
        assert.deepEqual(read.rows[1].probabilities.slice(0, 2), [0.3, 0.7]);
      }
    });

    it('reads a file without scene_label only when asked to', () => {
      const text = HEADER.replace('\tscene_label', '') + '\n' + GOOD_ROWS.map((r) => r.replace('\tairport\t', '\t').replace(/^(a\d\tairport)\tbus\t/, '$1\t')).join('\n') + '\n';
      const file = write('p.csv', text);
      assert.throws(() => readPredictionCsv(file), /missing column\(s\) "scene_label" \(a file without scene_label is scored against/);
      const read = readPredictionCsv(file, SCENE_CLASSES, { requireLabels: false });
      assert.equal(read.hasLabels, false);
      assert.deepEqual(read.rows[0], { aid: 'a1', scenePred: 'airport', probabilities: [0.9, 0.1, 0, 0, 0, 0, 0, 0, 0, 0] });
    });
  });

  describe('readCourseLabels', () => {
    const header = 'filename_audio\tfilename_video\tscene_label';
    it('maps the stem of filename_audio to its label and line', () => {
      const file = write('fold1_evaluate.csv', `${header}\r\naudio/airport-lisbon-1000-40000.wav\tvideo/airport-lisbon-1000-40000.mp4\tairport\r\naudio/bus-lyon-1001-1.wav\tvideo/bus-lyon-1001-1.mp4\tbus`);
      assert.deepEqual([...readCourseLabels(file)], [
        ['airport-lisbon-1000-40000', { label: 'airport', line: 2 }],
        ['bus-lyon-1001-1', { label: 'bus', line: 3 }],
      ]);
    });
    it('rejects missing columns, bad rows, unknown labels and repeated clips, naming file and line', () => {
      const bad = (text: string, pattern: RegExp): void => {
        const file = write('labels.csv', text);
        assert.throws(() => readCourseLabels(file), (e: unknown) => e instanceof InputError && e.message.startsWith(file) && pattern.test(e.message));
      };
      bad('filename_audio\tfilename_video\naudio/a.wav\tvideo/a.mp4\n', /\[line 1\]: missing column\(s\) "scene_label"/);
      bad('filename_audio,filename_video,scene_label\n', /comma-separated/);
      bad(`${header}\n`, /\[line 2\]: has a header but no clips/);
      bad(`${header}\naudio/a.wav\tvideo/a.mp4\n`, /\[line 2\]: has 2 tab-separated fields, expected 3/);
      bad(`${header}\naudio/a.wav\tvideo/a.mp4\tbeach\n`, /\[line 2, column "scene_label"\]: unknown class "beach"/);
      bad(`${header}\naudio/a.wav\tvideo/a.mp4\tbus\nother/a.wav\tvideo/a.mp4\ttram\n`, /\[line 3, column "filename_audio"\]: clip "a" already appears on line 2/);
    });
  });

  describe('courseLogLoss', () => {
    const y = [0, 1]; // row 0 gives its true class probability 0
    const p = [
      [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0],
    ];
    it('float32 (default): clips at the float32 epsilon and renormalises in float32', () => {
      const f = Math.fround;
      const lo = f(FLOAT32_EPS);
      // Row 0: clipped [ε, 1−ε, ε × 8], summed by NumPy's pairwise float32 sum; row 1: [½, ½, ε × 8].
      const s0 = f(f(f(f(lo + f(1 - FLOAT32_EPS)) + f(lo + lo)) + f(f(lo + lo) + f(lo + lo))) + lo);
      const s0b = f(s0 + lo);
      const s1 = f(f(f(f(0.5 + 0.5) + f(lo + lo)) + f(f(lo + lo) + f(lo + lo))) + lo);
      const s1b = f(s1 + lo);
      const expected = (-Math.log(f(lo / s0b)) + -Math.log(f(0.5 / s1b))) / 2;
      assert.equal(courseLogLoss(y, p), expected);
      assert.ok(Math.abs(courseLogLoss(y, p) - (-Math.log(2 ** -23) + Math.log(2)) / 2) < 1e-5);
      assert.equal(courseLogLoss(y, p, { renormalize: false }), (-Math.log(lo) - Math.log(0.5)) / 2);
    });
    it('float64, sklearn<1.2 and a number clip in float64', () => {
      assert.ok(Math.abs(courseLogLoss(y, p, { eps: 'float64', renormalize: false }) - (-Math.log(2 ** -52) + Math.log(2)) / 2) < 1e-12);
      assert.ok(Math.abs(courseLogLoss(y, p, { eps: 'sklearn<1.2' }) - (-Math.log(1e-15) + Math.log(2)) / 2) < 1e-12);
      assert.equal(courseLogLoss(y, p, { eps: 1e-3, renormalize: false }), (-Math.log(1e-3) + Math.log(2)) / 2);
      assert.throws(() => courseLogLoss(y, p, { eps: 'sklearn<1.2', renormalize: false }), /always renormalises/);
      assert.throws(() => courseLogLoss([10, 0], p), /not a class index/);
    });
  });

  describe('courseTrainLogLine', () => {
    it("writes the course's loguru lines: timestamp, rule, training line, cv line, rule", () => {
      const at = new Date(2022, 4, 21, 9, 5, 7); // local time, as loguru stamps it
      const text = courseTrainLogLine({ epoch: 3, trainLoss: 1.23456, valLoss: 0.125, metrics: { accuracy: 0.6875 }, lr: 1e-4, seconds: 12.3456 }, at);
      const rule = '-'.repeat(99);
      assert.equal(
        text,
        `[2022-05-21 09:05:07] ${rule}\n` +
          '[2022-05-21 09:05:07] | epoch   3 | time: 12.35s | training loss  1.23 |\n' +
          '[2022-05-21 09:05:07] | epoch   3 | time: 12.35s | cv loss  0.12 | cv accuracy:  0.69 |\n' + // 0.125 rounds half to even, as Python
          `[2022-05-21 09:05:07] ${rule}`,
      );
      assert.match(courseTrainLogLine({ epoch: 120, trainLoss: 0, valLoss: 0, metrics: { accuracy: 1 }, lr: 0, seconds: 0 }), /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] -{99}\n[^\n]*\| epoch 120 \| time:  0\.00s \| training loss  0\.00 \|\n/);
    });
  });

  describe('readPredictionCsv rejects bad input with an InputError naming file and line', () => {
    /** Asserts that reading `text` fails with a message holding the file name and every pattern. */
    function rejects(text: string, ...patterns: RegExp[]): void {
      const file = write('prediction.csv', text);
      assert.throws(
        () => readPredictionCsv(file),
        (err: unknown) => {
          assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
          assert.ok(err.message.startsWith(file), `message does not start with the file: ${err.message}`);
          for (const p of patterns) assert.match(err.message, p);
          return true;
        },
      );
    }
    const body = `${HEADER}\n${GOOD_ROWS.join('\n')}\n`;
    const replaceCell = (line: number, column: string, value: string): string => {
      const lines = body.split('\n');
      const cells = lines[line - 1].split('\t');
      cells[HEADER.split('\t').indexOf(column)] = value;
      lines[line - 1] = cells.join('\t');
      return lines.join('\n');
    };

    it('a missing file', () => {
      const file = path.join(dir, 'absent.csv');
      assert.throws(() => readPredictionCsv(file), (err: unknown) => err instanceof InputError && err.message === `${file}: file not found`);
    });

    it('an empty file or a header without rows', () => {
      rejects('', /\[line 1\]/, /empty/);
      rejects(`${HEADER}\n`, /\[line 2\]/, /no prediction rows/);
    });

    it('missing, unknown and repeated header columns', () => {
      rejects(body.replace('\ttram', ''), /\[line 1\]/, /missing column\(s\) "tram"/);
      rejects(body.replace('\ttram', '\ttrams'), /\[line 1\]/, /missing column\(s\) "tram"/);
      rejects(body.replace('aid\t', 'aid\tcomment\t'), /\[line 1\]/, /unknown column\(s\) "comment"/);
      rejects(body.replace('\tbus\t', '\tairport\t'), /\[line 1\]/, /"airport" appear more than once/);
    });

    it('a comma-separated file', () => {
      rejects(body.replace(/\t/g, ','), /\[line 1\]/, /comma-separated/);
    });

    it('a row with the wrong number of fields', () => {
      rejects(body.replace('\t0.700', ''), /\[line 3\]/, /has 12 tab-separated fields, expected 13/);
      rejects(`${body}a3,airport,airport\n`, /\[line 4\]/, /comma-separated/);
    });

    it('unknown class names', () => {
      rejects(replaceCell(2, 'scene_label', 'beach'), /\[line 2, column "scene_label"\]/, /unknown class "beach"/);
      rejects(replaceCell(3, 'scene_pred', 'Airport'), /\[line 3, column "scene_pred"\]/, /unknown class "Airport"/);
    });

    it('probabilities that are not finite non-negative numbers', () => {
      rejects(replaceCell(2, 'park', 'abc'), /\[line 2, column "park"\]/, /"abc" is not a number/);
      rejects(replaceCell(2, 'park', ''), /\[line 2, column "park"\]/, /empty/);
      rejects(replaceCell(3, 'bus', 'NaN'), /\[line 3, column "bus"\]/, /NaN/);
      rejects(replaceCell(3, 'bus', 'inf'), /\[line 3, column "bus"\]/, /infinite/);
      rejects(replaceCell(3, 'bus', '1e999'), /\[line 3, column "bus"\]/, /out of range/);
      rejects(replaceCell(2, 'tram', '-0.1'), /\[line 2, column "tram"\]/, /negative/);
    });


    it('empty or repeated clip ids and blank lines between rows', () => {
      rejects(replaceCell(2, 'aid', ''), /\[line 2, column "aid"\]/, /aid is empty/);
      rejects(replaceCell(3, 'aid', 'a1'), /\[line 3, column "aid"\]/, /already appears on line 2/);
      rejects(`${HEADER}\n${GOOD_ROWS[0]}\n\n${GOOD_ROWS[1]}\n`, /\[line 3\]/, /blank line/);
    });
  });

  describe('evaluatePredictionFile', () => {
    it('takes the truth from the label file, warns about off-sum rows and unscored clips', () => {
      const noLabel = HEADER.replace('\tscene_label', '');
      const rows = [`a1\tairport\t${probs({ airport: 0.9, bus: 0.1 })}`, `a2\tbus\t${probs({ airport: 0.3, bus: 0.6 })}`];
      const file = write('prediction.csv', `${noLabel}\n${rows.join('\n')}\n`);
      const labels = write('fold1_evaluate.csv', 'filename_audio\tfilename_video\tscene_label\naudio/a2.wav\tvideo/a2.mp4\tbus\naudio/a1.wav\tvideo/a1.mp4\tbus\naudio/a3.wav\tvideo/a3.mp4\ttram\n');
      const warnings: string[] = [];
      const result = evaluatePredictionFile(file, { labels, warn: (m) => warnings.push(m), logLoss: { eps: 'float64' } });
      assert.equal(result.accuracy, 0.5);
      assert.ok(Math.abs(result.logLoss - -(Math.log(0.1) + Math.log(0.6 / 0.9)) / 2) < 1e-12, `${result.logLoss}`);
      assert.equal(warnings.length, 2);
      assert.match(warnings[0], /fold1_evaluate\.csv: 1 clip\(s\) have no prediction [^]*"a3"/);
      assert.match(warnings[1], /prediction\.csv: 1 of 2 row\(s\) have probabilities that do not sum to 1 within 0\.01 \(line 3: 0\.9\)/);
      // A scene_label that contradicts the label file is an error naming both.
      const labelled = write('labelled.csv', `${HEADER}\n${GOOD_ROWS.join('\n')}\n`.replace('a1\tairport\tairport', 'a1\tairport\tpark'));
      assert.throws(() => evaluatePredictionFile(labelled, { labels }), /labelled\.csv \[line 2, column "scene_label"\]: scene_label "park" of clip "a1" disagrees with [^ ]*fold1_evaluate\.csv \(line 3: "bus"\)/);
    });

    it('scores scene_pred against scene_label and the log loss from the probabilities', () => {
      // Row 2's scene_pred (airport) is not its most probable class (bus): accuracy follows scene_pred.
      const file = write('prediction.csv', `${HEADER}\n${GOOD_ROWS.join('\n')}\n`);
      const result = evaluatePredictionFile(file, { logLoss: { eps: 'float64' } });
      assert.equal(result.accuracy, 0.5);
      const expectedLoss = -(Math.log(0.9) + Math.log(0.7)) / 2; // 0.2310...
      assert.ok(Math.abs(result.logLoss - expectedLoss) < 1e-12, `${result.logLoss}`);
      // The default (float32, eps 1.19e-07 on eight zeros per row) is within ~1e-6 of it.
      assert.ok(Math.abs(evaluatePredictionFile(file).logLoss - expectedLoss) < 2e-6);
      assert.deepEqual(result.report.perClass[0], { precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
      assert.deepEqual(result.report.perClass[1], { precision: 0, recall: 0, f1: 0, support: 1 });
      assert.ok(result.text.endsWith('\n  \naccuracy: 0.500\noverall log loss: 0.231\n'), result.text);
    });

    it('passes log-loss options through', () => {
      // Row sums 0.995: renormalising turns 0.995 into 1 (loss 0); clipping alone leaves -ln 0.995.
      const row = `p1\tpark\tpark\t${probs({ park: 0.995 })}`;
      const file = write('prediction.csv', `${HEADER}\n${row}\n`);
      assert.ok(evaluatePredictionFile(file, { logLoss: { eps: 'float64' } }).logLoss < 1e-14);
      const clipOnly = evaluatePredictionFile(file, { logLoss: { eps: 'float64', renormalize: false } }).logLoss;
      assert.ok(Math.abs(clipOnly + Math.log(0.995)) < 1e-12, `${clipOnly}`);
    });
  });

  describe('formatResultTxt / writeResultTxt', () => {
    it('prints the report, a two-space line, then accuracy and log loss with three decimals', () => {
      const report = classificationReport([0, 1, 1], [0, 1, 0], 2);
      const text = formatResultTxt(report, report.accuracy, 0.5075, ['yes', 'no']);
      assert.equal(
        text,
        '              precision    recall  f1-score   support\n\n' +
          '         yes       0.50      1.00      0.67         1\n' +
          '          no       1.00      0.50      0.67         2\n\n' +
          '    accuracy                           0.67         3\n' +
          '   macro avg       0.75      0.75      0.67         3\n' +
          'weighted avg       0.83      0.67      0.67         3\n\n' +
          '  \n' +
          'accuracy: 0.667\n' +
          'overall log loss: 0.507\n', // 0.5075 is stored below the tie
      );
    });

    it('writes result.txt atomically', () => {
      const file = path.join(dir, 'result.txt');
      writeResultTxt(file, 'first\n');
      writeResultTxt(file, 'second\n');
      assert.equal(fs.readFileSync(file, 'utf8'), 'second\n');
      assert.deepEqual(fs.readdirSync(dir), ['result.txt']);
      assert.throws(() => writeResultTxt(path.join(dir, 'missing', 'result.txt'), 'x'), /ENOENT/);
      assert.deepEqual(fs.readdirSync(dir), ['result.txt']);
    });
  });
});
