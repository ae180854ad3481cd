import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { buildReport } from '../../lib/report/build';
import { writeNotebookResults } from '../../lib/report/results';
import { haveChromium } from '../plots/helpers';
import { sampleResults } from './helpers';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="480"><rect width="720" height="480" fill="#0072B2"/></svg>';

describe('report/build', function () {
  this.timeout(120_000);
  let root: string;
  let opts: { resultsDir: string; figuresDir: string; outDir: string; notebooksHtmlDir: string };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'avlab-report-'));
    opts = {
      resultsDir: join(root, 'report', 'results'),
      figuresDir: join(root, 'figures'),
      outDir: join(root, 'report'),
      notebooksHtmlDir: join(root, 'report', 'notebooks'),
    };
    mkdirSync(opts.figuresDir, { recursive: true });
    writeFileSync(join(opts.figuresDir, 'audio-loss.svg'), SVG);
    writeFileSync(join(opts.figuresDir, 'fusion-cm.svg'), SVG);
    mkdirSync(opts.notebooksHtmlDir, { recursive: true });
    writeFileSync(join(opts.notebooksHtmlDir, '02-audio.html'), '<html></html>');
    writeNotebookResults(opts.resultsDir, {
      ...sampleResults('10-fusion.ipynb', 'Audio-visual fusion'),
      backend: 'wasm',
      sections: [
        {
          heading: 'Fusion results',
          markdown: 'Early fusion is *best*.',
          table: { columns: ['method', 'accuracy'], rows: [['early fusion', 0.8612], ['late fusion', 0.8437]], caption: 'Test accuracy' },
          figures: ['fusion-cm', 'not-exported'],
        },
      ],
    });
    writeNotebookResults(opts.resultsDir, {
      ...sampleResults('02-audio.ipynb', 'Audio baseline'),
      sections: [{ heading: 'Audio training', figures: ['audio-loss'] }],
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes index.html with every notebook, section, table value and existing figure', async () => {
    const result = await buildReport({ ...opts, pdf: false, generatedAt: new Date('2025-03-04T05:06:07Z') });
    assert.deepEqual(result.notebooks, ['02-audio.ipynb', '10-fusion.ipynb']);
    assert.deepEqual(result.missingFigures, ['not-exported']);
    const html = readFileSync(result.indexHtml, 'utf8');
    for (const text of ['Audio baseline', 'Audio training', 'Audio-visual fusion', 'Fusion results', 'early fusion', '0.861', '0.844', 'Test accuracy', '<em>best</em>']) {
      assert.ok(html.includes(text), `index.html lacks ${text}`);
    }
    assert.ok(html.indexOf('Audio baseline</h2>') < html.indexOf('Audio-visual fusion</h2>'), 'notebook order');
    assert.ok(html.includes('2025-03-04 05:06:07 UTC'));
    assert.match(html, /profile <b>quick<\/b> · backend <b>tensorflow, wasm<\/b>/);
    const srcs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(srcs, ['../figures/audio-loss.svg', '../figures/fusion-cm.svg']);
    for (const src of srcs) assert.ok(existsSync(resolve(dirname(result.indexHtml), src)), `${src} does not exist`);
    assert.ok(html.includes('<a href="notebooks/02-audio.html">02-audio.ipynb</a>'));
    assert.ok(html.includes('<code>10-fusion.ipynb</code>'));
    assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(html), 'report references a remote URL');
  });

  it('prints report.pdf through headless Chromium', async function () {
    if (!haveChromium()) {
      console.warn('    (skipped: no Chromium; install Debian package chromium or set AVLAB_CHROMIUM)');
      this.skip();
    }
    const result = await buildReport(opts);
    assert.equal(result.pdf, join(opts.outDir, 'report.pdf'));
    const pdf = readFileSync(result.pdf!);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.length > 5000);
    // one page per notebook at least (each notebook starts a new page in print)
    assert.ok((pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length >= 2);
  });
});
