/**
 * A notebook run the way a person runs it: the classic Notebook page (Jupyter Notebook 6) open in
 * Chromium, every cell executed through the page, tables and plotly figures rendered in its DOM.
 * This checks what headless nbconvert runs cannot: that the server starts this checkout's kernel,
 * that HTML outputs display and that plotly.js draws the figures in the live page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../plots';
import { startNotebookServer } from './server';

/** Options of `checkNotebookInBrowser`. */
export interface BrowserCheckOptions {
  /** The .ipynb to open; the server serves its folder, so relative imports resolve as usual. */
  notebook: string;
  /** Where to write a PNG screenshot of the page, scrolled to the first rendered figure. */
  screenshot?: string;
  /** Extra environment for the server and the kernel (e.g. `{ AVLAB_PROFILE: 'quick' }`). */
  env?: Record<string, string>;
  /** Limit for the whole check, server start to screenshot, in milliseconds (default 15 min). */
  timeoutMs?: number;
  /** Receives progress lines (and the server's log). */
  log?: (line: string) => void;
  /** The browser window's size (default 1280 × 1500). */
  viewport?: { width: number; height: number };
}

/** What the page showed once every cell had run. */
export interface BrowserCheckResult {
  notebook: string;
  /** The kernel the page ran on (`tslab` for avlab's notebooks). */
  kernel: string;
  /** Code cells executed, and how many the notebook has. */
  executedCells: number;
  codeCells: number;
  /** HTML `<table>` elements in the cells' outputs. */
  tables: number;
  /** avlab figure containers (`div.avlab-figure`) in the outputs. */
  figures: number;
  /** plotly plots drawn in the outputs (`.js-plotly-plot` holding an `svg.main-svg`). */
  plots: number;
  /**
   * Error outputs (`cell N: Name: message`) and stderr output that mentions an error (first lines),
   * which is how tslab reports a cell's exception.
   */
  errors: string[];
  /** Uncaught JavaScript errors of the page itself (e.g. a figure script that threw). */
  pageErrors: string[];
  /** The screenshot written, if one was asked for. */
  screenshot?: string;
  /** Wall time of the whole check, server start to screenshot. */
  seconds: number;
}

/** The classic Notebook front end's global, as far as the check uses it (runs in the page). */
interface JupyterPage {
  notebook: {
    _fully_loaded: boolean;
    writable: boolean;
    set_autosave_interval(ms: number): void;
    get_cells(): {
      cell_type: string;
      input_prompt_number?: number | string | null;
      output_area?: { outputs: { output_type: string; ename?: string; evalue?: string; name?: string; text?: string }[] };
    }[];
    execute_all_cells(): void;
    kernel: { name: string; is_connected(): boolean } | null;
    events: { on(names: string, handler: (e: { type: string; namespace?: string }) => void): void };
  };
}
declare const Jupyter: JupyterPage;
/** Kernel events the page saw during the run (set up by the check). */
declare const avlabKernelEvents: string[];

/** The front end's events for a kernel that died, restarted or lost its connection. */
const KERNEL_TROUBLE = 'kernel_dead.Kernel kernel_restarting.Kernel kernel_autorestarting.Kernel kernel_killed.Kernel kernel_disconnected.Kernel';

