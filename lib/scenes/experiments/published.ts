/**
 * Published scene-classification numbers of the source reports (course kit, 3,645 test clips,
 * clip level), mapped onto avlab's model names, for side-by-side tables. Real data, not ours.
 */
import * as aq from 'arquero';
import type { SceneRunResult } from './sceneRun';

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

/** Report A (course report, Chinese) and report B (course report, English). */
export const PUBLISHED_SCENE_RESULTS: PublishedResult[] = [
  { model: 'audio-only', reportedAs: 'Audio Only', source: 'report A', accuracy: 0.701, logLoss: 0.788 },
  { model: 'video-only', reportedAs: 'Video Only', source: 'report A', accuracy: 0.671, logLoss: 0.894 },
  { model: 'intermediate', reportedAs: 'Early Fusion', source: 'report A', accuracy: 0.815, logLoss: 0.503 },
  { model: 'late-average', reportedAs: 'Late Fusion', source: 'report A', accuracy: 0.798, logLoss: 0.529 },
  { model: 'hybrid', reportedAs: 'Hybrid Fusion', source: 'report A', accuracy: 0.803, logLoss: 0.537 },
  { model: 'attention', reportedAs: 'Attention', source: 'report A', accuracy: 0.759, logLoss: 0.637 },
  { model: 'attention2', reportedAs: 'Attention2', source: 'report A', accuracy: 0.725, logLoss: 0.734 },
  { model: 'audio-only', reportedAs: 'Audio-Only', source: 'report B', accuracy: 0.706, logLoss: 0.808 },
  { model: 'video-only', reportedAs: 'Video-Only', source: 'report B', accuracy: 0.674, logLoss: 0.854 },
  { model: 'early', reportedAs: 'Early', source: 'report B', accuracy: 0.797, logLoss: 0.528 },
  { model: 'intermediate', reportedAs: 'Intermediate (baseline)', source: 'report B', accuracy: 0.798, logLoss: 0.541 },
  { model: 'late-linear', reportedAs: 'Late', source: 'report B', accuracy: 0.792, logLoss: 0.54 },
  { model: 'weighted-late', reportedAs: 'Weighted', source: 'report B', accuracy: 0.816, logLoss: 0.507 },
];

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
    PUBLISHED_SCENE_RESULTS.filter((p) => models.has(p.model)).map((p) => ({
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
