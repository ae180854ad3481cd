/**
 * Issue #12, class 4: paths. `avlab evaluate -o` never overwrites an input; HDF5 external links
 * cannot lead a reader out of the kit's folder; a matching model folder is written as one unit and a
 * torn or crafted one is refused before anything is allocated.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCapture } from '../helpers/cli';
import { injectFault } from '../helpers/faults';
import { listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';
import { testBackend } from '../helpers/backend';
import { SCENE_CLASSES } from '../../lib/scenes/data/types';
import { loadH5wasm, readHdf5Dataset, writeHdf5 } from '../../lib/io/hdf5';
import { COLLISION_OBJECTS } from '../../lib/collisions/data/types';
import { DEFAULT_FEATURE_OPTIONS } from '../../lib/collisions/features/clipFeatures';
import { buildMatchingModel, disposeMatchingModel, loadMatchingModel, type MatchingModel, type MatchingModelConfig, saveMatchingModel } from '../../lib/collisions/models/matchingModel';
import { InputError } from '../../lib/util/errors';

function predictionCsv(file: string): void {
  const header = ['aid', 'scene_pred', 'scene_label', ...SCENE_CLASSES].join('\t');
  const rows = SCENE_CLASSES.map((c, i) => [`${c}-lyon-1-1`, c, c, ...SCENE_CLASSES.map((_, j) => (i === j ? '0.910' : '0.010'))].join('\t'));
  fs.writeFileSync(file, [header, ...rows].join('\n') + '\n');
}

function tinyConfig(seed: number): MatchingModelConfig {
  const classes = [...COLLISION_OBJECTS];
  const features = { ...DEFAULT_FEATURE_OPTIONS, specSize: [16, 16] as [number, number], trajectoryFrames: 8 };
  return {
    format: 'avlab-matching-model',
    version: 1,
    classes,
    features,
    classifier: { inputShape: [16, 16, 4], classes: classes.length, widths: [4], blocks: [1], stemStride: 2, pooling: 'global', downsample: 'both', seed },
    encoders: { embedDim: 4, audio: { inputShape: [16, 16, 4], widths: [4], blocks: [1], stemStride: 2, downsample: 'frequency' }, trajectoryFrames: 8, trajectoryHidden: [8], seed: seed + 1 },
    videoHidden: 8,
    audioStats: { mean: [0], std: [1] },
    trajectoryStats: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] },
    appearanceStats: { mean: Array(9).fill(0), std: Array(9).fill(1) },
    threshold: null,
    rejection: 'post',
  };
}

const weightsOf = (m: MatchingModel) => [m.classifier.net, m.videoClassifier, m.audioEncoder.net, m.trajectoryEncoder].flatMap((n) => n.getWeights().map((w) => Array.from(w.dataSync())));

function refuses(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

describe('reliability: paths (issue #12)', function () {
  this.timeout(120000);
  let dir: string;
  before(() => testBackend());
  beforeEach(() => {
    dir = makeTempDir('avlab-paths-');
  });
  afterEach(() => removeTempDir(dir));

  it('avlab evaluate refuses an -o equal to an input (same path, another spelling, a symlink) and leaves it intact', async () => {
    const pred = path.join(dir, 'pred.csv');
    predictionCsv(pred);
    const before = fs.readFileSync(pred, 'utf8');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync(pred, path.join(dir, 'link.csv'));
    for (const out of [pred, path.join(dir, 'sub', '..', 'pred.csv'), path.join(dir, 'link.csv')]) {
      const r = await runCapture('evaluate', pred, '-o', out);
      assert.equal(r.code === 0, false, `${out}: exit ${r.code}`);
      assert.match(r.stderr, /is the prediction file .*-o would overwrite an input/);
      assert.equal(fs.readFileSync(pred, 'utf8'), before, `${out}: the prediction file was overwritten`);
    }
    const labels = path.join(dir, 'labels.csv');
    fs.writeFileSync(labels, 'filename_audio\tscene_label\n');
    const r = await runCapture('evaluate', pred, '--labels', labels, '-o', labels);
    assert.match(r.stderr, /is the label file/);
    // A distinct output still works.
    const ok = await runCapture('evaluate', pred, '-o', path.join(dir, 'result.txt'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'result.txt'), 'utf8'), ok.stdout);
  });

  it('hdf5: an external link that leaves the kit folder is refused, naming the dataset and the link target', async () => {
    const kit = path.join(dir, 'kit');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(kit);
    fs.mkdirSync(outside);
    await writeHdf5(path.join(outside, 'secret.hdf5'), [{ key: 'data', shape: [2], data: Float32Array.from([6, 7]) }]);
    await writeHdf5(path.join(kit, 'inside.hdf5'), [{ key: 'data', shape: [2], data: Float32Array.from([1, 2]) }]);
    const lib = await loadH5wasm();
    const file = path.join(kit, 'train.hdf5');
    const f = new lib.File(file, 'w');
    f.create_external_link('../outside/secret.hdf5', '/', 'escape');
    f.create_external_link(path.join(outside, 'secret.hdf5'), '/data', 'absolute');
    f.create_external_link('inside.hdf5', '/data', 'near');
    f.close();
    await assert.rejects(readHdf5Dataset(file, 'escape/data'), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.ok(e.message.includes('[escape/data]') && e.message.includes('../outside/secret.hdf5') && /outside .*refusing to follow it/.test(e.message), e.message);
      return true;
    });
    await assert.rejects(readHdf5Dataset(file, 'absolute'), /\[absolute\].*secret\.hdf5:\/data.*refusing/);
    assert.deepEqual(Array.from((await readHdf5Dataset(file, 'near')).data), [1, 2]);
  });

  it('matching model: save writes model.json with the weights checksum; a torn pair (new weights, old config) is refused', async () => {
    const a = buildMatchingModel(tinyConfig(1));
    const b = buildMatchingModel(tinyConfig(2));
    try {
      const dirA = path.join(dir, 'a');
      const dirB = path.join(dir, 'b');
      await saveMatchingModel(dirA, a);
      await saveMatchingModel(dirB, b);
      assert.deepEqual(listFiles(dir), ['a/model.json', 'a/weights.ckpt', 'b/model.json', 'b/weights.ckpt']);
      assert.match(JSON.parse(fs.readFileSync(path.join(dirA, 'model.json'), 'utf8')).weightsSha256, /^[0-9a-f]{64}$/);
      const loaded = loadMatchingModel(dirA);
      assert.deepEqual(weightsOf(loaded), weightsOf(a));
      assert.equal('weightsSha256' in loaded.config, false);
      disposeMatchingModel(loaded);
      fs.copyFileSync(path.join(dirB, 'weights.ckpt'), path.join(dirA, 'weights.ckpt'));
      refuses(() => loadMatchingModel(dirA), 'weights.ckpt', 'does not belong to', 'torn or mixed');
    } finally {
      disposeMatchingModel(a);
      disposeMatchingModel(b);
    }
  });

  it('matching model: a save that fails midway leaves the previous model loadable (temp folder + rename), or refusable in a run folder', async () => {
    const a = buildMatchingModel(tinyConfig(1));
    const b = buildMatchingModel(tinyConfig(2));
    try {
      const m = path.join(dir, 'model');
      await saveMatchingModel(m, a);
      // The swap of the new folder into place fails: the old model is untouched and no temp folder stays.
      let restore = injectFault({ op: 'renameSync', match: '^model$', nth: 1, when: 'before', action: 'throw' });
      await assert.rejects(saveMatchingModel(m, b), /injected fault/);
      restore();
      const stillA = loadMatchingModel(m);
      assert.deepEqual(weightsOf(stillA), weightsOf(a));
      disposeMatchingModel(stillA);
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n !== 'model'), [], 'no temporary sibling left');
      // In a run folder (other files beside the model), a failure between the two files is caught on load.
      const run = path.join(dir, 'run');
      await saveMatchingModel(run, a);
      fs.writeFileSync(path.join(run, 'history.json'), '{}');
      restore = injectFault({ op: 'renameSync', match: '^model\\.json$', nth: 1, when: 'before', action: 'throw' });
      await assert.rejects(saveMatchingModel(run, b), /injected fault/);
      restore();
      refuses(() => loadMatchingModel(run), 'does not belong to');
    } finally {
      disposeMatchingModel(a);
      disposeMatchingModel(b);
    }
  });

  it('matching model: a crafted model.json is refused before anything is allocated', async () => {
    const a = buildMatchingModel(tinyConfig(1));
    const m = path.join(dir, 'model');
    try {
      await saveMatchingModel(m, a);
    } finally {
      disposeMatchingModel(a);
    }
    const good = JSON.parse(fs.readFileSync(path.join(m, 'model.json'), 'utf8'));
    const tensors = tf.memory().numTensors;
    const craft = (edit: (c: Record<string, any>) => void, ...parts: string[]) => {
      const c = JSON.parse(JSON.stringify(good));
      edit(c);
      delete c.weightsSha256;
      fs.writeFileSync(path.join(m, 'model.json'), JSON.stringify(c));
      refuses(() => loadMatchingModel(m), ...parts);
    };
    craft((c) => (c.classifier.widths = [200000]), '[classifier.widths[0]]', 'integer in [1, 4096]');
    craft((c) => (c.videoHidden = 1e9), '[videoHidden]');
    craft((c) => (c.features.specSize = [4096, 4096]), '[classifier.inputShape]');
    craft((c) => ((c.classifier.widths = [4096, 4096, 4096]), (c.classifier.blocks = [32, 32, 32])), 'describes a model of at least', 'weights.ckpt holds');
    craft((c) => (c.classes = Array(5000).fill('x')), '[classes]');
    fs.writeFileSync(path.join(m, 'model.json'), ' '.repeat(2 << 20));
    refuses(() => loadMatchingModel(m), 'a model.json is at most');
    assert.equal(tf.memory().numTensors, tensors, 'no tensor was allocated');
  });
});
