/**
 * scripts/setup.sh names a failing step, shows the command's own output and the fix, and exits
 * non-zero; nothing fails silently. The failure is real: a `jupyter` that cannot run is put first
 * on PATH, so the kernel check (the last step, after everything else is in place) breaks.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('scripts/setup.sh', function () {
  this.timeout(180_000);

  it('rejects an unknown option with exit status 2', () => {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'setup.sh'), '--no-such-option'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option --no-such-option/);
  });

  it('a failing step prints its name, the command, its output and the fix, and exits non-zero', function () {
    if (!fs.existsSync('/usr/bin/jupyter') || !fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) this.skip();
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-fake-jupyter-'));
    try {
      fs.writeFileSync(path.join(bin, 'jupyter'), '#!/bin/sh\necho "jupyter: the kernel machinery is broken on purpose" >&2\nexit 3\n', { mode: 0o755 });
      const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'setup.sh'), '--quiet'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      });
      assert.ok(r.status !== 0 && r.status !== null, `setup should fail; it said:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /FAILED: checking that Jupyter finds this checkout's TypeScript kernel/);
      assert.match(r.stderr, /the kernel machinery is broken on purpose/, 'the command\'s own output is shown');
      assert.match(r.stderr, /fix: apt-get install jupyter-client jupyter-core/);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
