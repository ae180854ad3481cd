/**
 * A Jupyter Notebook server (classic Notebook 6, Debian's `jupyter-notebook`) that finds this
 * checkout's TypeScript kernel through JUPYTER_PATH and opens new notebooks on it: what
 * `npm run jupyter` starts for people, and what the browser check drives Chromium against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkoutKernelPath } from './execute';

/** Options of `startNotebookServer`. */
export interface NotebookServerOptions {
  /** The folder the server serves (its notebook directory; kernels start in the notebook's folder). */
  dir: string;
  /**
   * The port to try first; Jupyter moves on to the next free one (up to 50 further ports) when it
   * is taken, and the port it really took is returned. Default: a port that is free now.
   */
  port?: number;
  /** The token every request must carry (default: 48 random hex digits). */
  token?: string;
  /** Extra environment for the server and so for its kernels (e.g. AVLAB_PROFILE). */
  env?: Record<string, string>;
  /** Receives the server's log lines. */
  log?: (line: string) => void;
  /**
   * A server for a person (`npm run jupyter`): the user's own Jupyter configuration and data
   * directories (`~/.jupyter`, `~/.local/share/jupyter`: settings, extensions, the trust database)
   * and checkpoints beside the notebooks (`.ipynb_checkpoints/`), as plain `jupyter notebook` has
   * them. Default false, as checks and tests want: private, empty configuration and data
   * directories and a private checkpoint folder, all in a temporary folder that `stop()` removes, so
   * nothing of the user's Jupyter state is read or written. The runtime directory (connection files,
   * server info) is private either way.
   */
  interactive?: boolean;
  /** How long to wait for the server to answer, in milliseconds (default 60 000). */
  startTimeoutMs?: number;
}

/** A running notebook server. */
export interface NotebookServer {
  /** The server's base URL, e.g. `http://127.0.0.1:8888/` (without the token). */
  url: string;
  /** The port the server listens on (Jupyter's choice when the requested one was taken). */
  port: number;
  /** The token requests must carry (`?token=…`). */
  token: string;
  /** The folder served. */
  dir: string;
  /** The server's process id (also its process group's). */
  pid: number;
  /** Resolves with the server's exit status (null when a signal ended it) once its process has ended. */
  exited: Promise<number | null>;
  /**
   * The URL to open in a browser, token included: the file tree, or with `notebook` (a path
   * relative to `dir`) that notebook's page.
   */
  link(notebook?: string): string;
  /**
   * Stops the server and waits until it has exited: SIGTERM to its process group (Jupyter then
   * shuts its kernels down), SIGKILL after `graceMs` (default 15 000), then removes the private
   * Jupyter folders. Calling it again does nothing.
   */
  stop(graceMs?: number): Promise<void>;
}

/** What to do when Jupyter's Notebook server is missing or fails: said in every start error. */
const SETUP_HINT = "(Jupyter's Notebook server is Debian's jupyter-notebook package, which npm run setup installs)";

/** A TCP port on 127.0.0.1 that is free at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The port in a line Notebook 6 prints once it listens (`http://127.0.0.1:8890/?token=…`), or
 * null for any other line.
 */
export function parseServerPort(line: string): number | null {
  const m = /\bhttps?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)\//.exec(line);
  return m ? Number(m[1]) : null;
}

/**
 * Starts `jupyter notebook` on `dir` with this checkout's `tslab` kernelspec first on JUPYTER_PATH
 * and `tslab` as the kernel of new notebooks, listening on 127.0.0.1 only. Resolves once the server
 * has printed its URL and answers a request; rejects with the server's last output and the setup
 * hint when Jupyter is missing, exits early or does not come up in time. The server runs in its own
 * process group, which `stop()` ends (and which is signalled as well should this process exit
 * without calling it); Ctrl-C in a terminal reaches the caller, not the server.
 */
