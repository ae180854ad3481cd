import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { exportFigures } from '../../lib/plots/export';
import { confusionMatrixFigure, lossCurves } from '../../lib/plots/figures';
import { svgSize } from '../../lib/plots/svg';
import { haveChromium, pngSize, sampleHistory } from './helpers';

const figs = [
  { name: 'loss', figure: lossCurves(sampleHistory(), { title: 'Training curves' }) },
  { name: 'cm', figure: confusionMatrixFigure([[5, 1], [2, 7]], ['bus', 'tram'], { title: 'cm', normalise: 'true' }) },
];

describe('plots/export', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (!haveChromium()) {
      console.warn('    (skipped: no Chromium; install Debian package chromium or set AVLAB_CHROMIUM)');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'avlab-export-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes PNG, SVG and HTML with the figure size', async () => {
    const out = join(dir, 'a');
    const result = await exportFigures(figs, out, { formats: ['png', 'svg', 'html'], scale: 2 });
    assert.deepEqual(
      readdirSync(out).sort(),
      ['cm.html', 'cm.png', 'cm.svg', 'loss.html', 'loss.png', 'loss.svg', 'plotly.min.js'],
    );
    assert.equal(result.files.length, 6);
    assert.deepEqual(pngSize(readFileSync(join(out, 'loss.png'))), { width: 1440, height: 960 });
    assert.deepEqual(pngSize(readFileSync(join(out, 'cm.png'))), { width: 1440, height: 1280 });
    const svg = readFileSync(join(out, 'loss.svg'), 'utf8');
    assert.match(svg, /^<svg\b/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.deepEqual(svgSize(svg), { width: 720, height: 480 });
    assert.ok(svg.includes('best epoch 6'));
    const html = readFileSync(join(out, 'loss.html'), 'utf8');
    assert.ok(html.includes('<script src="plotly.min.js"></script>'));
    assert.doesNotMatch(html, /https?:\/\//);
    for (const t of result.timings) {
      assert.ok(t.ms > 0 && t.perFormat.png! > 0 && t.perFormat.svg! > 0);
      console.log(`      ${t.name}: ${t.ms.toFixed(0)} ms (png ${t.perFormat.png!.toFixed(0)}, svg ${t.perFormat.svg!.toFixed(0)}); setup ${result.setupMs.toFixed(0)} ms`);
    }
  });

  it('gives byte-identical SVG (and PNG) across separate browser launches', async () => {
    await exportFigures(figs, join(dir, 'b'), { formats: ['svg', 'png'] });
    await exportFigures(figs, join(dir, 'c'), { formats: ['svg', 'png'] });
    for (const f of ['loss.svg', 'cm.svg']) {
      const b = readFileSync(join(dir, 'b', f));
      const c = readFileSync(join(dir, 'c', f));
      assert.ok(b.equals(c), `${f} differs between exports`);
      assert.doesNotMatch(b.toString(), /id="(clip|defs-)[0-9a-f]{6}/);
    }
    assert.ok(readFileSync(join(dir, 'b', 'cm.png')).equals(readFileSync(join(dir, 'c', 'cm.png'))));
  });

  it('rejects bad or duplicate names before starting a browser', async () => {
    await assert.rejects(exportFigures([{ name: '../x', figure: figs[0].figure }], dir), /bad figure name/);
    await assert.rejects(exportFigures([figs[0], figs[0]], dir), /given twice/);
  });

  it('says how to get Chromium when it is missing', async () => {
    const saved = process.env.AVLAB_CHROMIUM;
    process.env.AVLAB_CHROMIUM = join(dir, 'no-such-chromium');
    try {
      await assert.rejects(exportFigures(figs, join(dir, 'd'), { formats: ['svg'] }), /install Debian package chromium or set AVLAB_CHROMIUM/);
    } finally {
      if (saved === undefined) delete process.env.AVLAB_CHROMIUM;
      else process.env.AVLAB_CHROMIUM = saved;
    }
  });
});
