import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureFreshLibrary, staleSources } from '../../notebooks/freshness';

/** A fake checkout: lib/a.ts, lib/sub/b.ts and (optionally) dist/index.js with given ages in seconds. */
function checkout(ages: { a: number; b: number; dist?: number }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-loader-'));
  const now = Date.now() / 1000;
  const write = (rel: string, age: number) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '');
    fs.utimesSync(p, now - age, now - age);
  };
  write('lib/a.ts', ages.a);
  write('lib/sub/b.ts', ages.b);
  if (ages.dist !== undefined) write('dist/index.js', ages.dist);
  return root;
}

describe('notebooks/avlab.ts: the notebooks\' fresh-library loader', () => {
  it('lists the lib/ sources newer than dist/index.js, and all of them before the first build', () => {
    assert.deepEqual(staleSources(checkout({ a: 100, b: 100, dist: 50 })), []);
    assert.deepEqual(staleSources(checkout({ a: 100, b: 10, dist: 50 })), [path.join('lib', 'sub', 'b.ts')]);
    assert.deepEqual(staleSources(checkout({ a: 100, b: 10 })), [path.join('lib', 'a.ts'), path.join('lib', 'sub', 'b.ts')]);
  });

  it('compiles only when something changed, and says so', () => {
    const fresh = checkout({ a: 100, b: 100, dist: 50 });
    const log: string[] = [];
    let compiled = 0;
    const compile = (root: string) => {
      compiled++;
      fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist', 'index.js'), '');
      return 'lib/x.ts(1,1): error TS2322: nope\n';
    };
    const quiet = ensureFreshLibrary(fresh, (l) => log.push(l), compile);
    assert.equal(quiet.rebuilt, false);
    assert.equal(compiled, 0);
    assert.equal(log.length, 0);

    const stale = checkout({ a: 100, b: 10, dist: 50 });
    const r = ensureFreshLibrary(stale, (l) => log.push(l), compile);
    assert.equal(r.rebuilt, true);
    assert.equal(compiled, 1);
    assert.match(log[0], /lib\/ changed since dist\/ was built \(lib.sub.b\.ts\); compiling/);
    assert.match(log[1], /compiled lib\/ to dist\/ in [\d.]+ s with 1 type error/);
    // Now fresh: a second call does nothing.
    assert.equal(ensureFreshLibrary(stale, (l) => log.push(l), compile).rebuilt, false);
    assert.equal(compiled, 1);
  });

  it('fails clearly when the compiler produced no build', () => {
    const root = checkout({ a: 10, b: 10 });
    assert.throws(() => ensureFreshLibrary(root, () => {}, () => 'tsc: not found'), /produced no dist\/index\.js[\s\S]*tsc: not found/);
  });
});
