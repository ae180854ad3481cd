import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { counterDropout, dropoutHash, dropoutMask, dropoutScale, DROPOUT_KERNEL, fmix32 } from '../../lib/nn/dropout';
import { SeededDropout } from '../../lib/nn/layers';
import { Rng } from '../../lib/util/rng';

/** The hash re-derived with BigInt arithmetic (no Math.imul, no int32 coercions), from its definition. */
const U32 = 0xffffffffn;
function fmixBig(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & U32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & U32;
  return h ^ (h >> 16n);
}
function hashBig(seed: number, i: number): number {
  const k = fmixBig(BigInt(seed) ^ 0x9e3779b9n);
  return Number(fmixBig((fmixBig(BigInt(i) ^ k) + k) & U32));
}
/** Whether element i is kept, from the definition u = (h >>> 8) · 2⁻²⁴ ≥ rate (exact in doubles). */
const keptBig = (seed: number, i: number, rate: number) => Math.floor(hashBig(seed, i) / 256) / 2 ** 24 >= rate;

/** The bits of float32 values, so +0 and −0 (and NaNs) are told apart. */
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** Seeded normal values: half negative, so dropped values show their −0. */
function normal(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

/** Outputs and gradients on the active backend for the cross-backend comparison. */
function outputsAndGradients(): Float32Array[] {
  return tf.tidy(() => {
    const out: Float32Array[] = [];
    for (const [shape, rate, seed] of [[[7], 0.5, 0], [[33, 257], 0.2, 1234567], [[4, 5, 6], 0.9, 2 ** 31 - 1], [[1000], 0.1, 42]] as const) {
      const x = normal([...shape], seed + 1);
      const dy = normal([...shape], seed + 2);
      out.push(values(counterDropout(x, rate, seed)));
      out.push(values(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(counterDropout(t, rate, seed), dy)))(x)));
    }
    return out;
  });
}

