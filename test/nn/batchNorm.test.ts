import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { nativeBatchNormActive } from '../../lib/backend/nativeBatchNorm';
import { BatchNorm, BatchNormActivation, batchNormTraining } from '../../lib/nn/batchNorm';
import { LayerFactory } from '../../lib/nn/layers';
import { Rng } from '../../lib/util/rng';
import { randn } from '../helpers/compare';
import { batchNormLayerRun, batchNormLayerStep, batchNormStep, LAYER_STEP_NAMES, StepLoss } from '../helpers/batchNormCases';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** `batchNormStep` (squared y, ε = 1e-5) read back. */
function trainingStep(shape: number[], seed: number): Float32Array[] {
  return tf.tidy(() => batchNormStep(shape, seed, { squareY: true }).map((t) => t.dataSync() as Float32Array));
}

/** `batchNormLayerRun` read back. */
function layerRun(seed: number, opts: { activation?: BatchNormActivation; tfjs?: boolean } = {}): Float32Array[] {
  return tf.tidy(() => batchNormLayerRun(seed, [6, 5, 4], opts).map((t) => t.dataSync() as Float32Array));
}

/** `batchNormLayerStep` read back. */
function layerStep(shape: number[], seed: number, activation: BatchNormActivation, loss: StepLoss): Float32Array[] {
  return tf.tidy(() => batchNormLayerStep(shape, seed, activation, loss).map((t) => t.dataSync() as Float32Array));
}

const LAYER_RUN_NAMES = ['training output', 'dx', 'moving mean', 'moving variance', 'inference output'];