export async function startNotebookServer(o: NotebookServerOptions): Promise<NotebookServer> {
  const dir = path.resolve(o.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: no such folder to serve`);
  const kernels = checkoutKernelPath();
  if (!kernels) throw new Error('scripts/tslab-kernel.cjs is missing from this checkout: the TypeScript kernel cannot be registered');
  const token = o.token ?? randomBytes(24).toString('hex');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) throw new Error(`port ${o.port}: expected a TCP port, 1 to 65535`);
  const requested = o.port ?? (await freePort());
  const log = o.log ?? (() => {});
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-jupyter-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    JUPYTER_PATH: [kernels, o.env?.JUPYTER_PATH ?? process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    JUPYTER_RUNTIME_DIR: path.join(temp, 'runtime'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  if (!o.interactive) {
    env.JUPYTER_CONFIG_DIR = path.join(temp, 'config');
    env.JUPYTER_DATA_DIR = path.join(temp, 'data');
  }
  const args = [
    'notebook',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${requested}`,
    '--port-retries=50',
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${dir}`,
    '--MultiKernelManager.default_kernel_name=tslab',
  ];
  // An absolute checkpoint folder keeps opening a notebook from creating .ipynb_checkpoints/ beside it.
  if (!o.interactive) args.push(`--FileCheckpoints.checkpoint_dir=${path.join(temp, 'checkpoints')}`);
  // Containers and CI machines often run as root, which Notebook refuses without this flag.
  if (process.getuid?.() === 0) args.push('--allow-root');

  const child: ChildProcess = spawn('jupyter', args, { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
  // Should this process end without stop(), the server (its own process group) goes with it.
  const killOnExit = () => { if (!exited && child.pid) try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15000): Promise<void> =>
    (stopping ??= (async () => {
      const pid = child.pid;
      if (!exited && pid) {
        try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
        const killed = await Promise.race([exit.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
        if (killed) {
          try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
          await exit;
        }
      }
      process.off('exit', killOnExit);
      fs.rmSync(temp, { recursive: true, force: true });
    })());

  const startTimeoutMs = o.startTimeoutMs ?? 60000;
  const port = await new Promise<number>((resolve, reject) => {
    let done = false;
    let probing = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const output = tail.length ? `\nits output (last lines):\n${tail.slice(-25).map((l) => `  | ${l}`).join('\n')}` : '';
      stop(2000).finally(() => reject(new Error(`jupyter notebook ${why}${output}\n${SETUP_HINT}`)));
    };
    // The URL is printed before the server's event loop runs (and a SIGTERM before then crashes it
    // rather than stopping it): ready means it has answered a request.
    const probe = async (p: number) => {
      while (!done) {
        try {
          const res = await fetch(`http://127.0.0.1:${p}/api/status?token=${token}`, { signal: AbortSignal.timeout(5000) });
          if (res.ok && !done) {
            done = true;
            clearTimeout(timer);
            resolve(p);
            return;
          }
        } catch {
          /* not answering yet */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const take = (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (!line.trim() || /debugger|frozen_modules|PYDEVD/i.test(line)) continue;
        tail.push(line);
        if (tail.length > 60) tail.shift();
        log(line);
        const p = parseServerPort(line);
        if (p !== null && !probing) {
          probing = true;
          void probe(p);
        }
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('error', (e) => fail(`could not be started (${e.message})`));
    child.on('exit', (code, signal) => fail(`exited before serving (${signal ? `signal ${signal}` : `exit status ${code}`})`));
    const timer = setTimeout(() => fail(`was not serving within ${Math.round(startTimeoutMs / 1000)} s`), startTimeoutMs);
  });

  const url = `http://127.0.0.1:${port}/`;
  const link = (notebook?: string): string => {
    const rel = notebook ? `notebooks/${notebook.split(/[\\/]/).map(encodeURIComponent).join('/')}` : 'tree';
    return `${url}${rel}?token=${token}`;
  };
  return { url, port, token, dir, pid: child.pid!, exited: exit, link, stop };
}
