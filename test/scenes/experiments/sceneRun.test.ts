import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenes } from '../../../lib/scenes/data/load';
import { COURSE_TRAIN_CONFIG } from '../../../lib/training/config';
import { readSceneRun, restoreSceneModel, runSceneModel, scoreSplit } from '../../../lib/scenes/experiments/sceneRun';
import { conflictReport, robustnessReport, calibrationRows } from '../../../lib/scenes/experiments/modalConflict';
import { attentionFigure } from '../../../lib/scenes/figures/attention';
import { testBackend } from '../../helpers/backend';

const config = { ...COURSE_TRAIN_CONFIG, lr: 3e-3, batchSize: 32, maxEpochs: 3 };
const model = { hidden: 16, embed: 8, lstmUnits: 8, projection: 8 };

describe('scene runs: storage, restoration and analyses', function () {
  this.timeout(120000);
  before(testBackend);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-runs-'));
  const load = () => loadScenes({ profile: 'quick', view: 'sequence', sim: { seed: 9, dim: 16, frames: 3, clipsPerClass: { train: 8, val: 3, test: 4 } } });

  it('stores a run with its fusion-weight history and reads it back identically', async () => {
    const data = await load();
    const dir = path.join(root, 'weighted');
    const r = await runSceneModel({ kind: 'weighted-late', data, config, model, runDir: dir, log: () => {} });
    assert.equal(r.fusionHistory!.length, 3);
    assert.deepEqual(Object.keys(r.fusionHistory![0].weights).sort(), ['audio', 'video']);
    const back = readSceneRun(dir, data);
    assert.deepEqual(Array.from(back.probs), Array.from(r.probs));
    assert.equal(back.resultText, r.resultText);
    assert.deepEqual(back.fusionHistory, r.fusionHistory);
    for (const f of ['train.log', 'result.txt', 'prediction.csv', 'best.ckpt', 'last.ckpt', 'summary.json', 'test_probs.f32', 'fusion_weights.json']) {
      assert.ok(fs.existsSync(path.join(dir, f)), f);
    }
  });

  it('restores the best model: scoring the test split again gives the run\'s accuracy', async () => {
    const data = await load();
    for (const kind of ['intermediate', 'attention'] as const) {
      const dir = path.join(root, kind);
      const r = await runSceneModel({ kind, data, config, model, runDir: dir, log: () => {} });
      // From the directory alone: spec.json names the model, its options, the data's shape and the seed.
      const m = restoreSceneModel(dir);
      const again = await scoreSplit(m, data.test);
      assert.equal(again.accuracy, r.accuracy, kind);
      Array.from(again.probs).forEach((p, i) => assert.ok(Math.abs(p - r.probs[i]) < 1e-5));
      m.net.dispose();
    }
  });

  it('runs the conflict, robustness and calibration reports on real runs', async () => {
    const data = await load();
    const kinds = ['audio-only', 'video-only', 'intermediate'] as const;
    const runs = new Map<string, Awaited<ReturnType<typeof runSceneModel>>>();
    for (const kind of kinds) runs.set(kind, await runSceneModel({ kind, data, config, model, runDir: path.join(root, `c-${kind}`), log: () => {} }));
    const c = conflictReport(runs, data.classes);
    const d = c.disagreement;
    assert.equal(d.bothRight + d.audioOnly + d.videoOnly + d.neither, data.test.ids.length);
    assert.equal(c.versusAudio.length, 10);
    assert.deepEqual(Object.keys(c.versusAudio[0]), ['Type', 'M-P', 'M-R', 'M-F', 'A-P', 'A-R', 'A-F']);
    assert.equal(c.resolution.length, 1);
    const rob = await robustnessReport(kinds.map((k) => ({ name: k, runDir: path.join(root, `c-${k}`) })), data, { stds: [0, 5] });
    const audioOnly = rob.missing.find((m) => m.method === 'audio-only')!;
    assert.equal(audioOnly['both modalities'], Number(runs.get('audio-only')!.accuracy.toFixed(3)));
    // The video-only model ignores audio: removing or drowning the audio changes nothing.
    const videoOnly = rob.missing.find((m) => m.method === 'video-only')!;
    assert.equal(videoOnly['audio missing'], videoOnly['both modalities']);
    const vCurve = rob.audioNoise.find((s) => s.name === 'video-only')!;
    assert.equal(vCurve.y[1], vCurve.y[0]);
    const cal = calibrationRows(kinds.map((k) => ({ kind: k, seed: 0, result: runs.get(k)! })));
    cal.forEach((row) => assert.ok((row['ECE mean'] as number) >= 0 && (row['ECE mean'] as number) <= 1));
  });

  it('draws attention maps with a boundary between audio and video frames', () => {
    const fig = attentionFigure([{ label: 'bus → bus', weights: [0.1, 0.2, 0.3, 0.4] }], { framesPerModality: 2 });
    const trace = fig.data[0] as { z: number[][] };
    assert.deepEqual(trace.z, [[0.1, 0.2, 0.3, 0.4]]);
    const shapes = (fig.layout as { shapes: { x0: number }[] }).shapes;
    assert.equal(shapes.length, 1);
    assert.equal(shapes[0].x0, 1.5);
    assert.throws(() => attentionFigure([{ label: 'a', weights: [1] }, { label: 'b', weights: [0.5, 0.5] }]), /has 2 weights, expected 1/);
  });
});
