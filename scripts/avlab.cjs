#!/usr/bin/env node
// The `avlab` command. Runs the compiled CLI when dist/ has been built; otherwise compiles the
// TypeScript sources on the fly with tsx, so the command also works straight from a checkout.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'dist', 'cli.js');

let cli;
if (fs.existsSync(built)) {
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
