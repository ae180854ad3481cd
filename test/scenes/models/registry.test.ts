import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildSceneModel, countParams, modelView, SCENE_MODEL_KINDS } from '../../../lib/scenes/models/registry';
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
