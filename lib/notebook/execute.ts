/**
 * Headless notebook execution through Jupyter's own machinery (`jupyter nbconvert --execute` with
 * the tslab kernel), as CI and the main job run them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Result of one headless execution. */
export interface NotebookRun {
  notebook: string;
  /** The executed copy (outputs included). */
  executed: string;
  /** The executed copy rendered to HTML, when requested. */
  html?: string;
  seconds: number;
}

/** Options of `executeNotebook`. */
export interface ExecuteOptions {
  /** Where the executed .ipynb (and .html) go. */
  outDir: string;
  /** Extra environment for the kernel (e.g. AVLAB_PROFILE). */
  env?: Record<string, string>;
  /** Also render the executed notebook to HTML. */
  html?: boolean;
  /** Per-cell timeout in seconds (default: none). */
  cellTimeout?: number;
  /** Receives nbconvert's output lines. */
  log?: (line: string) => void;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (b: Buffer) => {
      const s = b.toString();
      output += s;
      for (const line of s.split('\n')) if (line.trim() && !/debugger|frozen_modules|PYDEVD/i.test(line)) log(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => reject(new Error(`${cmd} could not be started (${e.message}); run scripts/setup.sh to install Jupyter`)));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The last cell error nbconvert reported, trimmed for a readable failure message. */
function cellError(output: string): string {
  const i = output.lastIndexOf('CellExecutionError');
  return i >= 0 ? output.slice(i, i + 3000) : output.slice(-3000);
}

/**
 * Whether nbconvert failed because the kernel never came up (as opposed to a cell error): worth one
 * more try, since a kernel that misses its start-up deadline on a loaded machine is not the notebook's fault.
 */
export function isKernelStartFailure(output: string): boolean {
  return /Kernel didn't respond in \d+ seconds|Kernel died before replying to kernel_info/.test(output) && !output.includes('CellExecutionError');
}

/** How many times a notebook is started when its kernel fails to come up. */
const KERNEL_START_ATTEMPTS = 3;

/**
 * A Jupyter data directory holding this checkout's own `tslab` kernelspec (scripts/tslab-kernel.cjs
 * under the running Node), for JUPYTER_PATH: headless runs then use this checkout's kernel whatever
 * another checkout registered for the user. Null when the launcher is not there.
 */
export function checkoutKernelPath(root = path.resolve(__dirname, '..', '..')): string | null {
  const launcher = path.join(root, 'scripts', 'tslab-kernel.cjs');
  if (!fs.existsSync(launcher)) return null;
  const dir = path.join(root, 'node_modules', '.cache', 'avlab', 'jupyter');
  const spec = { argv: [process.execPath, launcher, '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
  const file = path.join(dir, 'kernels', 'tslab', 'kernel.json');
  const text = JSON.stringify(spec, null, 1);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

/** Executes a notebook with the tslab kernel; rejects with the failing cell's error on any cell error. */
export async function executeNotebook(notebook: string, o: ExecuteOptions): Promise<NotebookRun> {
  if (!fs.existsSync(notebook)) throw new Error(`${notebook}: notebook does not exist`);
  fs.mkdirSync(o.outDir, { recursive: true });
  const log = o.log ?? (() => {});
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  const kernels = checkoutKernelPath();
  if (kernels) env.JUPYTER_PATH = [kernels, env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const started = Date.now();
  const args = [
    'nbconvert', '--to', 'notebook', '--execute',
    '--ExecutePreprocessor.kernel_name=tslab',
    `--ExecutePreprocessor.timeout=${o.cellTimeout ?? -1}`,
    '--output-dir', o.outDir, notebook,
  ];
  let res = await run('jupyter', args, env, log);
  for (let attempt = 2; attempt <= KERNEL_START_ATTEMPTS && res.code !== 0 && isKernelStartFailure(res.output); attempt++) {
    log(`the kernel did not start; trying again (attempt ${attempt} of ${KERNEL_START_ATTEMPTS})`);
    res = await run('jupyter', args, env, log);
  }
  const executed = path.join(o.outDir, path.basename(notebook));
  if (res.code !== 0) throw new Error(`${notebook} failed:\n${cellError(res.output)}`);
  let html: string | undefined;
  if (o.html) {
    const r = await run('jupyter', ['nbconvert', '--to', 'html', '--output-dir', o.outDir, executed], env, log);
    if (r.code !== 0) throw new Error(`${executed}: rendering to HTML failed:\n${r.output.slice(-2000)}`);
    html = executed.replace(/\.ipynb$/, '.html');
  }
  return { notebook, executed, html, seconds: (Date.now() - started) / 1000 };
}

/** Notebooks in `dir` in reading order (their NN_ prefixes). */
export function listNotebooks(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Error and stream outputs of an executed notebook, for checks that cells printed no errors. */
export function notebookOutputs(executed: string): { errors: string[]; text: string } {
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as { cells: { outputs?: { output_type: string; ename?: string; evalue?: string; name?: string; text?: string | string[] }[] }[] };
  const errors: string[] = [];
  let text = '';
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') errors.push(`${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream') {
        const t = Array.isArray(out.text) ? out.text.join('') : out.text ?? '';
        text += t;
        if (out.name === 'stderr' && /error/i.test(t)) errors.push(t.trim());
      }
    }
  }
  return { errors, text };
}
