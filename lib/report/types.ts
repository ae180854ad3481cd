/**
 * The machine-readable results each notebook writes (`report/results/<notebook>.json`). The
 * report is assembled only from these files and the exported figures, so it can be rebuilt
 * without re-running any experiment.
 */
import type { Cell } from '../plots/table';

/** A result table: column names and rows of cells (numbers stay numbers for alignment). */
export interface ResultsTable {
  columns: string[];
  rows: Cell[][];
  caption?: string;
}

/** One section of a notebook's results. */
export interface ResultsSection {
  heading: string;
  /** Prose in avlab's small markdown subset (paragraphs, lists, **bold**, *em*, `code`). */
  markdown?: string;
  table?: ResultsTable;
  /** Names of exported figures (file stems in the figures directory, e.g. `"02-audio-loss"`). */
  figures?: string[];
}

/** Everything one executed notebook contributes to the report. */
export interface NotebookResults {
  /** Notebook file name, with or without `.ipynb` (e.g. `"02-audio-baseline"`); sets report order. */
  notebook: string;
  title: string;
  /** Run profile, e.g. `"quick"` or `"full"`. */
  profile: string;
  /** Compute backend, e.g. `"tensorflow"`, `"wasm"`, `"webgpu"`. */
  backend: string;
  /** One line describing the data, e.g. "simulated scenes (seed 7, quick profile)". */
  dataDescription: string;
  source: 'simulated' | 'course-kit';
  /** ISO 8601 time the notebook started. */
  startedAt: string;
  wallSeconds: number;
  sections: ResultsSection[];
}
