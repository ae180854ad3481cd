import assert from 'node:assert/strict';
import { canonicalAttributes, normaliseSvg, normaliseSvgIds, svgSize } from '../../lib/plots/svg';

describe('plots/svg', () => {
  const raw =
    '<svg class="main-svg" width="720" height="480" style=""><defs id="defs-3f2a1b"><clipPath id="clip3f2a1bxyplot"></clipPath></defs>' +
    '<g clip-path="url(#clip3f2a1bxyplot)"></g><rect style="fill: url(\'#clip3f2a1bxyplot\');"/><use xlink:href="#defs-3f2a1b"/></svg>';

  it('renames random ids and their references deterministically', () => {
    const a = normaliseSvgIds(raw, 'loss');
    assert.ok(!a.includes('3f2a1b'));
    assert.ok(a.includes('id="loss-1"') && a.includes('id="loss-2"'));
    assert.ok(a.includes('url(#loss-2)'));
    assert.ok(a.includes("url('#loss-2')"));
    assert.ok(a.includes('xlink:href="#loss-1"'));
    assert.equal(normaliseSvgIds(raw.replace(/3f2a1b/g, '9c7955'), 'loss'), a);
  });

  it('orders attributes canonically and drops empty styles', () => {
    assert.equal(
      canonicalAttributes('<svg xmlns:xlink="x" width="2" style="" xmlns="s" class="m"><a b="1>2" a="0"/></svg>'),
      '<svg xmlns="s" xmlns:xlink="x" class="m" width="2"><a a="0" b="1>2"/></svg>',
    );
    assert.equal(normaliseSvg(raw, 'f'), normaliseSvg(raw.replace('width="720" height="480" style=""', 'style="" height="480" width="720"'), 'f'));
  });

  it('reads the root size', () => {
    assert.deepEqual(svgSize(raw), { width: 720, height: 480 });
    assert.throws(() => svgSize('<g/>'), /no <svg> root/);
  });
});
