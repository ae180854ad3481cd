/**
 * The layout rule of lib/ (README "Layout"): shared machinery never imports an experiment family, a
 * family never imports another family, and the README's map names every folder of lib/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
/** One folder per experiment family. */
export const FAMILIES = ['scenes', 'collisions', 'avts', 'mil'];
/** Entry points that put the families together: the public API, the CLI, the benchmark workloads. */
const ENTRIES = ['index.ts', 'cli.ts', 'bench'];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'native' ? [] : tsFiles(p);
    return /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The top-level folder (or file) of lib/ that `file` belongs to. */
function home(file: string): string {
  return path.relative(LIB, file).split(path.sep)[0];
}

/** Every import of a lib/ file that breaks the rule, as "from → to". */
export function layoutViolations(files = tsFiles(LIB)): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const from = home(f);
    if (ENTRIES.includes(from)) continue;
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g)) {
      const target = path.resolve(path.dirname(f), m[1]);
      if (!target.startsWith(LIB + path.sep)) continue;
      const to = home(target);
      if (to === from || !FAMILIES.includes(to)) continue;
      bad.push(`${path.relative(ROOT, f)} imports ${m[1]} (${FAMILIES.includes(from) ? 'a family imports another family' : 'shared machinery imports a family'})`);
    }
  }
  return bad;
}

/** The folders named in the README's layout block (lines of the ``` block under "## Layout"). */
function readmeFolders(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Layout$/m)[1] ?? '';
  const block = section.split('```')[1] ?? '';
  // Indented lines are folders of lib/ ("  scenes/data/ …" is lib/scenes/data).
  return [...block.matchAll(/^( *)([\w./-]+)\/\s/gm)].map((m) => (m[1] ? `lib/${m[2]}` : m[2]));
}

describe('layout of lib/', () => {
  it('shared machinery never imports a family; a family never imports another family', () => {
    assert.deepEqual(layoutViolations(), []);
  });

  it('the README map names every folder of lib/ (two levels deep) and nothing that is gone', () => {
    const named = new Set(readmeFolders());
    const actual: string[] = [];
    for (const a of fs.readdirSync(LIB, { withFileTypes: true })) {
      if (!a.isDirectory()) continue;
      actual.push(`lib/${a.name}`);
      for (const b of fs.readdirSync(path.join(LIB, a.name), { withFileTypes: true })) {
        if (b.isDirectory() && b.name !== 'build') actual.push(`lib/${a.name}/${b.name}`);
      }
    }
    assert.deepEqual(actual.filter((d) => !named.has(d)).sort(), [], 'folders missing from the README map');
    assert.deepEqual([...named].filter((d) => d.startsWith('lib/') && !actual.includes(d)).sort(), [], 'README names folders that do not exist');
  });

  it('the checker catches both kinds of violation (made-up files)', () => {
    const dir = path.join(LIB, 'stats');
    const fake = [path.join(dir, '__fake_shared.ts'), path.join(LIB, 'scenes', '__fake_family.ts')];
    const texts = ["import { x } from '../scenes/data/types';", "import { y } from '../collisions/data/types';"];
    try {
      fake.forEach((f, i) => fs.writeFileSync(f, texts[i]));
      const v = layoutViolations(fake);
      assert.equal(v.length, 2);
      assert.match(v[0], /shared machinery imports a family/);
      assert.match(v[1], /a family imports another family/);
    } finally {
      fake.forEach((f) => fs.rmSync(f, { force: true }));
    }
  });
});
