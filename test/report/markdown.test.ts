import assert from 'node:assert/strict';
import { markdownToHtml } from '../../lib/report/markdown';

describe('report/markdown', () => {
  it('renders paragraphs, emphasis and code', () => {
    assert.equal(
      markdownToHtml('A **bold** and *em* `x*y*z`\nwraps.\n\nSecond.'),
      '<p>A <strong>bold</strong> and <em>em</em> <code>x*y*z</code> wraps.</p>\n<p>Second.</p>',
    );
  });

  it('renders bullet and numbered lists, with continuation lines', () => {
    assert.equal(
      markdownToHtml('Intro:\n- one\n  more\n* two\n\n1. first\n2) second'),
      '<p>Intro:</p>\n<ul><li>one more</li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>',
    );
  });

  it('shifts headings below the report headings', () => {
    assert.equal(markdownToHtml('# Notes'), '<h4>Notes</h4>');
    assert.equal(markdownToHtml('## Notes', 0), '<h2>Notes</h2>');
  });

  it('escapes HTML and keeps $…$ maths literal', () => {
    const html = markdownToHtml('<script>alert(1)</script> & $a*b*c < d$ street_traffic');
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;'));
    assert.ok(html.includes('<span class="math">$a*b*c &lt; d$</span>'));
    assert.ok(html.includes('street_traffic'));
  });
});
