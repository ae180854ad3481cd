/**
 * Fault injection for the reliability tests (issue #12): make the N-th call of a chosen `fs`
 * operation whose path matches a pattern throw, or kill the process (SIGKILL, so no `finally` or
 * `catch` runs, exactly as a power cut or an OOM kill would), before or after the real call — or,
 * for writes, halfway through the data. Patching `require('node:fs')` reaches every module's
 * `import * as fs from 'node:fs'` (the namespace reads the module object's properties), so the
 * atomic writer (lib/io/files.ts) and the checkpoint save go through the fault.
 *
 * In a child process, `installFaultFromEnv()` reads the fault from `AVLAB_FAULT` (JSON of `Fault`);
 * `runWithFault` spawns such a child and reports how it ended.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The fs operations a fault can target; the path matched is the destination (renameSync's second argument). */
export type FaultOp = 'writeFileSync' | 'renameSync' | 'appendFileSync' | 'rmSync';

export interface Fault {
  op: FaultOp;
  /** Only calls whose path matches (a RegExp source) count. */
  match: string;
  /** Which matching call faults (1 = the first). */
  nth: number;
  /** `before`/`after` the real call, or `partial`: write half the data (writeFileSync only). */
  when: 'before' | 'after' | 'partial';
  /** `throw` an Error("injected fault …") or `kill` the process with SIGKILL. */
  action: 'throw' | 'kill';
}

/** Installs `fault`; returns a function that removes it. */
export function injectFault(fault: Fault): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsm = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  const original = fsm[fault.op];
  const re = new RegExp(fault.match);
  let count = 0;
  const strike = (): never => {
    if (fault.action === 'kill') process.kill(process.pid, 'SIGKILL');
    throw new Error(`injected fault: ${fault.op} #${fault.nth} (${fault.when}) on ${fault.match}`);
  };
  fsm[fault.op] = function (this: unknown, ...args: unknown[]) {
    const target = String(fault.op === 'renameSync' ? args[1] : args[0]);
    if (!re.test(path.basename(target)) || ++count !== fault.nth) return original.apply(this, args);
    if (fault.when === 'before') strike();
    if (fault.when === 'partial') {
      const data = args[1] as string | Uint8Array;
      const half = typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1);
      original.call(this, args[0], half, ...args.slice(2));
      strike();
    }
    const out = original.apply(this, args);
    strike();
    return out;
  };
  return () => {
    fsm[fault.op] = original;
  };
}

/** Installs the fault a parent passed in `AVLAB_FAULT`, if any. */
export function installFaultFromEnv(): void {
  const spec = process.env.AVLAB_FAULT;
  if (spec) injectFault(JSON.parse(spec) as Fault);
}

/** Runs `script` (TypeScript, through tsx) with `args` and the fault; returns its exit code and signal. */
export function runWithFault(script: string, args: string[], fault: Fault | null, timeoutMs = 120000): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, AVLAB_FAULT: fault ? JSON.stringify(fault) : '' },
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}
