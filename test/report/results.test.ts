import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readNotebookResults, writeNotebookResults } from '../../lib/report/results';
import type { NotebookResults } from '../../lib/report/types';
import { sampleResults } from './helpers';
import { InputError } from '../../lib/util/errors';

describe('report/results', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'avlab-results-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <notebook>.json atomically and reads it back unchanged', () => {
    const r = sampleResults('03-video.ipynb', 'Video');
    const path = writeNotebookResults(dir, r);
    assert.equal(path, join(dir, '03-video.json'));
    assert.deepEqual(readdirSync(dir), ['03-video.json']);
    assert.deepEqual(readNotebookResults(dir), [r]);
    assert.ok(readFileSync(path, 'utf8').startsWith('{\n  "notebook": "03-video.ipynb",'));
  });

  it('returns notebooks in numeric file-name order', () => {
    for (const n of ['10-fusion', '2-audio', '1-data']) writeNotebookResults(dir, sampleResults(n, n));
    assert.deepEqual(readNotebookResults(dir).map((r) => r.notebook), ['1-data', '2-audio', '10-fusion']);
  });

  it('rejects malformed results naming the file and key', () => {
    const bad = { ...sampleResults('x', 'x'), source: 'real' } as unknown as NotebookResults;
    assert.throws(() => writeNotebookResults(dir, bad), (e: unknown) => e instanceof InputError && e.key === 'source');
    writeFileSync(join(dir, 'y.json'), JSON.stringify({ ...sampleResults('y', 'y'), sections: [{ heading: 'h', table: { columns: ['a'], rows: [[1, 2]] } }] }));
    assert.throws(() => readNotebookResults(dir), /y\.json \[sections\[0\]\.table\.rows\[0\]\]/);
    writeFileSync(join(dir, 'y.json'), '{');
    assert.throws(() => readNotebookResults(dir), /y\.json: is not valid JSON/);
    assert.throws(() => readNotebookResults(join(dir, 'missing')), /run the notebooks first/);
  });
});
