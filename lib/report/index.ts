/** avlab report: per-notebook results files and the HTML/PDF report assembled from them. */
export type { NotebookResults, ResultsSection, ResultsTable } from './types';
export { writeNotebookResults, readNotebookResults, validateNotebookResults, notebookStem } from './results';
export { markdownToHtml } from './markdown';
export { renderReportHtml, formatSeconds } from './render';
export type { RenderContext } from './render';
export { buildReport, printPdf } from './build';
export type { BuildReportOptions, BuildReportResult } from './build';
export { toSectionTable } from './tables';
