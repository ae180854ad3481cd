/** Small table helpers shared by the notebooks. */
import { SceneDataset } from '../data/types';

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
