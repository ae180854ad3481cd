/** Writing and reading the per-notebook results files. */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { writeFileAtomic } from '../io/files';
import { InputError } from '../util/errors';
import type { NotebookResults, ResultsSection } from './types';

/** The file stem for a notebook: its base name without `.ipynb`. */
export function notebookStem(notebook: string): string {
  const base = notebook.split(/[\\/]/).pop() ?? notebook;
  return base.replace(/\.ipynb$/i, '');
}

/**
 * Validates `results` and writes them to `<dir>/<notebook>.json` atomically (creating `dir`).
 * Returns the path written. Notebooks call this once, at the end of a run.
 */
export function writeNotebookResults(dir: string, results: NotebookResults): string {
  const stem = notebookStem(results.notebook);
  const path = join(dir, `${stem}.json`);
  const checked = validateNotebookResults(JSON.parse(JSON.stringify(results)) as unknown, path);
  // Fixed key order keeps results files diff-friendly whatever order the notebook built them in.
  const ordered: NotebookResults = {
    notebook: checked.notebook,
    title: checked.title,
    profile: checked.profile,
    backend: checked.backend,
    dataDescription: checked.dataDescription,
    source: checked.source,
    startedAt: checked.startedAt,
    wallSeconds: checked.wallSeconds,
    sections: checked.sections.map((s) => ({ heading: s.heading, markdown: s.markdown, table: s.table, figures: s.figures })),
  };
  writeFileAtomic(path, `${JSON.stringify(ordered, null, 2)}\n`, { createDir: true });
  return path;
}

/**
 * Reads every `*.json` results file in `dir`, validated, in notebook order (file names compared
 * with numeric collation, so `2-…` precedes `10-…`). Throws `InputError` naming the file and
 * key on malformed input.
 */
export function readNotebookResults(dir: string): NotebookResults[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(dir, 'results directory does not exist; run the notebooks first (each writes <notebook>.json here)');
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  const all = files.map((f) => {
    const path = join(dir, f);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new InputError(path, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    return validateNotebookResults(value, path);
  });
  const collator = new Intl.Collator('en', { numeric: true });
  return all.sort((a, b) => collator.compare(notebookStem(a.notebook), notebookStem(b.notebook)));
}

/** Checks that `value` has the `NotebookResults` shape; `file` is named in errors. */
export function validateNotebookResults(value: unknown, file: string): NotebookResults {
  const obj = record(value, file, '');
  const str = (key: string): string => {
    if (typeof obj[key] !== 'string') throw new InputError(file, `must be a string, got ${describe(obj[key])}`, key);
    return obj[key] as string;
  };
  for (const key of ['notebook', 'title', 'profile', 'backend', 'dataDescription', 'startedAt']) str(key);
  if (obj.source !== 'simulated' && obj.source !== 'course-kit') {
    throw new InputError(file, `must be "simulated" or "course-kit", got ${describe(obj.source)}`, 'source');
  }
  if (typeof obj.wallSeconds !== 'number' || !Number.isFinite(obj.wallSeconds)) {
    throw new InputError(file, `must be a finite number, got ${describe(obj.wallSeconds)}`, 'wallSeconds');
  }
  if (!Array.isArray(obj.sections)) throw new InputError(file, `must be an array, got ${describe(obj.sections)}`, 'sections');
  obj.sections.forEach((s, i) => validateSection(s, file, `sections[${i}]`));
  return value as NotebookResults;
}

function validateSection(value: unknown, file: string, key: string): ResultsSection {
  const s = record(value, file, key);
  if (typeof s.heading !== 'string') throw new InputError(file, 'must be a string', `${key}.heading`);
  if (s.markdown !== undefined && typeof s.markdown !== 'string') throw new InputError(file, 'must be a string', `${key}.markdown`);
  if (s.figures !== undefined && !(Array.isArray(s.figures) && s.figures.every((f) => typeof f === 'string'))) {
    throw new InputError(file, 'must be an array of figure names', `${key}.figures`);
  }
  if (s.table !== undefined) {
    const t = record(s.table, file, `${key}.table`);
    if (!Array.isArray(t.columns) || !t.columns.every((c) => typeof c === 'string')) {
      throw new InputError(file, 'must be an array of column names', `${key}.table.columns`);
    }
    if (!Array.isArray(t.rows)) throw new InputError(file, 'must be an array of rows', `${key}.table.rows`);
    t.rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== (t.columns as string[]).length) {
        throw new InputError(file, `must be an array of ${(t.columns as string[]).length} cells`, `${key}.table.rows[${i}]`);
      }
      r.forEach((c, j) => {
        if (c !== null && !['string', 'number', 'boolean'].includes(typeof c)) {
          throw new InputError(file, `must be a string, number, boolean or null, got ${describe(c)}`, `${key}.table.rows[${i}][${j}]`);
        }
      });
    });
  }
  return value as ResultsSection;
}

function record(value: unknown, file: string, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(file, `must be an object, got ${describe(value)}`, key === '' ? undefined : key);
  }
  return value as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v;
}
