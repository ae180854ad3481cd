import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { formatShape, layerTable, traceShapes } from '../../lib/notebook/inspect';
import { BatchNorm } from '../../lib/nn/batchNorm';

/** input [4] → dense 3 (relu) → batch norm → dense 2: parameters counted by hand below. */
function smallDense(): tf.LayersModel {
  const x = tf.input({ shape: [4], name: 'x' });
  const h = tf.layers.dense({ units: 3, activation: 'relu', name: 'hidden' }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
  const z = tf.layers.dense({ units: 2, name: 'out' }).apply(b) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: z, name: 'small' });
}

describe('notebook look-inside helpers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('formats shapes with the batch axis named', () => {
    assert.equal(formatShape([null, 512]), '[batch, 512]');
    assert.equal(formatShape([[null, 3], [null, 7, 2]]), '[batch, 3], [batch, 7, 2]');
    assert.equal(formatShape([16, 128]), '[16, 128]');
    assert.equal(formatShape([null, null, 512]), '[batch, ?, 512]');
  });

  it('layerTable lists every layer with its output shape and parameter count, and the total', () => {
    const model = smallDense();
    const rows = layerTable(model);
    assert.deepEqual(rows, [
      { layer: 'x', class: 'InputLayer', inputs: '', 'output shape': '[batch, 4]', params: 0 },
      // 4·3 weights + 3 biases
      { layer: 'hidden', class: 'Dense', inputs: 'x', 'output shape': '[batch, 3]', params: 15 },
      // γ, β (trainable) and the running mean and variance (not): 4 · 3
      { layer: 'bn', class: 'BatchNormalization', inputs: 'hidden', 'output shape': '[batch, 3]', params: 12 },
      // 3·2 + 2
      { layer: 'out', class: 'Dense', inputs: 'bn', 'output shape': '[batch, 2]', params: 8 },
      { layer: 'total', class: '29 trainable', inputs: '', 'output shape': '', params: 35 },
    ]);
    model.dispose();
  });

  it('layerTable names the activation a fused batch norm applies itself', () => {
    const x = tf.input({ shape: [4], name: 'x' });
    const y = new BatchNorm({ activation: 'relu', name: 'bn_relu' }).apply(new BatchNorm({ name: 'bn' }).apply(x)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y });
    assert.deepEqual(layerTable(model).slice(1, 3).map((r) => r.class), ['AvlabBatchNorm', 'AvlabBatchNorm + relu']);
    model.dispose();
  });

  it('traceShapes pushes one batch through, lists each layer\'s shape and leaks no tensor', () => {
    const model = smallDense();
    const batch = tf.tensor2d([[1, 2, 3, 4], [0, 0, 0, 0], [-1, 1, -1, 1], [2, 2, 2, 2], [5, 0, 0, 1]]);
    const before = tf.memory().numTensors;
    const rows = traceShapes(model, batch);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.deepEqual(rows.map((r) => [r.layer, r['output shape']]), [['x', '[5, 4]'], ['hidden', '[5, 3]'], ['bn', '[5, 3]'], ['out', '[5, 2]']]);
    // The input row's statistics are the batch's own.
    const values = Array.from(batch.dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(rows[0].mean - mean) < 1e-6);
    // The last row is what the model itself predicts.
    const yMean = tf.tidy(() => (model.predict(batch) as tf.Tensor).mean().arraySync() as number);
    assert.ok(Math.abs(rows[3].mean - yMean) < 1e-5);
    const sliced = traceShapes(model, { inputs: [batch] }, { batchSize: 2 });
    assert.equal(sliced[3]['output shape'], '[2, 2]');
    assert.equal(tf.memory().numTensors, before);
    // The model still works: tracing did not dispose its weights.
    tf.dispose(model.predict(batch) as tf.Tensor);
    batch.dispose();
    model.dispose();
  });

  it('traceShapes follows a two-input model through its concatenation', () => {
    const a = tf.input({ shape: [3], name: 'audio' });
    const v = tf.input({ shape: [5], name: 'video' });
    const ha = tf.layers.dense({ units: 2, name: 'fa' }).apply(a) as tf.SymbolicTensor;
    const hv = tf.layers.dense({ units: 4, name: 'fv' }).apply(v) as tf.SymbolicTensor;
    const h = tf.layers.concatenate({ name: 'concat' }).apply([ha, hv]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, v], outputs: h });
    const xa = tf.ones([7, 3]);
    const xv = tf.ones([7, 5]);
    const before = tf.memory().numTensors;
    const rows = traceShapes(model, [xa, xv]);
    assert.equal(tf.memory().numTensors, before);
    const shapes = Object.fromEntries(rows.map((r) => [r.layer, r['output shape']]));
    assert.deepEqual(shapes, { audio: '[7, 3]', video: '[7, 5]', fa: '[7, 2]', fv: '[7, 4]', concat: '[7, 6]' });
    assert.equal(layerTable(model).find((r) => r.layer === 'concat')!.inputs, 'fa, fv');
    assert.throws(() => traceShapes(model, xa), /takes 2 input/);
    tf.dispose([xa, xv]);
    model.dispose();
  });
});
