import assert from 'node:assert/strict';
import { comparisonBars, confusionMatrixFigure, lossCurves, normaliseRows, perClassBars } from '../../lib/plots/figures';
import { sampleHistory } from './helpers';

describe('plots/figures', () => {
  describe('lossCurves', () => {
    it('draws train and cv loss, cv accuracy on the secondary axis', () => {
      const fig = lossCurves(sampleHistory(), { title: 'run' });
      const names = fig.data.map((t) => t.name);
      assert.deepEqual(names.slice(0, 3), ['train loss', 'val loss', 'val accuracy']);
      assert.deepEqual(fig.data[0].x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(fig.data[2].yaxis, 'y2');
      const y2 = fig.layout.yaxis2 as { overlaying: string; range: number[] };
      assert.equal(y2.overlaying, 'y');
      assert.deepEqual(y2.range, [0, 1]);
      assert.equal(fig.layout.width, 720);
      assert.equal(fig.layout.height, 480);
    });

    it('marks the lowest-cv-loss epoch by default: marker, vertical line, annotation', () => {
      const fig = lossCurves(sampleHistory());
      const marker = fig.data[3];
      assert.deepEqual(marker.x, [6]);
      assert.deepEqual(marker.y, [1]);
      const line = fig.layout.shapes![0];
      assert.equal(line.x0, 6);
      assert.equal(line.x1, 6);
      assert.equal(line.yref, 'paper');
      assert.equal(fig.layout.annotations![0].x, 6);
      assert.match(String(fig.layout.annotations![0].text), /best epoch 6/);
    });

    it('uses an explicit bestEpoch and rejects one outside the history', () => {
      const fig = lossCurves(sampleHistory(), { bestEpoch: 8 });
      assert.deepEqual(fig.data[3].x, [8]);
      assert.deepEqual(fig.data[3].y, [sampleHistory()[7].valLoss]);
      assert.throws(() => lossCurves(sampleHistory(), { bestEpoch: 42 }), /bestEpoch 42 is not in the history/);
      assert.throws(() => lossCurves([]), /history is empty/);
    });

    it('shows percentage accuracies on a 0–100 axis', () => {
      const fig = lossCurves(sampleHistory().map((h) => ({ ...h, metrics: { accuracy: h.metrics.accuracy * 100 } })));
      assert.deepEqual((fig.layout.yaxis2 as { range: number[] }).range, [0, 100]);
    });
  });

  describe('confusionMatrixFigure', () => {
    const matrix = [
      [8, 2, 0],
      [1, 6, 3],
      [0, 0, 0],
    ];
    const classes = ['bus', 'metro', 'tram'];

    it('puts the raw counts in z with true on y and predicted on x', () => {
      const fig = confusionMatrixFigure(matrix, classes, { title: 'cm', normalise: 'none' });
      const t = fig.data[0];
      assert.equal(t.type, 'heatmap');
      assert.deepEqual(t.z, matrix);
      assert.deepEqual(t.x, classes);
      assert.deepEqual(t.y, classes);
      assert.deepEqual(t.text, [['8', '2', '0'], ['1', '6', '3'], ['0', '0', '0']]);
      assert.equal((fig.layout.yaxis as { autorange: string }).autorange, 'reversed');
      assert.equal((fig.layout.xaxis as { title: { text: string } }).title.text, 'predicted');
    });

    it("normalises rows to sum to 1 with normalise: 'true' (empty rows stay 0)", () => {
      const z = confusionMatrixFigure(matrix, classes, { normalise: 'true' }).data[0].z as number[][];
      for (const row of z.slice(0, 2)) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      assert.deepEqual(z[2], [0, 0, 0]);
      assert.deepEqual(normaliseRows([[1, 3]]), [[0.25, 0.75]]);
    });

    it('rejects a matrix that does not match the classes', () => {
      assert.throws(() => confusionMatrixFigure([[1, 2]], classes), /1 rows for 3 classes/);
      assert.throws(() => confusionMatrixFigure([[1], [2], [3]], classes), /row 0 has 1 columns/);
      assert.throws(() => confusionMatrixFigure([[1, 0], [NaN, 1]], ['a', 'b']), /cell \[1\]\[0\]/);
    });
  });

  describe('perClassBars', () => {
    it('draws one grouped bar trace per series over the classes', () => {
      const fig = perClassBars(
        [
          { name: 'audio', values: [0.5, 0.6] },
          { name: 'video', values: [0.7, 0.4] },
        ],
        ['bus', 'tram'],
        { title: 'per class', yTitle: 'accuracy', percent: true },
      );
      assert.equal(fig.layout.barmode, 'group');
      assert.deepEqual(fig.data.map((t) => t.name), ['audio', 'video']);
      assert.deepEqual(fig.data[1].x, ['bus', 'tram']);
      assert.deepEqual(fig.data[1].y, [0.7, 0.4]);
      assert.notEqual((fig.data[0].marker as { color: string }).color, (fig.data[1].marker as { color: string }).color);
      assert.throws(() => perClassBars([{ name: 'x', values: [1] }], ['a', 'b']), /1 values for 2 classes/);
    });
  });

  describe('comparisonBars', () => {
    it('colours by group, keeps method order, and carries error bars', () => {
      const fig = comparisonBars(
        [
          { method: 'audio', value: 0.65, error: 0.01, group: 'simulated' },
          { method: 'audio', value: 0.66, group: 'published' },
          { method: 'fusion', value: 0.86, error: 0.02, group: 'simulated' },
          { method: 'fusion', value: 0.87, group: 'published' },
        ],
        { title: 'accuracy', yTitle: 'accuracy' },
      );
      assert.deepEqual(fig.data.map((t) => t.name), ['simulated', 'published']);
      assert.deepEqual(fig.data[0].x, ['audio', 'fusion']);
      assert.deepEqual(fig.data[0].y, [0.65, 0.86]);
      assert.deepEqual((fig.data[0].error_y as { array: number[] }).array, [0.01, 0.02]);
      assert.equal((fig.data[1].error_y as { visible: boolean }).visible, false);
      assert.deepEqual((fig.layout.xaxis as { categoryarray: string[] }).categoryarray, ['audio', 'fusion']);
    });

    it('hides the legend without groups and rejects duplicates', () => {
      const fig = comparisonBars([{ method: 'a', value: 1 }, { method: 'b', value: 2 }]);
      assert.equal(fig.data.length, 1);
      assert.equal(fig.data[0].showlegend, false);
      assert.throws(() => comparisonBars([{ method: 'a', value: 1 }, { method: 'a', value: 2 }]), /appears twice/);
    });
  });

  it('figures are plain JSON (survive a JSON round trip)', () => {
    const fig = lossCurves(sampleHistory());
    assert.deepEqual(JSON.parse(JSON.stringify(fig)), JSON.parse(JSON.stringify(fig)));
    assert.equal(typeof JSON.stringify(fig), 'string');
  });
});
