/**
 * What every notebook's first cell sets up: the backend, the profile, where runs, figures and
 * results go, and helpers that show a figure inline while recording it for the static export and
 * the report. Paths can be redirected with AVLAB_FIGURES_DIR, AVLAB_RESULTS_DIR and AVLAB_RUNS_DIR
 * (the tests do, so executing a notebook never overwrites the repository's figures).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackendInfo, initBackend } from '../backend';
import type { BackendProbe } from '../backend/probe';
import { profileName, Profile } from '../util/profile';
import { exportFigures } from '../plots/export';
import { figureHtml, tableHtml } from '../plots/show';
import { toTableData, type TableInput } from '../plots/table';
import type { Figure } from '../plots/types';
import { writeNotebookResults } from '../report/results';
import type { NotebookResults, ResultsSection, ResultsTable } from '../report/types';

/** A section of a notebook's report; its table may be given in any form `nb.table` shows. */
export interface NotebookSection extends Omit<ResultsSection, 'table'> {
  /** Row objects, `{ columns, rows }` (a `ResultsTable`, caption kept) or an arquero table. */
  table?: TableInput | ResultsTable;
}

/** What a notebook's data set says about itself (every avlab data set has these). */
export interface DescribedData {
  description: string;
  source?: 'simulated' | 'course-kit';
}

/** The display functions tslab passes in (`tslab.display`). */
export interface NotebookDisplay {
  html(html: string): void;
  markdown?(md: string): void;
}

/** Options of `startNotebook`. */
export interface NotebookOptions {
  /** File stem, e.g. `01_unimodal`; prefixes every figure name. */
  id: string;
  title: string;
  /** tslab's `display`; omit outside a kernel. */
  display?: NotebookDisplay;
  /** The training step `AVLAB_BACKEND=auto` times on each backend (default: a dense network). */
  probe?: BackendProbe;
}

/** Finds the repository root (the folder with avlab's package.json) from `start` upwards. */
export function projectRoot(start = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'avlab') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no avlab package.json above ${start}`);
    dir = up;
  }
}

/** A running notebook: see the module comment. */
export class NotebookContext {
  readonly startedAt = new Date();
  readonly figuresDir: string;
  readonly resultsDir: string;
  readonly runsRoot: string;
  private figures: { name: string; figure: Figure }[] = [];
  private sections: ResultsSection[] = [];
  dataDescription = '';
  source: 'simulated' | 'course-kit' = 'simulated';

  constructor(
    readonly options: NotebookOptions,
    readonly profile: Profile,
    readonly backend: BackendInfo,
    readonly root: string,
  ) {
    this.figuresDir = process.env.AVLAB_FIGURES_DIR ?? path.join(root, 'figures');
    this.resultsDir = process.env.AVLAB_RESULTS_DIR ?? path.join(root, 'report', 'results');
    this.runsRoot = process.env.AVLAB_RUNS_DIR ?? path.join(root, 'data', 'runs');
  }

  /**
   * Directory for one model's run (checkpoints, train.log, result.txt, prediction.csv), shared by
   * the notebooks of one experiment family so a later notebook reuses a finished run. With
   * `AVLAB_FRESH_SINCE=<unix seconds>` (the main job's `--fresh`), runs older than that are discarded.
   */
  runDir(name: string, family = 'scenes'): string {
    const dir = path.join(this.runsRoot, this.profile, family, name);
    const since = Number(process.env.AVLAB_FRESH_SINCE ?? NaN);
    const last = path.join(dir, 'last.ckpt');
    if (Number.isFinite(since) && fs.existsSync(last) && fs.statSync(last).mtimeMs < since * 1000) fs.rmSync(dir, { recursive: true });
    return dir;
  }

  /** Shows a figure inline and records it for export as `<id>_<name>.{png,svg,html}`. */
  show(name: string, figure: Figure): void {
    const full = `${this.options.id}_${name}`;
    this.figures = this.figures.filter((f) => f.name !== full).concat({ name: full, figure });
    this.options.display?.html(figureHtml(figure));
  }

  /** Shows a table inline: row objects, `{ columns, rows }`, or an arquero table. */
  table(rows: TableInput, caption?: string): void {
    this.options.display?.html(tableHtml(rows, { caption }));
  }

  /** Shows HTML inline (e.g. `showSource(...)`). */
  html(html: string): void {
    this.options.display?.html(html);
  }

  /** Records the data set's description and source for the report, and returns it: `const data = nb.useData(await av.scenes.loadScenes(...))`. */
  useData<D extends DescribedData>(data: D): D {
    this.dataDescription = data.description;
    if (data.source) this.source = data.source;
    return data;
  }

  /** Adds a section to this notebook's part of the report. Figure names are the short names given to `show`. */
  section(s: NotebookSection): void {
    const figures = s.figures?.map((f) => (f.startsWith(`${this.options.id}_`) ? f : `${this.options.id}_${f}`));
    const table: ResultsTable | undefined = s.table === undefined ? undefined : { ...toTableData(s.table), ...('caption' in s.table && typeof s.table.caption === 'string' ? { caption: s.table.caption } : {}) };
    this.sections.push({ ...s, table, figures });
  }

  /** Writes the figures (PNG, SVG, HTML) and the results file the report is built from. */
  async finish(): Promise<void> {
    const exported = await exportFigures(this.figures, this.figuresDir);
    const results: NotebookResults = {
      notebook: this.options.id,
      title: this.options.title,
      profile: this.profile,
      backend: this.backend.detail,
      dataDescription: this.dataDescription,
      source: this.source,
      startedAt: this.startedAt.toISOString(),
      wallSeconds: (Date.now() - this.startedAt.getTime()) / 1000,
      sections: this.sections,
    };
    writeNotebookResults(this.resultsDir, results);
    const ms = exported.timings.reduce((s, t) => s + t.ms, exported.setupMs);
    console.log(`wrote ${this.figures.length} figures to ${path.relative(this.root, this.figuresDir) || '.'} (${(ms / 1000).toFixed(1)} s) and ${path.join(path.relative(this.root, this.resultsDir), this.options.id + '.json')}`);
  }
}

/** Sets up a notebook: initialises the backend (printed), reads the profile, resolves the paths. */
export async function startNotebook(options: NotebookOptions): Promise<NotebookContext> {
  const profile = profileName();
  const backend = await initBackend(undefined, { probe: options.probe });
  const root = projectRoot();
  console.log(`avlab ${options.id}: profile ${profile}, backend ${backend.detail}`);
  return new NotebookContext(options, profile, backend, root);
}
