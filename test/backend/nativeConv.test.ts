import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';

type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: 'same' | 'valid' | number; dilations: number };
const CASES: Case[] = [
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 1 },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 5], strides: 2, pad: 'same', dilations: 1 },
  { x: [1, 9, 7, 4], f: [2, 3, 4, 3], strides: 1, pad: 'valid', dilations: 1 },
  { x: [3, 10, 10, 2], f: [3, 3, 2, 2], strides: 1, pad: 1, dilations: 2 },
  { x: [2, 6, 6, 3], f: [1, 1, 3, 6], strides: 2, pad: 'valid', dilations: 1 },
  // 576-long patches over 16×16 outputs: blocks of 4 images, the last one short (4 + 2).
  { x: [6, 16, 16, 64], f: [3, 3, 64, 3], strides: 1, pad: 'same', dilations: 1 },
];

/** Forward (plain and fused with bias + relu) and both gradients of every case. */
function results(): number[][] {
  return CASES.map((c, i) =>
    tf.tidy(() => {
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 10 + i);
      const f = tf.randomNormal(c.f, 0, 1, 'float32', 20 + i);
      const b = tf.randomNormal([c.f[3]], 0, 1, 'float32', 30 + i);
      const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) => tf.conv2d(xx, ff, c.strides, c.pad, 'NHWC', c.dilations);
      const y = conv(x as tf.Tensor4D, f as tf.Tensor4D);
      const fused = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: c.strides, pad: c.pad, dilations: c.dilations, bias: b, activation: 'relu' });
      const out = [...y.dataSync(), ...fused.dataSync()];
      // tfjs has no gradients for dilated convolutions on any backend.
      if (c.dilations > 1) return out;
      const weight = tf.randomNormal(y.shape, 0, 1, 'float32', 40 + i);
      const [gx, gf] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(conv(xx as tf.Tensor4D, ff as tf.Tensor4D), weight)))([x, f]);
      return [...out, ...gx.dataSync(), ...gf.dataSync()];
    }),
  );
}

describe('native im2col + OpenBLAS convolutions on the wasm backend', function () {
  this.timeout(60000);
  before(function () {
    if (!nativeBlas()) this.skip();
  });
  after(() => initBackend('cpu', { quiet: true }));

  it('equal the cpu backend: forward, fused bias + relu, and the input and filter gradients', async () => {
    await initBackend('cpu', { quiet: true });
    const expected = results();
    const info = await initBackend('wasm', { quiet: true });
    assert.match(info.detail, /conv/);
    const got = results();
    CASES.forEach((c, i) => {
      assert.equal(got[i].length, expected[i].length);
      const diff = expected[i].reduce((m, v, j) => Math.max(m, Math.abs(v - got[i][j])), 0);
      assert.ok(diff < 1e-4, `${JSON.stringify(c)}: max difference ${diff}`);
    });
  });
});
