import assert from 'node:assert/strict';
import { reliabilityBins } from '../../lib/metrics/calibration';
import { meanCiBars, robustnessCurves } from '../../lib/plots/curves';
import { disagreementFigure } from '../../lib/scenes/figures/disagreement';
import { reliabilityDiagram } from '../../lib/plots/reliability';

describe('plots/analysis figures', () => {
  describe('reliabilityDiagram', () => {
    // The calibration test's example: ECE 0.17 with two bins.
    const probs = new Float64Array([0.9, 0.05, 0.05, 0.7, 0.2, 0.1, 0.2, 0.4, 0.4, 0.3, 0.3, 0.4, 0.1, 0.45, 0.45]);
    const yTrue = [0, 1, 1, 0, 2];

    it('draws accuracy bars, the gap to confidence and the diagonal; ECE in the title', () => {
      const fig = reliabilityDiagram(reliabilityBins(probs, yTrue, { bins: 2 }), { title: 'fused' });
      assert.deepEqual(fig.data.map((t) => t.name), ['accuracy', 'gap', 'perfect calibration']);
      assert.deepEqual(fig.data[0].x, [0.25, 0.75]);
      assert.deepEqual(fig.data[0].width, [0.5, 0.5]);
      assert.equal((fig.data[0].y as number[])[1], 0.5);
      // The gap bar starts at the accuracy and reaches the mean confidence.
      assert.deepEqual(fig.data[1].base, fig.data[0].y);
      assert.ok(Math.abs((fig.data[1].y as number[])[1] - 0.3) < 1e-12);
      assert.deepEqual(fig.data[2].x, [0, 1]);
      assert.deepEqual(fig.data[2].y, [0, 1]);
      assert.equal((fig.layout.title as { text: string }).text, 'fused (ECE 17.00%)');
      assert.match(String(fig.layout.annotations![0].text), /ECE 17\.00%<br>5 predictions, 2 bins/);
      assert.equal(fig.layout.barmode, 'overlay');
    });

    it('leaves empty bins out', () => {
      const fig = reliabilityDiagram(reliabilityBins(probs, yTrue, { bins: 10 }));
      // Confidences 0.4, 0.4, 0.45, 0.7, 0.9 fill the bins (0.3, 0.4], (0.4, 0.5], (0.6, 0.7], (0.8, 0.9].
      assert.deepEqual((fig.data[0].x as number[]).map((x) => Number(x.toFixed(2))), [0.35, 0.45, 0.65, 0.85]);
      assert.throws(() => reliabilityDiagram([{ lower: 0, upper: 1, count: 0, confidence: NaN, accuracy: NaN }]), RangeError);
    });
  });

  it('robustnessCurves: one line per series', () => {
    const fig = robustnessCurves(
      [
        { name: 'audio noise', x: [0, 1, 2], y: [0.8, 0.7, 0.5] },
        { name: 'video noise', x: [0, 1, 2], y: [0.8, 0.75, 0.6] },
      ],
      { title: 'Noise', xTitle: 'std', yTitle: 'accuracy', percent: true },
    );
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data.map((t) => [t.type, t.mode, t.name]), [['scatter', 'lines+markers', 'audio noise'], ['scatter', 'lines+markers', 'video noise']]);
    assert.deepEqual(fig.data[1].y, [0.8, 0.75, 0.6]);
    assert.equal((fig.layout.xaxis as { title: { text: string } }).title.text, 'std');
    assert.equal((fig.layout.yaxis as { tickformat: string }).tickformat, '.0%');
    assert.throws(() => robustnessCurves([{ name: 'bad', x: [0, 1], y: [1] }]), /2 x values and 1 y values/);
  });

  it('disagreementFigure: a 2 × 2 heatmap of the counts, with fused accuracy when given', () => {
    const counts = { bothRight: 2, audioOnly: 3, videoOnly: 3, neither: 2, total: 10 };
    const fig = disagreementFigure(counts);
    const t = fig.data[0];
    assert.equal(t.type, 'heatmap');
    assert.deepEqual(t.z, [[2, 3], [3, 2]]);
    assert.deepEqual(t.x, ['video right', 'video wrong']);
    assert.deepEqual(t.y, ['audio right', 'audio wrong']);
    assert.equal((t.text as string[][])[0][1], '3<br>(30.0%)');
    const cell = (clips: number, fusedRight: number) => ({ clips, fusedRight, rate: clips ? fusedRight / clips : NaN });
    const withFused = disagreementFigure(counts, {
      resolution: { bothRight: cell(2, 2), audioOnly: cell(3, 2), videoOnly: cell(3, 3), neither: cell(2, 0), conflicts: cell(6, 5) },
    });
    assert.equal((withFused.data[0].text as string[][])[0][1], '3<br>(30.0%)<br>fused right 66.7%');
    assert.throws(() => disagreementFigure({ ...counts, total: 11 }), /do not make a positive total/);
  });

  it('meanCiBars: asymmetric error bars from the interval', () => {
    const fig = meanCiBars(
      [
        { method: 'audio', mean: 0.7, lo: 0.68, hi: 0.75, group: 'seeds' },
        { method: 'late', mean: 0.8, lo: 0.79, hi: 0.82, group: 'seeds' },
        { method: 'late', mean: 0.798, lo: 0.798, hi: 0.798, group: 'published' },
      ],
      { title: 'Accuracy over seeds', yTitle: 'accuracy', percent: true },
    );
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data.map((t) => t.name), ['seeds', 'published']);
    assert.deepEqual(fig.data[0].x, ['audio', 'late']);
    assert.deepEqual(fig.data[0].y, [0.7, 0.8]);
    const err = fig.data[0].error_y as { symmetric: boolean; array: number[]; arrayminus: number[] };
    assert.equal(err.symmetric, false);
    assert.ok(Math.abs(err.array[0] - 0.05) < 1e-12 && Math.abs(err.arrayminus[0] - 0.02) < 1e-12);
    assert.ok(Math.abs(err.array[1] - 0.02) < 1e-12 && Math.abs(err.arrayminus[1] - 0.01) < 1e-12);
    assert.deepEqual((fig.data[1].error_y as { array: number[] }).array, [0]);
    assert.deepEqual(fig.data[0].customdata, [[0.68, 0.75], [0.79, 0.82]]);
    assert.equal((fig.layout.title as { text: string }).text, 'Accuracy over seeds');
    assert.throws(() => meanCiBars([{ method: 'x', mean: 0.5, lo: 0.6, hi: 0.7 }]), /lo <= mean <= hi/);
  });
});
