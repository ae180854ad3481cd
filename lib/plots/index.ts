/** avlab plotting: figure builders, notebook display, static/interactive export. */
export * from './types';
export * from './figures';
export { PALETTE, ACCENT, FONT_FAMILY, DEFAULT_WIDTH, DEFAULT_HEIGHT, avlabLayout, seriesColour } from './theme';
export { figureHtml, showFigure, resetFigureBundle, DISPLAY_CONFIG } from './show';
export type { HtmlDisplay, FigureHtmlOptions } from './show';
export { tableHtml, toTableData, formatCell } from './table';
export type { TableHtmlOptions, TableInput, TableData, ColumnTableLike, Cell } from './table';
export { exportFigures, renderStatic, standaloneHtml } from './export';
export type { ExportFormat, ExportOptions, ExportResult, ExportTiming, NamedFigure } from './export';
export { normaliseSvg, normaliseSvgIds, canonicalAttributes, svgSize } from './svg';
export { launchChromium, withChromium, chromiumPath, CHROMIUM_ARGS } from './browser';
export { lossCurves, confusionMatrixFigure, normaliseRows, perClassBars, comparisonBars } from './figures';
export { reliabilityDiagram } from './reliability';
export { robustnessCurves, meanCiBars } from './curves';
export type { CurveSeries, CurveOptions, MeanCiRow, MeanCiOptions } from './curves';
export type { ReliabilityDiagramOptions } from './reliability';
