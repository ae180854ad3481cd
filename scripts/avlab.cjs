#!/usr/bin/env node
// The `avlab` command. Runs the compiled CLI when dist/ is up to date with lib/; otherwise (no build
// yet, or lib/ edited since) runs the TypeScript sources through tsx, so the command never runs
// stale code and also works straight from a checkout.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'dist', 'cli.js');

/** Whether any lib/**.ts is newer than `time` (ms). */
function libNewerThan(time, dir = path.join(root, 'lib')) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() ? e.name !== 'build' && libNewerThan(time, p) : e.name.endsWith('.ts') && fs.statSync(p).mtimeMs > time) return true;
  }
  return false;
}

let cli;
if (fs.existsSync(built) && !libNewerThan(fs.statSync(built).mtimeMs)) {
  cli = require(built);
} else {
  require('tsx/cjs');
  cli = require(path.join(root, 'lib', 'cli.ts'));
}

Promise.resolve(cli.runCli(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`avlab: unexpected error\n${(err && err.stack) || String(err)}\n`);
    process.exitCode = 1;
  },
);
