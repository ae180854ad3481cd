/**
 * Is the compiled library (dist/) older than its sources (lib/)? If so, compile it. Used by
 * notebooks/avlab.ts, the notebooks' import, before it loads dist/. Node built-ins only: tslab
 * compiles this file inside the kernel.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the folder with avlab's package.json, above this file. */
export const ROOT = path.resolve(__dirname, '..');

/** The lib/ sources newer than dist/index.js (all of them when dist/ was never built). */
export function staleSources(root = ROOT): string[] {
  const built = path.join(root, 'dist', 'index.js');
  const since = fs.existsSync(built) ? fs.statSync(built).mtimeMs : -Infinity;
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && fs.statSync(p).mtimeMs > since) out.push(path.relative(root, p));
    }
  };
  walk(path.join(root, 'lib'));
  return out.sort();
}

/** What `ensureFreshLibrary` did. */
export interface FreshnessReport {
  rebuilt: boolean;
  /** The sources that were newer than the build. */
  changed: string[];
  seconds: number;
  /** Compiler messages (type errors still leave a usable build: tsc emits anyway). */
  messages: string;
}

/**
 * Recompiles lib/ into dist/ (`tsc -p tsconfig.json`, synchronously) when a source is newer than
 * the build, printing what it did. `compile` is replaceable for tests.
 */
export function ensureFreshLibrary(root = ROOT, log: (line: string) => void = console.log, compile: (root: string) => string = compileLibrary): FreshnessReport {
  const started = Date.now();
  const changed = staleSources(root);
  if (changed.length === 0) return { rebuilt: false, changed, seconds: (Date.now() - started) / 1000, messages: '' };
  const shown = changed.length > 3 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more` : changed.join(', ');
  log(`avlab: lib/ changed since dist/ was built (${shown}); compiling…`);
  const messages = compile(root);
  if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) throw new Error(`avlab: compiling lib/ produced no dist/index.js:\n${messages}`);
  const seconds = (Date.now() - started) / 1000;
  const errors = messages.split('\n').filter((l) => /error TS\d+/.test(l));
  log(`avlab: compiled lib/ to dist/ in ${seconds.toFixed(1)} s${errors.length ? ` with ${errors.length} type error(s), first: ${errors[0].trim()}` : ''}`);
  return { rebuilt: true, changed, seconds, messages };
}

/** Runs this checkout's TypeScript compiler on tsconfig.json; returns its output (type errors do not throw: tsc still emits). */
export function compileLibrary(root = ROOT): string {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    return execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
  }
}
