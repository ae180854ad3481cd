/**
 * Every `av.name` and `av.family.name` that a notebook's code uses exists in the public API
 * (lib/index.ts, values and types), so a renamed or regrouped export fails here in seconds rather
 * than in a notebook run.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

/** The names lib/index.ts exports: top-level ones under '', each namespace's under its name. */
export function publicApi(): Map<string, Set<string>> {
  const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!)!;
  const api = new Map<string, Set<string>>([['', new Set()]]);
  for (const s of checker.getExportsOfModule(module)) {
    const decl = s.declarations?.[0];
    if (decl && ts.isNamespaceExport(decl)) api.set(s.name, new Set(checker.getExportsOfModule(checker.getAliasedSymbol(s)).map((x) => x.name)));
    else api.get('')!.add(s.name);
  }
  return api;
}

/** `av.a` / `av.a.b` references in a notebook's code cells, with the cell index. */
export function notebookReferences(file: string): { cell: number; ref: string[] }[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  const refs: { cell: number; ref: string[] }[] = [];
  nb.cells.forEach((c, cell) => {
    if (c.cell_type !== 'code') return;
    const src = Array.isArray(c.source) ? c.source.join('') : c.source;
    // `av.` not preceded by an identifier character (`...av.x` is a spread of av.x).
    for (const m of src.matchAll(/(?<![\w$])av\.(\w+)(?:\.(\w+))?/g)) refs.push({ cell, ref: m[2] ? [m[1], m[2]] : [m[1]] });
  });
  return refs;
}

describe('notebooks use only what the public API exports', function () {
  this.timeout(120_000);
  const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => /^\d\d_.*\.ipynb$/.test(f));
  // What notebooks/avlab.ts adds on top of the library.
  const loaderOwn = new Set([...fs.readFileSync(path.join(ROOT, 'notebooks', 'avlab.ts'), 'utf8').matchAll(/export (?:async )?(?:function|const|class|type|interface) (\w+)/g)].map((m) => m[1]));

  it('every av.name and av.family.name resolves', () => {
    const api = publicApi();
    const missing: string[] = [];
    for (const nb of notebooks) {
      for (const { cell, ref } of notebookReferences(path.join(ROOT, 'notebooks', nb))) {
        const [a, b] = ref;
        if (api.has(a) && a !== '') {
          if (b !== undefined && !api.get(a)!.has(b)) missing.push(`${nb} cell ${cell}: av.${a}.${b}`);
        } else if (!api.get('')!.has(a) && !loaderOwn.has(a)) {
          missing.push(`${nb} cell ${cell}: av.${a}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('the scanner sees spreads and nested names (made-up notebook)', () => {
    const file = path.join(fs.mkdtempSync(path.join(ROOT, 'node_modules', '.tmp-api-')), 'x.ipynb');
    try {
      fs.writeFileSync(file, JSON.stringify({ cells: [{ cell_type: 'code', source: ['const v = [...av.scenes.X];\n', 'nav.y; av.setup();'] }] }));
      assert.deepEqual(notebookReferences(file).map((r) => r.ref.join('.')), ['scenes.X', 'setup']);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
