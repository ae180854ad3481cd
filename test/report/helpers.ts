/** Shared fixtures for the report tests. */
import type { NotebookResults } from '../../lib/report/types';

/** A minimal valid results object for `notebook`. */
export function sampleResults(notebook: string, title: string): NotebookResults {
  return {
    notebook,
    title,
    profile: 'quick',
    backend: 'tensorflow',
    dataDescription: 'simulated scenes (seed 7, quick profile)',
    source: 'simulated',
    startedAt: '2025-01-02T10:00:00.000Z',
    wallSeconds: 12.5,
    sections: [{ heading: `${title}: summary`, markdown: 'Accuracy is **high**.' }],
  };
}
