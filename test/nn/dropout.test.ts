import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { dropoutWithHostMask, SeededDropout } from '../../lib/nn/layers';

describe('dropout', () => {
  before(() => initBackend('cpu', { quiet: true }));

  it("with the mask made on the host equals tfjs's dropout bit for bit (same draws, same float32 multiplier)", () => {
    const x = tf.randomNormal([48, 257], 0, 1, 'float32', 5);
    for (const rate of [0.1, 0.2, 0.3, 0.5, 0.9]) {
      for (const seed of [1, 99, 123456789]) {
        const [a, b] = [tf.dropout(x, rate, undefined, seed), dropoutWithHostMask(x, rate, seed)];
        assert.deepEqual(b.dataSync(), a.dataSync(), `rate ${rate}, seed ${seed}`);
        tf.dispose([a, b]);
      }
    }
    // About rate of the values are dropped, the rest scaled by 1/(1 − rate).
    const y = dropoutWithHostMask(tf.onesLike(x), 0.3, 7).dataSync();
    const dropped = y.filter((v) => v === 0).length / y.length;
    assert.ok(Math.abs(dropped - 0.3) < 0.02, `dropped ${dropped}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
    x.dispose();
  });

  it('SeededDropout draws a new mask every call, and the same masks after a reseed', () => {
    const layer = new SeededDropout(0.5, 11);
    const x = tf.ones([4, 64]);
    const first = [0, 1].map(() => (layer.apply(x, { training: true }) as tf.Tensor).dataSync());
    assert.notDeepEqual(first[0], first[1]);
    layer.reseed(11);
    const again = [0, 1].map(() => (layer.apply(x, { training: true }) as tf.Tensor).dataSync());
    assert.deepEqual(again, first);
    assert.deepEqual((layer.apply(x, { training: false }) as tf.Tensor).dataSync(), x.dataSync());
  });
});