describe('counter-based dropout', () => {
  after(() => initBackend('cpu', { quiet: true }));

  describe('the hash', () => {
    it("fmix32 is MurmurHash3's finaliser", () => {
      // Reference values of MurmurHash3's fmix32.
      assert.equal(fmix32(0), 0);
      assert.equal(fmix32(1), 0x514e28b7);
    });

    it('equals its BigInt re-derivation, at the ends of the u32 range too', () => {
      const seeds = [0, 1, 2, 99, 123456789, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
      const indices = [0, 1, 2, 3, 255, 256, 1000, 65535, 2 ** 24 + 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
      for (const s of seeds) for (const i of indices) assert.equal(dropoutHash(s, i), hashBig(s, i), `seed ${s}, i ${i}`);
      // Pinned: a change of the hash changes every mask, so every run's numbers.
      assert.deepEqual([dropoutHash(0, 0), dropoutHash(1, 0), dropoutHash(1, 1), dropoutHash(123456789, 1000)], [0x0434f466, 0x4055c146, 0x84b10437, 0x566bea28]);
    });

    it('keeps about 1 − rate of the elements, independently of the neighbour and of the next seed', () => {
      const n = 1 << 20;
      for (const rate of [0.1, 0.2, 0.5, 0.9]) {
        const keep = 1 - rate;
        // Five standard deviations of a binomial proportion over n draws.
        const bound = (p: number) => 5 * Math.sqrt((p * (1 - p)) / n);
        for (const seed of [0, 7, 123456789]) {
          const a = dropoutMask(n, rate, seed);
          const b = dropoutMask(n, rate, seed + 1);
          let kept = 0;
          let pairs = 0;
          let agree = 0;
          for (let i = 0; i < n; i++) {
            kept += a[i] !== 0 ? 1 : 0;
            pairs += a[i] !== 0 && a[(i + 1) % n] !== 0 ? 1 : 0;
            agree += (a[i] !== 0) === (b[i] !== 0) ? 1 : 0;
          }
          const same = keep * keep + rate * rate;
          assert.ok(Math.abs(kept / n - keep) < bound(keep), `rate ${rate}, seed ${seed}: kept ${kept / n}`);
          assert.ok(Math.abs(pairs / n - keep * keep) < bound(keep * keep), `rate ${rate}, seed ${seed}: neighbours kept ${pairs / n}`);
          assert.ok(Math.abs(agree / n - same) < bound(same), `rate ${rate}, seeds ${seed}, ${seed + 1}: agree ${agree / n}`);
        }
      }
    });

    it('rejects a rate outside [0, 1) and a tensor that is not float32', async () => {
      await initBackend('cpu', { quiet: true });
      for (const rate of [-0.1, 1, NaN]) assert.throws(() => dropoutScale(rate), /rate/);
      tf.tidy(() => assert.throws(() => counterDropout(tf.ones([3], 'int32'), 0.5, 1), /float32/));
    });
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`on ${backend}`, () => {
      before(() => initBackend(backend, { quiet: true }));

      it(backend === 'wasm' ? 'runs the AvlabDropout kernel' : 'takes the generic path (host mask, then a product)', () => {
        assert.equal(!!tf.getKernel(DROPOUT_KERNEL, backend), backend === 'wasm');
      });

      it('keeps exactly the elements with u ≥ rate, as x · fround(1 / (1 − rate)), and drops the rest to (signed) 0', () => {
        const shape = [37, 29];
        for (const [rate, seed] of [[0.2, 5], [0.5, 2 ** 31 - 1], [0.75, 0]]) {
          const x = normal(shape, seed);
          const y = counterDropout(x, rate, seed);
          const [xs, ys] = [values(x), values(y)];
          const scale = Math.fround(1 / (1 - rate));
          let kept = 0;
          for (let i = 0; i < xs.length; i++) {
            const want = keptBig(seed, i, rate) ? Math.fround(xs[i] * scale) : xs[i] * 0;
            kept += keptBig(seed, i, rate) ? 1 : 0;
            assert.ok(Object.is(ys[i], want), `rate ${rate}, seed ${seed}, element ${i}: ${ys[i]}, want ${want}`);
          }
          assert.ok(kept > 0 && kept < xs.length);
          tf.dispose([x, y]);
        }
      });

      it('has the mask as its gradient', () => {
        tf.tidy(() => {
          const x = normal([3, 50], 1);
          for (const [rate, seed] of [[0.3, 17], [0.5, 18]]) {
            const g = tf.grad((t: tf.Tensor) => counterDropout(t, rate, seed))(x);
            assert.deepEqual(bits(values(g)), bits(dropoutMask(150, rate, seed)));
            // With an upstream gradient: dy · m, which is the dropout of dy.
            const dy = normal([3, 50], 2);
            const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(counterDropout(t, rate, seed), dy)))(x);
            assert.deepEqual(bits(values(g2)), bits(values(counterDropout(dy, rate, seed))));
          }
        });
      });

      it('SeededDropout draws a new mask every call, the same masks after a reseed, and is the identity outside training', () => {
        const layer = new SeededDropout(0.5, 11);
        const x = tf.ones([4, 64]);
        const draw = () => [0, 1].map(() => tf.tidy(() => values(layer.apply(x, { training: true }) as tf.Tensor)));
        const first = draw();
        assert.notDeepEqual(first[0], first[1]);
        assert.ok(first[0].every((v) => v === 0 || v === 2));
        layer.reseed(11);
        assert.deepEqual(draw(), first);
        const idle = [layer.apply(x, { training: false }), new SeededDropout(0, 3).apply(x, { training: true })] as tf.Tensor[];
        idle.forEach((y) => assert.deepEqual(bits(values(y)), bits(values(x))));
        tf.dispose([x, ...idle]);
      });

      it('leaves no tensor behind, forward or backward', () => {
        const layer = new SeededDropout(0.3, 5);
        const x = normal([16, 40], 3);
        const v = tf.variable(normal([16, 40], 4));
        const before = tf.memory().numTensors;
        for (let k = 0; k < 3; k++) {
          (layer.apply(x, { training: true }) as tf.Tensor).dispose();
          tf.grad((t: tf.Tensor) => tf.sum(counterDropout(t, 0.3, k)))(x).dispose();
          const { value, grads } = tf.variableGrads(() => tf.sum(counterDropout(tf.mul(v, 2), 0.3, k)) as tf.Scalar, [v]);
          tf.dispose([value, ...Object.values(grads)]);
        }
        assert.equal(tf.memory().numTensors, before);
        tf.dispose([x, v]);
      });
    });
  }

  it("equals the cpu backend's generic path bit for bit on wasm, outputs and gradients", async () => {
    await initBackend('cpu', { quiet: true });
    const cpu = outputsAndGradients();
    await initBackend('wasm', { quiet: true });
    const wasm = outputsAndGradients();
    assert.equal(wasm.length, cpu.length);
    cpu.forEach((c, k) => assert.deepEqual(bits(wasm[k]), bits(c), `output ${k}`));
  });
});