/** Counts and error outputs of the page as it stands (evaluated in the page). */
function pageState(): { running: number; executed: number; code: number; idle: boolean; tables: number; figures: number; plots: number; errors: string[] } {
  const cells = Jupyter.notebook.get_cells();
  const errors: string[] = [];
  let running = 0;
  let executed = 0;
  let code = 0;
  cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    code++;
    if (cell.input_prompt_number === '*') running++;
    else if (typeof cell.input_prompt_number === 'number') executed++;
    for (const out of cell.output_area?.outputs ?? []) {
      if (out.output_type === 'error') errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      // tslab reports a cell's exception on stderr (maybe the source line, then `Name: message` and
      // the stack): keep the message and the frame that threw.
      if (out.output_type === 'stream' && out.name === 'stderr' && /error/i.test(out.text ?? '')) {
        const lines = (out.text ?? '').trim().split('\n');
        const at = Math.max(0, lines.findIndex((l) => /^\s*(?:Uncaught )?(?:[A-Za-z_$][\w$]*)?(?:Error|Exception)\b/.test(l)));
        const where = /^\s+at /.test(lines[at + 1] ?? '') ? ` (${lines[at + 1].trim()})` : '';
        errors.push(`cell ${i} (stderr): ${lines[at].trim()}${where}`);
      }
    }
  });
  const plots = Array.from(document.querySelectorAll('.output_area .js-plotly-plot')).filter((p) => p.querySelector('svg.main-svg')).length;
  return {
    running,
    executed,
    code,
    idle: document.querySelector('#kernel_indicator_icon')?.classList.contains('kernel_idle_icon') ?? false,
    tables: document.querySelectorAll('.output_area table').length,
    figures: document.querySelectorAll('.output_area .avlab-figure').length,
    plots,
    errors,
  };
}

/** Resolves after `ms`. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `notebook` in Chromium on a fresh notebook server (this checkout's kernel, the given env),
 * waits for the kernel, runs every cell through the page, waits until the run is over and plotly.js
 * has drawn every figure the outputs hold (up to a minute more), then counts the tables, figures
 * and drawn plots and takes the screenshot. Callers judge the counts (notebook 01 shows tables and
 * figures; a notebook without either passes here with zeros).
 * The page never saves the notebook (autosave is off and the page is made read-only), so the .ipynb
 * on disk stays as it was. Rejects when the server, the browser or the kernel does not come up, or
 * when the cells do not finish within the time limit; error outputs are reported, not thrown.
 * Browser and server are always closed.
 */
export async function checkNotebookInBrowser(o: BrowserCheckOptions): Promise<BrowserCheckResult> {
  const notebook = path.resolve(o.notebook);
  if (!fs.existsSync(notebook)) throw new Error(`${notebook}: notebook does not exist`);
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? 15 * 60 * 1000);
  const left = () => Math.max(1000, deadline - Date.now());
  const log = o.log ?? (() => {});
  const pageErrors: string[] = [];

  const server = await startNotebookServer({ dir: path.dirname(notebook), env: o.env, log: (l) => log(`jupyter: ${l}`) });
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: o.viewport ?? { width: 1280, height: 1500 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    log(`opening ${server.url}notebooks/${path.basename(notebook)}`);
    await page.goto(server.link(path.basename(notebook)), { waitUntil: 'load', timeout: left() });

    // The page is loaded and its session's kernel answers.
    await waitFor(page, 'the notebook page to load and its kernel to be idle', left(), () =>
      typeof Jupyter !== 'undefined' && !!Jupyter.notebook && Jupyter.notebook._fully_loaded &&
      !!Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() &&
      !!document.querySelector('#kernel_indicator_icon.kernel_idle_icon'),
    );
    const kernel = await page.evaluate((trouble) => {
      // Never write the notebook back: no autosave, and saving refuses on a read-only page.
      Jupyter.notebook.set_autosave_interval(0);
      Jupyter.notebook.writable = false;
      (window as unknown as { avlabKernelEvents: string[] }).avlabKernelEvents = [];
      Jupyter.notebook.events.on(trouble, (e) => avlabKernelEvents.push(e.type));
      return Jupyter.notebook.kernel!.name;
    }, KERNEL_TROUBLE);
    log(`kernel ${kernel} is idle after ${((Date.now() - started) / 1000).toFixed(1)} s; running all cells`);

    await page.evaluate(() => Jupyter.notebook.execute_all_cells());
    let state = await page.evaluate(pageState);
    let lastLog = Date.now();
    let trouble: string[] = [];
    for (;;) {
      state = await page.evaluate(pageState);
      // A dead or restarted kernel drops the queued cells: the run is over, with an error.
      trouble = await page.evaluate(() => avlabKernelEvents.slice());
      if (trouble.length > 0) {
        await sleep(1000);
        state = await page.evaluate(pageState);
        break;
      }
      if (state.running === 0 && state.idle) break;
      if (Date.now() > deadline) {
        throw new Error(`${path.basename(notebook)}: cells still running after ${Math.round((o.timeoutMs ?? 900000) / 1000)} s (${state.executed} of ${state.code} code cells done)`);
      }
      if (Date.now() - lastLog > 15000) {
        log(`${state.executed} of ${state.code} code cells done`);
        lastLog = Date.now();
      }
      await sleep(500);
    }
    log(`cells done after ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.executed} of ${state.code} executed`);
    if (trouble.length > 0) state.errors.push(`the kernel stopped while cells ran (${[...new Set(trouble)].join(', ')}): it died or was restarted`);
    else if (state.executed < state.code && state.errors.length === 0) state.errors.push(`${state.code - state.executed} code cell(s) did not run, without an error output`);

    // plotly draws after the output is in the page: give every emitted figure a while to be drawn.
    const drawBy = Math.min(deadline, Date.now() + 60000);
    while (state.plots < state.figures && Date.now() < drawBy && state.errors.length === 0 && pageErrors.length === 0) {
      await sleep(500);
      state = { ...(await page.evaluate(pageState)), errors: state.errors };
    }

    let screenshot: string | undefined;
    if (o.screenshot) {
      screenshot = path.resolve(o.screenshot);
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await scrollToFirstFigure(page);
      await page.screenshot({ path: screenshot, fullPage: false });
      log(`screenshot: ${screenshot}`);
    }
    return {
      notebook,
      kernel,
      executedCells: state.executed,
      codeCells: state.code,
      tables: state.tables,
      figures: state.figures,
      plots: state.plots,
      errors: state.errors,
      pageErrors,
      screenshot,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
  }
}

