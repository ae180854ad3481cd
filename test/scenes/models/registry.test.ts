import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildSceneModel,
  countParams,
  modelView,
  registerSceneModel,
  SCENE_MODEL_KINDS,
  SceneModelEntry,
  sceneModelNames,
  unregisterSceneModel,
} from '../../../lib/scenes/models/registry';
import { loadScenes, LoadScenesOptions } from '../../../lib/scenes/data/load';
import { COURSE_TRAIN_CONFIG } from '../../../lib/training/config';
import { trainSceneVariants } from '../../../lib/scenes/experiments/sceneExperiment';
import { runSceneSweep } from '../../../lib/scenes/experiments/sceneSweep';
import { restoreSceneModel, scoreSplit } from '../../../lib/scenes/experiments/sceneRun';
import { comparisonTable } from '../../../lib/scenes/experiments/published';
import { compareMethods, summariseMethods } from '../../../lib/scenes/experiments/seedStats';
import { testBackend } from '../../helpers/backend';

describe('scene models', () => {
  before(testBackend);

  for (const kind of SCENE_MODEL_KINDS) {
    const shape = modelView(kind) === 'sequence' ? [5, 16, 512] : [5, 512];
    it(`${kind}: maps [${shape.join(', ').replace(/^5/, 'batch')}] inputs to [batch, 10] scores`, () => {
      const m = buildSceneModel(kind, { dim: 512, classes: 10, seed: 1 });
      const xs = m.inputs.map(() => tf.randomNormal(shape, 0, 1, 'float32', 1));
      const out = m.net.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
      assert.deepEqual(out.shape, [5, 10]);
      assert.ok(out.dataSync().every(Number.isFinite));
      [out, ...xs].forEach((t) => t.dispose());
      m.net.dispose();
    });
  }

  it('uses the modalities each model needs', () => {
    const inputs = (k: (typeof SCENE_MODEL_KINDS)[number]) => buildSceneModel(k, { dim: 8, classes: 3 }).inputs;
    assert.deepEqual(inputs('audio-only'), ['audio']);
    assert.deepEqual(inputs('video-only'), ['video']);
    assert.deepEqual(inputs('intermediate'), ['audio', 'video']);
    for (const k of ['hybrid', 'weighted-late', 'attention', 'attention2'] as const) assert.deepEqual(inputs(k), ['audio', 'video']);
  });

  it('says which data view each kind reads: frame sequences only for the attention models', () => {
    assert.deepEqual(
      SCENE_MODEL_KINDS.filter((k) => modelView(k) === 'sequence'),
      ['attention', 'attention2'],
    );
  });

  it('has the course architecture: parameter counts match the layer sizes', () => {
    // Linear(512,512) + BN(512: γ, β) + Linear(512,128) + Linear(128,128) + Linear(128,10)
    const embed = (inDim: number) => inDim * 512 + 512 + 2 * 512 + 512 * 128 + 128;
    const head = (inDim: number) => inDim * 128 + 128 + 128 * 10 + 10;
    assert.equal(countParams(buildSceneModel('audio-only', { dim: 512, classes: 10 })), embed(512) + head(128));
    assert.equal(countParams(buildSceneModel('early', { dim: 512, classes: 10 })), embed(1024) + head(128));
    assert.equal(countParams(buildSceneModel('intermediate', { dim: 512, classes: 10 })), 2 * embed(512) + head(256));
    assert.equal(countParams(buildSceneModel('late-average', { dim: 512, classes: 10 })), 2 * (embed(512) + head(128)));
    assert.equal(countParams(buildSceneModel('late-linear', { dim: 512, classes: 10 })), 2 * (embed(512) + head(128)) + 20 * 10 + 10);
  });

  it('late-average outputs the log of the averaged class probabilities', () => {
    const m = buildSceneModel('late-average', { dim: 8, classes: 4, seed: 2, hidden: 6, embed: 5 });
    const a = tf.randomNormal([3, 8], 0, 1, 'float32', 3);
    const v = tf.randomNormal([3, 8], 0, 1, 'float32', 4);
    const out = m.net.apply([a, v], { training: false }) as tf.Tensor;
    // Rebuild both branches' logits from the sub-graph outputs feeding the averaging layer.
    const avg = m.net.getLayer('late-average/average');
    const branches = tf.model({ inputs: m.net.inputs, outputs: (avg.input as tf.SymbolicTensor[]) });
    const [za, zv] = branches.apply([a, v]) as tf.Tensor[];
    const expected = tf.log(tf.div(tf.add(tf.softmax(za), tf.softmax(zv)), 2));
    const diff = tf.max(tf.abs(tf.sub(out, expected))).dataSync()[0];
    assert.ok(diff < 1e-5, `max difference ${diff}`);
    // Probabilities sum to one.
    tf.exp(out).sum(1).dataSync().forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
  });

  it('is reproducible: the same seed gives the same initial weights', () => {
    const w = (seed: number) => buildSceneModel('intermediate', { dim: 8, classes: 3, seed }).net.getWeights().map((t) => Array.from(t.dataSync()));
    assert.deepEqual(w(5), w(5));
    assert.notDeepEqual(w(5), w(6));
  });

  it('initialises linear layers like PyTorch: U(-1/√fan_in, 1/√fan_in)', () => {
    const m = buildSceneModel('audio-only', { dim: 400, classes: 10, seed: 1 });
    const kernel = Array.from(m.net.weights.find((w) => w.shape[0] === 400)!.read().dataSync());
    const bound = 1 / Math.sqrt(400);
    assert.ok(kernel.every((x) => Math.abs(x) <= bound));
    assert.ok(kernel.reduce((m, x) => Math.max(m, Math.abs(x)), 0) > 0.95 * bound);
  });

  it('rejects an unknown model kind', () => {
    assert.throws(() => buildSceneModel('mid' as never, { dim: 8, classes: 3 }), /unknown scene model kind "mid"/);
  });
});

