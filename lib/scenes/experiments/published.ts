/**
 * Published scene-classification numbers of the source reports (course kit, 3,645 test clips,
 * clip level), mapped onto avlab's model names, for side-by-side tables. Real data, not ours.
 */
import * as aq from 'arquero';
import type { SceneRunResult } from './sceneRun';
import { sceneModelEntry, sceneModelNames } from '../models/registry';

/** One published result. */
export interface PublishedResult {
  /** avlab's model name (see lib/scenes/models/registry.ts for the naming). */
  model: string;
  /** The name the report used. */
  reportedAs: string;
  source: string;
  accuracy: number;
  logLoss: number;
}

/**
 * Every published result, from the registry entries (each entry holds its own numbers; see
 * lib/scenes/models/registry.ts), report A's before report B's.
 */
export function publishedResults(): PublishedResult[] {
  const rows = sceneModelNames().flatMap((model) => (sceneModelEntry(model).published ?? []).map((p) => ({ model, ...p })));
  return rows.sort((a, b) => a.source.localeCompare(b.source));
}

/** The published results of the built-in entries (`publishedResults()` also has entries registered later). */
export const PUBLISHED_SCENE_RESULTS: PublishedResult[] = publishedResults();

/** Where the published numbers come from, for table captions. */
export const PUBLISHED_SOURCES: Record<string, string> = {
  'report A': 'audio-visual scene recognition course report (Chinese), table 1',
  'report B': 'audio-visual scene classification course report (English), tables 1, 4, 5',
};

/**
 * An arquero table with this run's test accuracy and log loss beside the published ones, one row
 * per (model, source), labelled `simulated` / `course-kit` vs `published (real data)`.
 */
export function comparisonTable(runs: Pick<SceneRunResult, 'kind' | 'name' | 'accuracy' | 'logLoss'>[], dataLabel: string): aq.ColumnTable {
  const ours = aq.from(runs.map((r) => ({ model: r.name ?? r.kind, data: dataLabel, 'reported as': '', accuracy: r.accuracy, 'log loss': r.logLoss, mine: 0 })));
  const models = new Set(runs.map((r) => (r.name ?? r.kind) as string));
  const theirs = aq.from(
    publishedResults().filter((p) => models.has(p.model)).map((p) => ({
      model: p.model,
      data: `published, ${p.source} (real data)`,
      'reported as': p.reportedAs,
      accuracy: p.accuracy,
      'log loss': p.logLoss,
      mine: 1,
    })),
  );
  const order = runs.map((r) => (r.name ?? r.kind) as string);
  // This run first within each model, then the published rows; models in the order they were run.
  return ours
    .concat(theirs)
    .derive({ rank: aq.escape((d: { model: string }) => order.indexOf(d.model)) })
    .orderby('rank', 'mine', 'data')
    .select(aq.not('rank', 'mine'))
    .derive({
      accuracy: aq.escape((d: { accuracy: number }) => Math.round(d.accuracy * 1000) / 1000),
      'log loss': aq.escape((d: Record<string, number>) => Math.round(d['log loss'] * 1000) / 1000),
    });
}
