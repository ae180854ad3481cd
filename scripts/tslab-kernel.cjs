#!/usr/bin/env node
// The tslab Jupyter kernel as avlab registers it: tslab itself, started with its sockets bound before
// any of them receives. tslab starts its receive loops first and binds afterwards; zeromq 6 rejects a
// receive while a bind is in flight (EBUSY, "Socket is blocked by a bind or unbind operation"), which on
// a loaded machine now and then killed the shell loop and left a kernel that never answered.
// Usage (from kernel.json): node scripts/tslab-kernel.cjs --config-path <connection file>
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [path.join(__dirname, '..')] }));
const jupyter = require(path.join(tslabDir, 'dist', 'jupyter.js'));
const { startKernel } = require(path.join(tslabDir, 'dist', 'main.js'));

/** Receives every message of `sock` and hands it to `onMessage`, until the socket closes. */
async function serve(sock, onMessage) {
  for await (const frames of sock) onMessage(frames);
}

jupyter.ZmqServer.prototype.init = async function init() {
  const conn = JSON.parse(fs.readFileSync(this.configPath, 'utf-8'));
  this.connInfo = conn;
  const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));
  this.iopub = new zmq.Publisher();
  this.shell = new zmq.Router();
  this.control = new zmq.Router();
  this.stdin = new zmq.Router();
  this.hb = new zmq.Reply();
  const ports = [
    [this.iopub, conn.iopub_port],
    [this.shell, conn.shell_port],
    [this.control, conn.control_port],
    [this.stdin, conn.stdin_port],
    [this.hb, conn.hb_port],
  ];
  for (const [sock, port] of ports) await sock.bind(`${conn.transport}://${conn.ip}:${port}`);
  serve(this.shell, (frames) => this.handleShellMessage(this.shell, ...frames));
  serve(this.control, (frames) => this.handleShellMessage(this.control, ...frames));
  serve(this.hb, (frames) => this.hb.send(frames));
};

const args = process.argv.slice(2);
const at = args.indexOf('--config-path');
if (at < 0 || !args[at + 1]) {
  console.error('usage: tslab-kernel.cjs --config-path <connection file>');
  process.exit(2);
}
startKernel({ configPath: args[at + 1], enableFindLocal: false });
