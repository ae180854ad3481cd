import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerTable } from '../../lib/notebook/inspect';
import { highlightTs, showSource, sourceOf } from '../../lib/notebook/source';

const root = path.resolve(__dirname, '../..');

describe('showSource', () => {
  it('finds an exported function\'s TypeScript declaration, JSDoc included, with its file and line', () => {
    const s = sourceOf(layerTable, { root });
    assert.equal(s.language, 'typescript');
    assert.equal(s.file, 'lib/notebook/inspect.ts');
    const lines = fs.readFileSync(path.join(root, s.file!), 'utf8').split('\n');
    assert.equal(lines[s.line! - 1].trim(), '/**', 'starts at the JSDoc');
    assert.match(s.code, /^\/\*\*[\s\S]*export function layerTable\(model: tf\.LayersModel\): LayerRow\[\] \{[\s\S]*\n\}$/);
    assert.doesNotMatch(s.code, /export function traceShapes/, 'only that declaration');
    assert.match(sourceOf(layerTable, { root, noDoc: true }).code, /^export function layerTable/);
  });

  it('maps a function loaded from the compiled dist/ back to its lib/ source', function () {
    const compiled = path.join(root, 'dist', 'plots', 'html.js');
    if (!fs.existsSync(compiled)) this.skip();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { escapeHtml } = require(compiled) as { escapeHtml: (s: string) => string };
    const s = sourceOf(escapeHtml, { root });
    assert.equal(s.file, 'lib/plots/html.ts');
    assert.match(s.code, /export function escapeHtml\(s: string\): string/);
  });

  it('finds an unexported class by name, and falls back to the compiled code for anything else', () => {
    class LogMeanSoftmax {}
    const s = sourceOf(LogMeanSoftmax, { root });
    assert.equal(s.file, 'lib/scenes/models/registry.ts');
    assert.match(s.code, /class LogMeanSoftmax extends tf\.layers\.Layer/);
    const local = (x: number) => x + 1;
    const f = sourceOf(local, { root, name: 'noSuchDeclarationAnywhere' });
    assert.equal(f.language, 'javascript');
    assert.equal(f.file, undefined);
    assert.match(f.code, /x\s*\+\s*1/);
  });

  it('renders escaped, highlighted HTML with line numbers and marked lines', () => {
    const html = showSource(layerTable, { root, highlight: 'reduce', caption: 'a < b' });
    assert.match(html, /lib\/notebook\/inspect\.ts:\d+/);
    assert.match(html, /a &lt; b/);
    assert.match(html, /background:#fff3b0/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /LayerRow<\/span>\[\]/);
  });

  it('highlights keywords, strings, template pieces and comments, and keeps every character', () => {
    const code = 'const s = `a${f({ k: 1 })}b<`; // done\nlet n = 2;';
    const lines = highlightTs(code);
    assert.equal(lines.length, 2);
    const text = lines.map((l) => l.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&amp;/g, '&')).join('\n');
    assert.equal(text, code);
    assert.match(lines[0], /<span style="color:#0000c0">const<\/span>/);
    assert.match(lines[0], /<span style="color:#a31515">`a\$\{<\/span>/);
    assert.match(lines[0], /<span style="color:#a31515">\}b&lt;`<\/span>/);
    assert.match(lines[0], /<span style="color:#008000">\/\/ done<\/span>/);
  });
});