describe('the scene model registry: a new variant is one entry', function () {
  this.timeout(120000);
  before(testBackend);
  after(() => unregisterSceneModel('test-gated'));

  /** z = g·z_a + (1 − g)·z_v with g = σ(s) learned: a custom layer needs build and call, nothing else. */
  class Gate extends tf.layers.Layer {
    static readonly className = 'TestGate';
    private s: tf.LayerVariable | null = null;
    override build(): void {
      this.s = this.addWeight('s', [1], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.tidy(() => {
        const [za, zv] = inputs as tf.Tensor[];
        const g = tf.sigmoid(this.s!.read());
        return tf.add(tf.mul(g, za), tf.mul(tf.sub(1, g), zv));
      });
    }
    override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
      return (shape as tf.Shape[])[0];
    }
    gate(): number {
      return tf.tidy(() => tf.sigmoid(this.s!.read()).dataSync()[0]);
    }
  }

  // The whole addition: one entry.
  const entry: SceneModelEntry = {
    name: 'test-gated',
    about: 'a learned gate between the two classifiers\' logits',
    view: 'clip',
    inputs: ['audio', 'video'],
    build: (f, [xa, xv], o, kind) => {
      const head = (x: tf.SymbolicTensor) => f.head(f.embedding(x, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);
      return new Gate({ name: `${kind}/fusion` }).apply([head(xa), head(xv)]) as tf.SymbolicTensor;
    },
    fusionWeights: (net) => {
      const g = (net.getLayer(`${net.name}/fusion`) as Gate).gate();
      return { audio: [g], video: [1 - g] };
    },
    published: [{ reportedAs: 'Gated (made up)', source: 'test', accuracy: 0.5, logLoss: 1 }],
    groups: ['test-study'],
  };

  it('registers, then builds, trains, sweeps, compares and restores through the shared functions', async () => {
    registerSceneModel(entry);
    assert.deepEqual(sceneModelNames('test-study'), ['test-gated']);
    assert.throws(() => registerSceneModel(entry), /already registered/);

    const dataOptions: LoadScenesOptions = { profile: 'quick', sim: { seed: 3, dim: 12, frames: 1, clipsPerClass: { train: 6, val: 3, test: 3 } } };
    const data = await loadScenes(dataOptions);
    const train = { ...COURSE_TRAIN_CONFIG, lr: 3e-3, batchSize: 32, maxEpochs: 2 };
    const model = { hidden: 8, embed: 4 };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-registry-'));

    // Single runs, as notebooks 01–04 do.
    const [run] = await trainSceneVariants({ variants: sceneModelNames('test-study'), data, config: { train, model, raw: {} }, profile: 'quick', runDir: (key) => path.join(root, key), log: () => {} });
    assert.equal(run.name, 'test-gated');
    assert.equal(run.fusionHistory!.length, 2);
    assert.deepEqual(Object.keys(run.fusionHistory![0].weights), ['audio', 'video']);
    assert.match(path.basename(run.runDir!), /^test-gated-[0-9a-f]{12}$/);
    const table = comparisonTable([run], 'this run').objects() as Record<string, unknown>[];
    assert.deepEqual(table.map((r) => r['reported as']), ['', 'Gated (made up)']);

    // A sweep, as notebook 05 does, into the same directories: seed 0 is the run above, reused.
    const sweep = await runSceneSweep({ variants: ['test-gated', 'audio-only'], seeds: [0, 1], dataOptions, data, config: train, model, workers: 1, runDir: (key) => path.join(root, key), log: () => {} });
    assert.equal(sweep[0].runDir, run.runDir);
    assert.equal(sweep[0].result.train.reused, true);
    assert.equal(sweep[0].result.accuracy, run.accuracy);
    sweep[0].result.probs.forEach((p, i) => assert.ok(Math.abs(p - run.probs[i]) < 1e-5));
    const summary = summariseMethods(sweep, { resamples: 100 });
    assert.deepEqual(summary.map((s) => [s.method, s.seeds]), [['test-gated', 2], ['audio-only', 2]]);
    assert.equal(compareMethods(sweep, { resamples: 100 }).length, 1);

    // Restored from its directory alone.
    const restored = restoreSceneModel(run.runDir!);
    assert.equal((await scoreSplit(restored, data.test)).accuracy, run.accuracy);
    restored.net.dispose();
  });
});