describe('batch norm', function () {
  this.timeout(60000);
  after(() => initBackend('cpu', { quiet: true }));

  it('normalises over every axis but the last with the biased variance (hand-computed case)', async () => {
    await initBackend('cpu', { quiet: true });
    const [y, mean, variance] = tf.tidy(() => batchNormTraining(tf.tensor2d([1, 10, 3, 20, 5, 30], [3, 2]), tf.tensor1d([2, 1]), tf.tensor1d([0, 1]), 0)).map((t) => Array.from(t.dataSync()));
    assert.deepEqual(mean, [3, 20]);
    assert.ok(maxDiff(variance, [8 / 3, 200 / 3]) < 1e-4);
    const s = Math.sqrt(3 / 8);
    assert.ok(maxDiff(y, [-4 * s, 1 - Math.sqrt(1.5), 0, 1, 4 * s, 1 + Math.sqrt(1.5)]) < 1e-5, `${y}`);
  });

  for (const activation of ['linear', 'relu'] as const) {
    it(`the layer (activation ${activation}) is tfjs's BatchNormalization${activation === 'relu' ? ' then tf.relu' : ''}: same weights, training output and gradient, moving statistics and inference`, async () => {
      await initBackend('cpu', { quiet: true });
      const ours = layerRun(1, { activation });
      const theirs = layerRun(1, { activation, tfjs: true });
      ours.forEach((v, i) => assert.ok(maxDiff(v, theirs[i]) < 1e-5, LAYER_RUN_NAMES[i]));
      if (activation === 'relu') assert.ok(ours[0].some((v) => v === 0) && ours[4].some((v) => v === 0), 'the ReLU clips');
    });
  }

  it('the activation is part of the configuration: getConfig, fromConfig and a model\'s JSON round-trip', async () => {
    await initBackend('cpu', { quiet: true });
    const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.9, activation: 'relu', name: 'bn_relu' });
    assert.equal(new BatchNorm({}).getConfig().activation, 'linear');
    const config = layer.getConfig();
    assert.equal(config.activation, 'relu');
    const copy = BatchNorm.fromConfig(BatchNorm as never, config) as BatchNorm;
    assert.ok(copy instanceof BatchNorm);
    assert.equal(copy.activation, 'relu');
    const fields = (c: tf.serialization.ConfigDict) => ['name', 'axis', 'epsilon', 'momentum', 'center', 'scale', 'activation'].map((k) => c[k]);
    assert.deepEqual(fields(copy.getConfig()), fields(config));
    assert.throws(() => new BatchNorm({ activation: 'tanh' as never }), /activation/);

    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    const loaded = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    const bn = loaded.layers[1] as BatchNorm;
    assert.ok(bn instanceof BatchNorm);
    assert.equal(bn.getClassName(), 'AvlabBatchNorm');
    assert.equal(bn.activation, 'relu');
    loaded.setWeights(model.getWeights());
    const x = tf.tensor2d([[-3, 0.5, 2], [1, -1, 4]]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    assert.deepEqual(await b.data(), await a.data());
    assert.ok((await a.data()).some((v) => v === 0), 'the ReLU clips');
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('LayerFactory.batchNormRelu is batchNorm() then relu(): same weights, names and later layer names', async () => {
    await initBackend('cpu', { quiet: true });
    const build = (fused: boolean) => {
      const f = new LayerFactory(7, 'p_');
      const input = tf.input({ shape: [5] });
      const layers = fused ? [f.linear(4, 5), f.batchNormRelu(), f.linear(3, 4)] : [f.linear(4, 5), f.batchNorm(), f.relu(), f.linear(3, 4)];
      return tf.model({ inputs: input, outputs: f.chain(input, layers) });
    };
    const [fused, separate] = [build(true), build(false)];
    // originalName: the name before tfjs makes it unique in the process (the second model's get _1).
    const weights = (m: tf.LayersModel) => m.weights.map((w) => [w.originalName, w.shape]);
    assert.deepEqual(weights(fused), weights(separate));
    const names = (m: tf.LayersModel) => m.layers.slice(1).map((l) => l.name); // after the input layer
    assert.deepEqual(names(fused), names(separate).filter((n) => n !== 'p_relu_3'));
    const x = randn(new Rng(3), [8, 5]);
    const values = (m: tf.LayersModel) => tf.tidy(() => {
      const y = m.apply(x, { training: true }) as tf.Tensor;
      return [y, ...m.getWeights()].map((t) => Array.from(t.dataSync()));
    });
    assert.deepEqual(values(fused), values(separate));
    x.dispose();
    fused.dispose();
    separate.dispose();
  });

  it('the native wasm kernel equals tfjs on cpu: outputs, gradients (also through μ and σ²) and the layer, without leaks', async function () {
    if (!nativeBlas()) this.skip(); // the addon is not built on this machine
    const shapes = [[7, 3], [2, 5, 5, 4], [32, 16, 16, 8], [1, 6]];
    await initBackend('cpu', { quiet: true });
    const expected = shapes.map((s, i) => trainingStep(s, i));
    const expectedLayer = layerRun(2);
    await initBackend('wasm', { quiet: true });
    assert.ok(nativeBatchNormActive());
    const before = tf.memory().numTensors;
    const got = shapes.map((s, i) => trainingStep(s, i));
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    const gotLayer = layerRun(2);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
    shapes.forEach((s, i) => names.forEach((name, k) => {
      const scale = Math.max(1, ...Array.from(expected[i][k], Math.abs));
      const d = maxDiff(got[i][k], expected[i][k]);
      assert.ok(d < 5e-5 * scale, `${name} of shape ${s}: ${d} (scale ${scale})`);
    }));
    gotLayer.forEach((v, i) => assert.ok(maxDiff(v, expectedLayer[i]) < 1e-4, `layer output ${i}`));
  });

  it('on wasm the layer with ReLU (native kernel, then tfjs\'s moving statistics and tf.relu) equals tfjs on cpu, without leaks', async function () {
    if (!nativeBlas()) this.skip();
    const shapes = [[7, 3], [2, 5, 5, 4], [16, 8, 8, 6], [1, 6]];
    const losses: StepLoss[] = ['y', 'all'];
    await initBackend('cpu', { quiet: true });
    const expected = shapes.flatMap((s, i) => losses.map((loss) => layerStep(s, i, 'relu', loss)));
    const expectedLayer = layerRun(2, { activation: 'relu', tfjs: true });
    await initBackend('wasm', { quiet: true });
    assert.ok(nativeBatchNormActive());
    const before = tf.memory().numTensors;
    const got = shapes.flatMap((s, i) => losses.map((loss) => layerStep(s, i, 'relu', loss)));
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    const gotLayer = layerRun(2, { activation: 'relu' });
    got.forEach((outs, c) => outs.forEach((v, k) => {
      const scale = Math.max(1, ...Array.from(expected[c][k], Math.abs));
      const d = maxDiff(v, expected[c][k]);
      assert.ok(d < 5e-5 * scale, `${LAYER_STEP_NAMES[k]} of shape ${shapes[Math.floor(c / 2)]}, loss ${losses[c % 2]}: ${d} (scale ${scale})`);
    }));
    gotLayer.forEach((v, i) => assert.ok(maxDiff(v, expectedLayer[i]) < 1e-4, LAYER_RUN_NAMES[i]));
  });
});
