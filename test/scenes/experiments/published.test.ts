import assert from 'node:assert/strict';
import { comparisonTable, PUBLISHED_SCENE_RESULTS } from '../../../lib/scenes/experiments/published';

describe('published-results comparison table', () => {
  it('puts this run first for each model, then the published rows mapped onto avlab names', () => {
    const rows = comparisonTable(
      [
        { kind: 'intermediate', accuracy: 0.81234, logLoss: 0.5 },
        { kind: 'audio-only', accuracy: 0.7, logLoss: 0.8 },
      ],
      'this run (simulated data)',
    ).objects() as Record<string, string | number>[];
    assert.deepEqual(
      rows.map((r) => [r.model, r.data, r['reported as']]),
      [
        ['intermediate', 'this run (simulated data)', ''],
        ['intermediate', 'published, report A (real data)', 'Early Fusion'],
        ['intermediate', 'published, report B (real data)', 'Intermediate (baseline)'],
        ['audio-only', 'this run (simulated data)', ''],
        ['audio-only', 'published, report A (real data)', 'Audio Only'],
        ['audio-only', 'published, report B (real data)', 'Audio-Only'],
      ],
    );
    assert.equal(rows[0].accuracy, 0.812);
    assert.equal(rows[1].accuracy, 0.815);
  });

  it('holds the reports\' table values', () => {
    const find = (model: string, source: string) => PUBLISHED_SCENE_RESULTS.find((p) => p.model === model && p.source === source)!;
    assert.deepEqual([find('late-average', 'report A').accuracy, find('late-average', 'report A').logLoss], [0.798, 0.529]);
    assert.deepEqual([find('weighted-late', 'report B').accuracy, find('weighted-late', 'report B').logLoss], [0.816, 0.507]);
  });
});