/** Waits until `predicate` holds in the page; the error says what was awaited and what the page shows. */
async function waitFor(page: Page, what: string, timeoutMs: number, predicate: () => boolean): Promise<void> {
  try {
    await page.waitForFunction(predicate, undefined, { timeout: timeoutMs, polling: 250 });
  } catch (err) {
    const dialog = await page.evaluate(() => document.querySelector('.modal.in, .modal.show')?.textContent?.replace(/\s+/g, ' ').trim() ?? '').catch(() => '');
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`timed out waiting for ${what} (${why})${dialog ? `; the page shows a dialog: ${dialog.slice(0, 400)}` : ''}`);
  }
}

/**
 * Scrolls Notebook 6's cell area (`#site`, which scrolls instead of the document) to the first drawn
 * plot, starting the view at the last table above it when table and plot fit in the window together.
 */
async function scrollToFirstFigure(page: Page): Promise<void> {
  // No named functions inside: tsx's transform would wrap them in a helper the page does not have.
  await page.evaluate(() => {
    const site = document.querySelector('#site');
    const plot = document.querySelector('.output_area .js-plotly-plot');
    if (!site || !plot) return;
    const siteTop = site.getBoundingClientRect().top - site.scrollTop;
    const plotTop = (plot.closest('.cell') ?? plot).getBoundingClientRect().top - siteTop;
    const plotBottom = plot.getBoundingClientRect().bottom - siteTop;
    let tableTop: number | undefined;
    for (const table of Array.from(document.querySelectorAll('.output_area table'))) {
      const top = (table.closest('.output_area') ?? table).getBoundingClientRect().top - siteTop - 40;
      if (top < plotTop) tableTop = top;
    }
    site.scrollTop = Math.max(0, tableTop !== undefined && plotBottom - tableTop <= site.clientHeight ? tableTop : plotTop - 320);
  });
  await sleep(300);
}
