/**
 * Figure builders for the scene-classification experiments. Each takes plain typed inputs and
 * returns a Plotly spec; display and export live in `show.ts` and `export.ts`.
 */
export { lossCurves } from './lossCurves';
export type { LossCurvesOptions } from './lossCurves';
export { confusionMatrixFigure, normaliseRows } from './confusion';
export type { ConfusionOptions } from './confusion';
export { perClassBars, comparisonBars } from './bars';
export type { BarOptions, ClassSeries, ComparisonRow } from './bars';
