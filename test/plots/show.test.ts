import assert from 'node:assert/strict';
import { readFileSync } from 'fs';
import { plotlyBundle, plotlyBundlePath } from '../../lib/plots/bundle';
import { figureHtml, resetFigureBundle, showFigure } from '../../lib/plots/show';
import { tableHtml } from '../../lib/plots/table';
import { comparisonBars } from '../../lib/plots/figures';
import { withChromium } from '../../lib/plots/browser';
import { haveChromium } from './helpers';

const fig = comparisonBars([{ method: 'a</script><b>', value: 0.5 }], { title: 'x' });

/** The HTML with the inlined plotly bundle cut out, i.e. the markup avlab itself writes. */
function withoutBundle(html: string): string {
  return html.split(plotlyBundle()).join('');
}

describe('plots/show', () => {
  beforeEach(() => resetFigureBundle());

  it('inlines the plotly bundle in the first output only, guarded by window.Plotly', () => {
    const first = figureHtml(fig);
    const second = figureHtml(fig);
    assert.ok(first.includes(plotlyBundle()));
    assert.ok(first.includes('if (!window.Plotly)'));
    assert.ok(first.length > 4_000_000, `first output is ${first.length} bytes`);
    assert.ok(!second.includes(plotlyBundle()));
    assert.ok(second.length < 20_000, `later output is ${second.length} bytes`);
    assert.ok(figureHtml(fig, { bundle: 'always' }).includes(plotlyBundle()));
  });

  it('references no external resources', () => {
    for (const html of [figureHtml(fig), figureHtml(fig)]) {
      // plotly's own source holds URL strings (geo/map tile defaults) that only map traces would
      // fetch; everything avlab writes around it must be URL-free and load nothing remotely.
      const own = withoutBundle(html);
      assert.ok(!/https?:\/\//.test(own), 'figure markup contains a URL');
      assert.ok(!/<script[^>]+src=|<link\b|<img\b|<iframe\b/i.test(own), 'figure markup loads an external resource');
      assert.ok(!/<script[^>]+src=|<link\b/i.test(html), 'output loads a script or stylesheet');
    }
  });

  it('escapes the spec so trace text cannot close the script element', () => {
    const html = figureHtml(fig, { id: 'fig-1', bundle: 'never' });
    assert.equal(html.match(/<\/script>/g)?.length, 1);
    assert.ok(html.includes('id="fig-1"'));
    assert.ok(html.includes('\\u003c/script>'));
    assert.ok(readFileSync(plotlyBundlePath(), 'utf8').startsWith('/**'));
  });

  it('showFigure passes the HTML to the injected display and returns it', () => {
    const shown: string[] = [];
    const html = showFigure(fig, (h) => shown.push(h), { bundle: 'never', id: 'a' });
    assert.deepEqual(shown, [html]);
    assert.equal(showFigure(fig, undefined, { bundle: 'never', id: 'a' }), html);
  });

  describe('tableHtml', () => {
    it('renders row objects with escaped text and right-aligned numbers', () => {
      const html = tableHtml([{ model: '<audio>', acc: 0.71234, n: 3 }], { caption: 'Results', digits: 2 });
      assert.ok(html.includes('&lt;audio&gt;'));
      assert.ok(html.includes('<td class="num">0.71</td>'));
      assert.ok(html.includes('<td class="num">3</td>'));
      assert.ok(html.includes('<caption>Results</caption>'));
    });

    it('renders {columns, rows} and selects columns', () => {
      const html = tableHtml({ columns: ['a', 'b'], rows: [[1, 'x'], [null, 'y']] }, { columns: ['b'], style: false });
      assert.ok(!html.includes('<style>'));
      assert.ok(html.includes('<th>b</th>'));
      assert.ok(!html.includes('<th class="num">a</th>'));
      assert.throws(() => tableHtml({ columns: ['a'], rows: [[1]] }, { columns: ['z'] }), /no column "z"/);
    });

    it('renders an arquero table', async () => {
      // arquero is ESM-only; Node loads it from CommonJS through require(esm).
      const aq = (await import('arquero')) as unknown as { table(cols: Record<string, unknown[]>): Parameters<typeof tableHtml>[0] };
      const html = tableHtml(aq.table({ method: ['audio', 'video'], accuracy: [0.5, 0.75] }), { maxRows: 1 });
      assert.ok(html.includes('<td>audio</td>'));
      assert.ok(html.includes('<td class="num">0.500</td>'));
      assert.ok(html.includes('1 more rows'));
    });
  });
});

describe('plots/show in a browser', function () {
  this.timeout(120_000);

  it('draws every output, even when a later output is rendered before the one carrying plotly', async function () {
    if (!haveChromium()) this.skip();
    resetFigureBundle();
    const first = figureHtml(fig, { id: 'first' });
    const second = figureHtml(fig, { id: 'second' });
    await withChromium(async (browser) => {
      const page = await browser.newPage();
      // Jupyter inserts outputs with innerHTML and then runs their scripts; emulate that, later output first.
      await page.setContent('<!doctype html><html><body><div id="host"></div></body></html>');
      await page.evaluate(
        ([a, b]) => {
          const host = document.getElementById('host')!;
          for (const html of [a, b]) {
            const box = document.createElement('div');
            box.innerHTML = html;
            host.appendChild(box);
            for (const old of Array.from(box.querySelectorAll('script'))) {
              const s = document.createElement('script');
              s.text = old.text;
              old.replaceWith(s);
            }
          }
        },
        [second, first],
      );
      await page.waitForSelector('#first .main-svg', { timeout: 30_000 });
      await page.waitForSelector('#second .main-svg', { timeout: 30_000 });
    });
  });
});
