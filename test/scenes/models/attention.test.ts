import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SceneDataset } from '../../../lib/scenes/data/types';
import { additiveAttention, attentionWeights, childSum, ChildSumParams, lstmStep } from '../../../lib/scenes/models/attention';
import { buildSceneModel, modelView, SceneModelOptions } from '../../../lib/scenes/models/registry';
import { testBackend } from '../../helpers/backend';
import { checkFiniteDifferences, forward, lossGradients, randomInputs, tinyScenes, trainTiny, variableNamed, weightValues } from './helpers';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const tiny: Partial<SceneModelOptions> & { dim: number; classes: number } = { dim: 6, classes: 3, seed: 4, lstmUnits: 4, projection: 5, attentionUnits: 3, dropout: 0 };

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) < tol, `[${i}]: ${actual[i]} vs ${expected[i]} (all: ${Array.from(actual)} vs ${Array.from(expected)})`);
  }
}

describe('attention models', () => {
  let data: SceneDataset;
  before(async () => {
    await testBackend();
    data = tinyScenes();
  });

  it('read frame sequences', () => {
    assert.equal(modelView('attention'), 'sequence');
    assert.equal(modelView('attention2'), 'sequence');
    assert.equal(modelView('hybrid'), 'clip');
    assert.deepEqual(buildSceneModel('attention2', tiny).inputs, ['audio', 'video']);
  });

  for (const kind of ['attention', 'attention2'] as const) {
    it(`${kind}: maps [batch, T, dim] inputs to [batch, classes] logits for any T ≥ 2`, () => {
      const m = buildSceneModel(kind, { ...tiny, classes: 10 });
      for (const frames of [2, 4, 7]) {
        const out = forward(m, randomInputs(m, 5, 6, frames, frames));
        assert.deepEqual(out.shape, [5, 10]);
        assert.ok(out.dataSync().every(Number.isFinite));
      }
    });
  }

  it('attention has the documented layers: parameter count from the sizes', () => {
    // D = 6, P = 5, H = 4, A = 3, C = 3; decoder 2H units reading an H-d context.
    const [D, P, H, A, C] = [6, 5, 4, 3, 3];
    const lstm = (inDim: number, units: number) => 4 * units * (inDim + units + 1);
    const encoders = 2 * (D * P + P + lstm(P, H));
    const attention = H * A + 2 * H * A + A;
    const decoder = lstm(H, 2 * H) + 2 * H * C + C;
    const m = buildSceneModel('attention', tiny);
    assert.equal(m.net.countParams(), encoders + attention + decoder);
    // attention2: Child-Sum (x = 2H), three attentions queried by H, decoder H units reading 3H.
    const childSum = 2 * H * 4 * H + H * 4 * H + 4 * H;
    const attention2 = encoders + childSum + 3 * (H * A + H * A + A) + lstm(3 * H, H) + H * C + C;
    assert.equal(buildSceneModel('attention2', tiny).net.countParams(), attention2);
  });

  it('additive attention matches a hand-computed case', () => {
    // h_1 = (1, 0), h_2 = (0, 1), h_3 = (1, 1); W = (1, −1)ᵀ → W h = (1, −1, 0); s = 0.5, U = 2 → U s = 1;
    // e_t = 3 tanh(W h_t + U s) = 3 tanh(2, 0, 1).
    const seq = tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]);
    const query = tf.tensor2d([[0.5]]);
    const { context, weights } = additiveAttention({ W: tf.tensor2d([[1], [-1]]), U: tf.tensor2d([[2]]), v: tf.tensor1d([3]) }, seq, query);
    const e = [3 * Math.tanh(2), 0, 3 * Math.tanh(1)];
    const z = e.reduce((s, x) => s + Math.exp(x), 0);
    const alpha = e.map((x) => Math.exp(x) / z);
    close(weights.dataSync(), alpha, 1e-6);
    close(context.dataSync(), [alpha[0] + alpha[2], alpha[1] + alpha[2]], 1e-6);
  });

  it('Child-Sum matches a hand-computed case (H = 1, one input, two children)', () => {
    // Gate blocks i, f, o, u: W = [0.5, −0.5, 1, 2], U = [1, 2, −1, 0.5], b = [0, 0.1, 0.2, −0.3];
    // x = 1; children (h, c) = (0.5, 1) and (−1, 2), so h̃ = −0.5.
    const p: ChildSumParams = { W: tf.tensor2d([[0.5, -0.5, 1, 2]]), U: tf.tensor2d([[1, 2, -1, 0.5]]), b: tf.tensor1d([0, 0.1, 0.2, -0.3]) };
    const out = childSum(p, tf.tensor2d([[1]]), [
      { h: tf.tensor2d([[0.5]]), c: tf.tensor2d([[1]]) },
      { h: tf.tensor2d([[-1]]), c: tf.tensor2d([[2]]) },
    ]);
    const i = sigmoid(0.5 + 1 * -0.5 + 0); // = ½
    const f1 = sigmoid(-0.5 + 2 * 0.5 + 0.1); // σ(0.6): each child's own h
    const f2 = sigmoid(-0.5 + 2 * -1 + 0.1); // σ(−2.4)
    const o = sigmoid(1 + -1 * -0.5 + 0.2); // σ(1.7)
    const u = Math.tanh(2 + 0.5 * -0.5 - 0.3); // tanh(1.45)
    assert.equal(i, 0.5);
    const c = i * u + f1 * 1 + f2 * 2;
    close(out.c.dataSync(), [c], 1e-6);
    close(out.h.dataSync(), [o * Math.tanh(c)], 1e-6);
  });

  it('Child-Sum multiplies row vectors from the left (H = 2, asymmetric U) and works without an input', () => {
    // Only U_u is nonzero and all biases are 0, so i = o = σ(0) = ½ and f_k = ½ for every child:
    // u = tanh(h̃ U_u) with h̃ = (1, 0) + (0, 1) = (1, 1) and U_u = [[1, 2], [0, 0]] → u = tanh(1, 2).
    const zeros = [0, 0, 0, 0, 0, 0];
    const U = tf.tensor2d([
      [...zeros, 1, 2],
      [...zeros, 0, 0],
    ]);
    const b = tf.zeros([8]) as tf.Tensor1D;
    const children = [
      { h: tf.tensor2d([[1, 0]]), c: tf.tensor2d([[1, -1]]) },
      { h: tf.tensor2d([[0, 1]]), c: tf.tensor2d([[2, 4]]) },
    ];
    const out = childSum({ U, b }, null, children);
    const c = [0.5 * Math.tanh(1) + 0.5 * 1 + 0.5 * 2, 0.5 * Math.tanh(2) + 0.5 * -1 + 0.5 * 4];
    close(out.c.dataSync(), c, 1e-6);
    close(out.h.dataSync(), c.map((v) => 0.5 * Math.tanh(v)), 1e-6);
    // A zero input through W equals no input.
    const withX = childSum({ W: tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]]), U, b }, tf.zeros([1, 1]) as tf.Tensor2D, children);
    close(withX.h.dataSync(), out.h.dataSync(), 1e-7);
    assert.throws(() => childSum({ U, b }, tf.zeros([1, 1]) as tf.Tensor2D, children), /exactly when/);
  });

  it('the decoder step equals one step of tfjs\'s LSTM with the same weights', () => {
    const [X, H] = [3, 2];
    const W = tf.randomUniform([X, 4 * H], -0.5, 0.5, 'float32', 1) as tf.Tensor2D;
    const U = tf.randomUniform([H, 4 * H], -0.5, 0.5, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomUniform([4 * H], -0.5, 0.5, 'float32', 3) as tf.Tensor1D;
    const x = tf.randomNormal([2, X], 0, 1, 'float32', 4) as tf.Tensor2D;
    const h = tf.randomNormal([2, H], 0, 1, 'float32', 5) as tf.Tensor2D;
    const c = tf.randomNormal([2, H], 0, 1, 'float32', 6) as tf.Tensor2D;
    const lstm = tf.layers.lstm({ units: H, returnState: true, recurrentActivation: 'sigmoid' });
    const [, h1, c1] = lstm.apply(tf.expandDims(x, 1), { initialState: [h, c] }) as tf.Tensor[];
    lstm.setWeights([W, U, b]);
    const [, h2, c2] = lstm.apply(tf.expandDims(x, 1), { initialState: [h, c] }) as tf.Tensor[];
    assert.notDeepEqual(Array.from(h1.dataSync()), Array.from(h2.dataSync()), 'weights were not set');
    const ours = lstmStep({ W, U, b }, x, { h, c });
    close(ours.h.dataSync(), h2.dataSync(), 1e-6);
    close(ours.c.dataSync(), c2.dataSync(), 1e-6);
  });

  it('the encoders are PyTorch-style LSTMs (logistic gates): their first step equals lstmStep from a zero state', () => {
    const m = buildSceneModel('attention', tiny);
    const xs = randomInputs(m, 2, 6, 3, 7);
    const encoder = m.net.getLayer('attention/audio-encoder');
    const sub = tf.model({ inputs: m.net.inputs, outputs: [encoder.input as tf.SymbolicTensor, (encoder.output as tf.SymbolicTensor[])[0]] });
    const [projected, seq] = sub.apply(xs) as tf.Tensor3D[];
    const [W, U, b] = encoder.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const zero = tf.zeros([2, 4]) as tf.Tensor2D;
    const first = lstmStep({ W, U, b }, tf.squeeze(tf.slice(projected, [0, 0, 0], [2, 1, 5]), [1]) as tf.Tensor2D, { h: zero, c: zero });
    close(tf.squeeze(tf.slice(seq, [0, 0, 0], [2, 1, 4]), [1]).dataSync(), first.h.dataSync(), 1e-6);
    const bound = 1 / Math.sqrt(4);
    assert.ok([W, U, b].every((t) => t.dataSync().every((w) => Math.abs(w) <= bound)), 'weights ~ U(±1/√H)');
  });

  it('exposes attention weights: non-negative, summing to 1 over time, one row per clip', () => {
    const [N, T] = [5, 4];
    const a = buildSceneModel('attention', tiny);
    const wa = attentionWeights(a, randomInputs(a, N, 6, T, 1));
    assert.deepEqual(Object.keys(wa), ['multimodal']);
    assert.deepEqual(wa.multimodal.shape, [N, 2 * T]);
    const a2 = buildSceneModel('attention2', tiny);
    const w2 = attentionWeights(a2, randomInputs(a2, N, 6, T, 2));
    assert.deepEqual(Object.keys(w2).sort(), ['audio', 'multimodal', 'video']);
    assert.deepEqual(w2.audio.shape, [N, T]);
    assert.deepEqual(w2.video.shape, [N, T]);
    assert.deepEqual(w2.multimodal.shape, [N, 2 * T]);
    for (const w of [wa.multimodal, w2.audio, w2.video, w2.multimodal]) {
      assert.ok(w.dataSync().every((x) => x >= 0));
      close(w.sum(1).dataSync(), Array(N).fill(1), 1e-5);
      // Weights that are not all equal: the scores depend on the positions.
      assert.ok(tf.max(w).dataSync()[0] - tf.min(w).dataSync()[0] > 1e-6);
    }
    assert.throws(() => attentionWeights(buildSceneModel('hybrid', { dim: 6, classes: 3 }), []), /has no attention layers/);
  });

  it('the exposed weights are the ones the model computes from its own encoder outputs and state', () => {
    const m = buildSceneModel('attention', tiny);
    const xs = randomInputs(m, 3, 6, 4, 3);
    const layer = m.net.getLayer('attention/multimodal-attention');
    const sub = tf.model({ inputs: m.net.inputs, outputs: [...(layer.input as tf.SymbolicTensor[])] });
    const [seq, query] = sub.apply(xs) as tf.Tensor[];
    const [W, U, v] = layer.getWeights();
    const expected = additiveAttention({ W: W as tf.Tensor2D, U: U as tf.Tensor2D, v: v as tf.Tensor1D }, seq as tf.Tensor3D, query as tf.Tensor2D).weights;
    close(attentionWeights(m, xs).multimodal.dataSync(), expected.dataSync(), 1e-6);
  });

  for (const kind of ['attention', 'attention2'] as const) {
    it(`${kind}: every gradient is finite and the attention, Child-Sum and decoder parameters get nonzero ones`, () => {
      const m = buildSceneModel(kind, tiny);
      const xs = randomInputs(m, 6, 6, 4, 4);
      const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
      const { grads } = lossGradients(m, xs, y);
      for (const [name, g] of Object.entries(grads)) {
        assert.ok(g.every(Number.isFinite), `non-finite gradient for ${name}`);
        assert.ok(g.some((x) => x !== 0), `zero gradient for ${name}`);
      }
      const names = Object.keys(grads).join(' ');
      for (const part of ['multimodal-attention/W', 'multimodal-attention/U', 'multimodal-attention/v', 'decoder/W', 'audio-encoder', 'video-encoder']) {
        assert.ok(names.includes(`${kind}/${part}`), `no variable ${kind}/${part} in ${names}`);
      }
      if (kind === 'attention2') {
        for (const part of ['audio-attention/v', 'video-attention/v', 'child-sum/W', 'child-sum/U', 'child-sum/b']) assert.ok(names.includes(`attention2/${part}`), part);
      }
    });
  }

  it('attention2: gradients of the attention and Child-Sum parameters match central differences', () => {
    const m = buildSceneModel('attention2', tiny);
    const xs = randomInputs(m, 6, 6, 3, 5);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    for (const part of ['attention2/audio-attention/v', 'attention2/multimodal-attention/U', 'attention2/child-sum/U', 'attention2/child-sum/W', 'attention2/decoder/b']) {
      const v = variableNamed(m, part);
      checkFiniteDifferences(m, xs, y, v, [0, 1, v.size - 1]);
    }
  });

  it('is deterministic: the same seed gives the same weights and outputs', () => {
    for (const kind of ['attention', 'attention2'] as const) {
      const [a, b, c] = [3, 3, 4].map((seed) => buildSceneModel(kind, { ...tiny, seed }));
      assert.deepEqual(weightValues(a), weightValues(b));
      assert.notDeepEqual(weightValues(a), weightValues(c));
      const xs = randomInputs(a, 3, 6, 4, 6);
      assert.deepEqual(Array.from(forward(a, xs).dataSync()), Array.from(forward(b, xs).dataSync()));
    }
  });

  describe('training through trainModel', function () {
    this.timeout(120000);
    const options: Partial<SceneModelOptions> = { lstmUnits: 16, projection: 16, dropout: 0.1 };

    it('attention: trains on frame sequences, leaks no tensors between epochs, and its train loss decreases', async () => {
      const m = buildSceneModel('attention', { dim: 32, classes: 10, seed: 1, ...options });
      const run = await trainTiny(m, data, { maxEpochs: 5, lr: 1e-2 });
      assert.equal(run.tensors[2], run.tensors[1], `tensors after each epoch: ${run.tensors.join(', ')}`);
      assert.equal(run.tensors[4], run.tensors[1], `tensors after each epoch: ${run.tensors.join(', ')}`);
      const losses = run.history.map((h) => h.trainLoss);
      assert.ok(losses[4] < 0.8 * losses[0], `train losses ${losses.join(', ')}`);
      m.net.dispose();
    });

    it('attention2: trains on frame sequences and leaks no tensors between epochs', async () => {
      const m = buildSceneModel('attention2', { dim: 32, classes: 10, seed: 1, ...options });
      const run = await trainTiny(m, data, { maxEpochs: 3, lr: 1e-2 });
      assert.equal(run.tensors[2], run.tensors[1], `tensors after each epoch: ${run.tensors.join(', ')}`);
      assert.ok(run.history.every((h) => Number.isFinite(h.trainLoss) && Number.isFinite(h.valLoss)));
      assert.ok(run.history[2].trainLoss < run.history[0].trainLoss, `train losses ${run.history.map((h) => h.trainLoss).join(', ')}`);
      m.net.dispose();
    });

    it('is deterministic through training: the same seed gives the same losses', async () => {
      const losses = async () => {
        const m = buildSceneModel('attention2', { dim: 32, classes: 10, seed: 1, ...options });
        const run = await trainTiny(m, data, { maxEpochs: 2 });
        m.net.dispose();
        return run.history.map((h) => [h.trainLoss, h.valLoss]);
      };
      assert.deepEqual(await losses(), await losses());
    });
  });
});
