/** Small table helpers shared by the notebooks. */
import { SceneDataset } from '../data/types';
import type { Cell } from '../../plots/table';
import type { ResultsTable } from '../../report/types';

/** Clips per class in each split, plus a total row. */
export function splitSummary(ds: SceneDataset): Record<string, string | number>[] {
  const count = (labels: Int32Array, c: number) => labels.reduce((s, l) => s + (l === c ? 1 : 0), 0);
  const rows: Record<string, string | number>[] = ds.classes.map((name, c) => ({
    class: name,
    train: count(ds.train.labels, c),
    val: count(ds.val.labels, c),
    test: count(ds.test.labels, c),
  }));
  rows.push({ class: 'total', train: ds.train.labels.length, val: ds.val.labels.length, test: ds.test.labels.length });
  return rows;
}

/** Row objects → the `{ columns, rows }` layout of report tables (columns from the first row). */
export function toSectionTable(objects: Record<string, unknown>[], caption?: string): ResultsTable {
  const columns = objects.length ? Object.keys(objects[0]) : [];
  const cell = (v: unknown): Cell => (typeof v === 'number' || typeof v === 'string' || v === null ? v : v === undefined ? null : String(v)) as Cell;
  return { columns, rows: objects.map((o) => columns.map((c) => cell(o[c]))), caption };
}
