import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildAvtsModel, DEFAULT_AVTS_MODEL, disposeAvtsModel, buildEncoderClassifier, buildLinearHead } from '../../lib/avts/models/encoders';
import { conv3dFrames, conv3dKernelPath } from '../../lib/nn/conv3d';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

describe('avts encoders', () => {
  before(testBackend);

  it('conv3dFrames equals tf.conv3d, values and gradients, for every stride and padding used', () => {
    const rng = new Rng(1);
    // [x, kernel, strides, padding]: the encoder's blocks first, then the other paths of the temporal
    // im2col (taps that skip frames, frames read once, kernels longer in time, odd spatial padding).
    // tfjs's conv3d does not clamp a negative 'same' padding to zero (TensorFlow does), so the
    // 'same' cases keep (D_out − 1)·s + k ≥ size on every axis.
    for (const [xs, ks, st, pad] of [
      [[2, 8, 6, 6, 3], [3, 3, 3, 3, 4], [1, 2, 2], 'same'],
      [[2, 8, 6, 6, 4], [3, 3, 3, 4, 5], [2, 2, 2], 'same'],
      [[1, 7, 5, 5, 2], [3, 3, 3, 2, 3], [2, 1, 1], 'valid'],
      [[2, 4, 6, 6, 3], [1, 3, 3, 3, 2], [1, 2, 2], 'same'],
      [[2, 7, 5, 6, 2], [1, 3, 3, 2, 3], [2, 1, 2], 'same'],
      [[1, 8, 6, 5, 2], [1, 1, 3, 2, 2], [3, 1, 1], 'valid'],
      [[2, 9, 7, 6, 3], [3, 3, 2, 3, 2], [3, 2, 2], 'valid'],
      [[1, 9, 6, 7, 2], [2, 3, 3, 2, 3], [3, 2, 3], 'valid'],
      [[2, 6, 5, 5, 2], [5, 3, 3, 2, 2], [2, 1, 1], 'same'],
      [[1, 3, 4, 4, 2], [3, 1, 1, 2, 3], [1, 1, 1], 'same'],
      [[1, 5, 4, 4, 2], [5, 2, 2, 2, 2], [1, 1, 1], 'valid'],
    ] as [[number, number, number, number, number], [number, number, number, number, number], [number, number, number], 'same' | 'valid'][]) {
      const what = `x ${xs}, kernel ${ks}, strides ${st}, ${pad}`;
      const x = tf.tensor(rng.fillNormal(new Float32Array(xs.reduce((a, b) => a * b))), xs) as tf.Tensor5D;
      const k = tf.tensor(rng.fillNormal(new Float32Array(ks.reduce((a, b) => a * b))), ks) as tf.Tensor5D;
      const a = tf.conv3d(x, k, st, pad);
      const loss = (f: typeof conv3dFrames) => (xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.square(f(xx as tf.Tensor5D, kk as tf.Tensor5D, st, pad)));
      const ga = tf.grads(loss((xx, kk, s, p) => tf.conv3d(xx, kk, s!, p!)))([x, k]);
      for (const gather of ['pixel', 'frame'] as const) {
        const b = conv3dFrames(x, k, st, pad, gather);
        assert.deepEqual(b.shape, a.shape, `${what}, ${gather}`);
        assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-4, `${what}, ${gather}`);
        const gb = tf.grads(loss((xx, kk, s, p) => conv3dFrames(xx, kk, s, p, gather)))([x, k]);
        ga.forEach((g, i) => assert.ok(tf.max(tf.abs(tf.sub(g, gb[i]))).dataSync()[0] < 1e-3 * Math.max(1, tf.max(tf.abs(g)).dataSync()[0]), `${what}, ${gather}: gradient ${i}`));
        tf.dispose([b, ...gb]);
      }
      tf.dispose([x, k, a, ...ga]);
    }
    assert.equal(conv3dKernelPath().path, 'generic'); // tests run on cpu: tfjs's own conv3d is a JS loop
  });

  it('conv3dFrames keeps no tensors but its cached gather indices', () => {
    const x = tf.ones([2, 6, 4, 4, 2]) as tf.Tensor5D;
    const k = tf.ones([3, 3, 3, 2, 3]) as tf.Tensor5D;
    const step = () => {
      for (const gather of ['pixel', 'frame'] as const) {
        const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv3dFrames(a as tf.Tensor5D, b as tf.Tensor5D, [2, 1, 1], 'same', gather)))([x, k]);
        tf.dispose([dx, dk]);
      }
    };
    step(); // the first call caches its index tensors (and the row of ones the gradient sums with)
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, k]);
  });

  it('give embeddings and features of the configured sizes, and the sync head two logits', () => {
    const m = buildAvtsModel({ ...DEFAULT_AVTS_MODEL, videoShape: [10, 16, 16, 3], audioShape: [40, 32, 4], seed: 3 });
    const v = tf.zeros([2, 10, 16, 16, 3]);
    const a = tf.zeros([3, 40, 32, 4]);
    const outs = [m.video.net.predict(v), m.video.trunk.predict(v), m.audio.net.predict(a), m.audio.trunk.predict(a), m.head.predict(tf.zeros([5, 64]))] as tf.Tensor[];
    assert.deepEqual(outs.map((t) => t.shape), [[2, 32], [2, 32], [3, 32], [3, 32], [5, 2]]);
    // MC: the first two video blocks are 3-D (temporal kernel 3), the last one 2-D per frame.
    const convs = m.video.net.layers.filter((l) => l.name.startsWith('video_conv'));
    assert.deepEqual(convs.map((l) => l.name), ['video_conv3d_1', 'video_conv3d_2', 'video_conv2d_3']);
    assert.deepEqual(convs.map((l) => (l.getWeights()[0].shape as number[])[0]), [3, 3, 1]);
    // Seeded: the same seed gives the same weights.
    const m2 = buildAvtsModel({ ...DEFAULT_AVTS_MODEL, videoShape: [10, 16, 16, 3], audioShape: [40, 32, 4], seed: 3 });
    assert.deepEqual(m2.video.net.getWeights()[0].dataSync(), m.video.net.getWeights()[0].dataSync());
    const cls = buildEncoderClassifier(m.audio, 10, 1);
    const probe = buildLinearHead(32, 10, 1);
    assert.deepEqual((cls.predict(a) as tf.Tensor).shape, [3, 10]);
    assert.deepEqual(probe.outputs[0].shape, [null, 10]);
    tf.dispose([v, a, ...outs]);
    disposeAvtsModel(m);
    disposeAvtsModel(m2);
    probe.dispose();
  });
});
