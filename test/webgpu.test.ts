/**
 * The WebGPU kernels' tests (test/webgpu/*.gpu.ts), each run in a child process that sees Mesa's
 * lavapipe as its GPU adapter (lib/backend/lavapipe.ts): every machine runs them, GPU or not. On
 * CI lavapipe must be there (setup fetches it); elsewhere its absence skips them with the fix.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lavapipeEnv } from '../lib/backend/lavapipe';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'test', 'webgpu');
const MOCHA = require.resolve('mocha/bin/mocha.js');

describe('WebGPU kernels on lavapipe', function () {
  this.timeout(15 * 60 * 1000);
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.gpu.ts')).sort()) {
    it(file, function () {
      const env = lavapipeEnv(ROOT);
      if (!env) {
        if (process.env.CI) assert.fail('lavapipe is missing: run bash scripts/lavapipe.sh (setup does)');
        console.log('      lavapipe is missing (bash scripts/lavapipe.sh fetches it): skipped');
        this.skip();
      }
      const r = spawnSync(process.execPath, [MOCHA, '--no-config', '-r', 'tsx/cjs', '--extension', 'ts', '--timeout', '600000', path.join(DIR, file)], {
        cwd: ROOT,
        env: { ...process.env, ...env, AVLAB_BACKEND: 'webgpu' },
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      });
      // Dawn prints a warning per lavapipe limit it lowers; they say nothing about the tests.
      const out = `${r.stdout}${r.stderr}`.split('\n').filter((l) => !/^Warning: max\w+ artificially reduced/.test(l)).join('\n');
      assert.equal(r.status, 0, `${file} failed:\n${out.slice(-6000)}`);
      const passing = /(\d+) passing/.exec(out);
      assert.ok(passing && Number(passing[1]) > 0, `${file} ran no test:\n${out.slice(-2000)}`);
    });
  }
});
