import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { lstmCellBackward, lstmCellForward } from '../../lib/backend/wasmLstmCell';
import { lstmCell, lstmCellKernelActive, lstmCellOps } from '../../lib/nn/lstmCell';
import { LstmStep, lstmStep, LstmStepParams, LstmState } from '../../lib/scenes/models/attention';
import { Rng } from '../../lib/util/rng';
import { maxRelativeError, normalValues } from '../helpers/compare';

type Use = 'h' | 'both';
type Cell = (z: tf.Tensor2D, c: tf.Tensor2D) => { h: tf.Tensor2D; c: tf.Tensor2D };

/** Inputs and loss weights of one case: z [n, 4h] × zScale, c [n, h], weights of h' and c'. */
function caseValues(n: number, h: number, seed: number, zScale: number): Float32Array[] {
  const rng = new Rng(seed);
  return [normalValues(rng, [n, 4 * h], zScale), normalValues(rng, [n, h], 2), normalValues(rng, [n, h]), normalValues(rng, [n, h])];
}

/** h', c', dz, dc of `cell` for a loss Σ wH h' (+ Σ wC c' when both outputs are used). */
function cellAndGradients(cell: Cell, values: Float32Array[], n: number, h: number, use: Use): Float32Array[] {
  return tf.tidy(() => {
    const [z, c, wH, wC] = values.map((v, k) => tf.tensor2d(v, k === 0 ? [n, 4 * h] : [n, h]));
    const out = cell(z, c);
    const loss = (zz: tf.Tensor, cc: tf.Tensor) => {
      const o = cell(zz as tf.Tensor2D, cc as tf.Tensor2D);
      const lh = tf.sum(tf.mul(o.h, wH));
      return (use === 'h' ? lh : tf.add(lh, tf.sum(tf.mul(o.c, wC)))) as tf.Scalar;
    };
    const [dz, dc] = tf.grads(loss)([z, c]);
    return [out.h, out.c, dz, dc].map((t) => t.dataSync() as Float32Array);
  });
}

/** The decoder step as it was written before `lstmCell`: all tfjs ops. */
function lstmStepOps(p: LstmStepParams, x: tf.Tensor2D, s: LstmState): LstmState {
  return tf.tidy(() => lstmCellOps(tf.add(tf.add(tf.matMul(x, p.W), tf.matMul(s.h, p.U)), p.b) as tf.Tensor2D, s.c));
}

/** h', c' and the gradients of a loss on h' with respect to x, h, c, W, U, b, for `step`. */
function stepAndGradients(step: typeof lstmStep, n: number, x: number, h: number, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const t = (shape: number[], scale = 1) => tf.tensor(normalValues(rng, shape, scale), shape);
    const inputs = [t([n, x]), t([n, h]), t([n, h]), t([x, 4 * h], 0.5), t([h, 4 * h], 0.5), t([4 * h], 0.5)];
    const wH = t([n, h]);
    const run = (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor, W: tf.Tensor, U: tf.Tensor, b: tf.Tensor) =>
      step({ W: W as tf.Tensor2D, U: U as tf.Tensor2D, b: b as tf.Tensor1D }, xx as tf.Tensor2D, { h: hh as tf.Tensor2D, c: cc as tf.Tensor2D });
    const out = run(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(run(...(a as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])).h, wH)) as tf.Scalar)(inputs);
    return [out.h, out.c, ...grads].map((g) => g.dataSync() as Float32Array);
  });
}

const NAMES = ["h'", "c'", 'dz', 'dc'];
const SHAPES = [[1, 1], [3, 5], [8, 33], [2, 64]] as const;

function assertClose(got: Float32Array[], want: Float32Array[], names: string[], what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length);
  got.forEach((g, k) => {
    assert.ok(g.every(Number.isFinite), `${what}: ${names[k]} is not finite`);
    const e = maxRelativeError(g, want[k]);
    assert.ok(e < tol, `${what}: ${names[k]} differs by ${e}`);
  });
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** One unit in double precision, written out: [h', c'] from z = [zi, zf, zg, zo] and c. */
function oneUnit(zs: number[], c: number): [number, number] {
  const [i, f, g, o] = [sigmoid(zs[0]), sigmoid(zs[1]), Math.tanh(zs[2]), sigmoid(zs[3])];
  const cn = f * c + i * g;
  return [o * Math.tanh(cn), cn];
}

describe('lstmCell (the LSTM step\'s gates and cell update)', () => {
  after(() => initBackend('cpu', { quiet: true }));

  it('rejects shapes that are not [N, 4H] and [N, H]', async () => {
    await initBackend('cpu', { quiet: true });
    tf.tidy(() => {
      assert.throws(() => lstmCell(tf.zeros([2, 6]) as tf.Tensor2D, tf.zeros([2, 2]) as tf.Tensor2D), /\[N, 4H\]/);
      assert.throws(() => lstmCell(tf.zeros([2, 8]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D), /\[N, 4H\]/);
    });
  });

  it("the wasm kernel's loops equal tfjs's ops (checked on the cpu backend)", async () => {
    await initBackend('cpu', { quiet: true });
    for (const [n, h] of SHAPES) {
      for (const use of ['h', 'both'] as const) {
        const values = caseValues(n, h, n * 100 + h, 3);
        const want = cellAndGradients(lstmCellOps, values, n, h, use);
        const [z, c, wH, wC] = values;
        const [hOut, cOut, dz, dc] = [new Float32Array(n * h), new Float32Array(n * h), new Float32Array(4 * n * h), new Float32Array(n * h)];
        lstmCellForward(z, c, hOut, cOut, n, h);
        // dL/dh' = wH; dL/dc' = wC, or the tape's zeros when c' is unused.
        lstmCellBackward(z, c, cOut, wH, use === 'h' ? new Float32Array(n * h) : wC, dz, dc, n, h);
        assertClose([hOut, cOut, dz, dc], want, NAMES, `[${n}, ${h}] using ${use}`);
      }
    }
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`on ${backend}`, () => {
      before(() => initBackend(backend, { quiet: true }));

      it(backend === 'wasm' ? 'runs the AvlabLstmCell kernels' : 'falls back to tfjs ops (no kernel)', () => {
        assert.equal(lstmCellKernelActive(), backend === 'wasm');
      });

      it('a hand-computed unit: outputs, and gradients equal to central differences in double precision', () => {
        const zs = [0.5, -1.2, 2, 0.3];
        const c0 = 0.7;
        const [hWant, cWant] = oneUnit(zs, c0);
        const wC = -0.4;
        // L = h' + wC c', differentiated numerically in doubles.
        const L = (z: number[], c: number) => oneUnit(z, c)[0] + wC * oneUnit(z, c)[1];
        const eps = 1e-6;
        const dzWant = zs.map((_, k) => (L(zs.map((v, m) => v + (m === k ? eps : 0)), c0) - L(zs.map((v, m) => v - (m === k ? eps : 0)), c0)) / (2 * eps));
        const dcWant = (L(zs, c0 + eps) - L(zs, c0 - eps)) / (2 * eps);
        tf.tidy(() => {
          const z = tf.tensor2d([zs]);
          const c = tf.tensor2d([[c0]]);
          const out = lstmCell(z, c);
          assert.ok(Math.abs(out.h.dataSync()[0] - hWant) < 1e-6, `h' ${out.h.dataSync()[0]} vs ${hWant}`);
          assert.ok(Math.abs(out.c.dataSync()[0] - cWant) < 1e-6, `c' ${out.c.dataSync()[0]} vs ${cWant}`);
          const [dz, dc] = tf.grads((zz: tf.Tensor, cc: tf.Tensor) => {
            const o = lstmCell(zz as tf.Tensor2D, cc as tf.Tensor2D);
            return tf.add(tf.sum(o.h), tf.mul(tf.sum(o.c), wC)) as tf.Scalar;
          })([z, c]);
          Array.from(dz.dataSync()).forEach((v, k) => assert.ok(Math.abs(v - dzWant[k]) < 1e-6, `dz[${k}] ${v} vs ${dzWant[k]}`));
          assert.ok(Math.abs(dc.dataSync()[0] - dcWant) < 1e-6, `dc ${dc.dataSync()[0]} vs ${dcWant}`);
        });
      });

      it("equals tfjs's ops, forward and gradients, using h' only and both outputs", () => {
        for (const [n, h] of SHAPES) {
          for (const use of ['h', 'both'] as const) {
            const values = caseValues(n, h, n * 100 + h, 3);
            assertClose(cellAndGradients(lstmCell, values, n, h, use), cellAndGradients(lstmCellOps, values, n, h, use), NAMES, `[${n}, ${h}] using ${use}`);
          }
        }
      });

      it('stays finite and exact for |z| up to 100 and beyond', () => {
        const [n, h] = [4, 6];
        const values = caseValues(n, h, 7, 60);
        // The extremes exactly, both signs, in every gate.
        for (let k = 0; k < 4 * h; k += 5) values[0][k] = k % 2 ? 100 : -100;
        values[0][1] = 1e4;
        values[0][2] = -1e4;
        for (const use of ['h', 'both'] as const) {
          assertClose(cellAndGradients(lstmCell, values, n, h, use), cellAndGradients(lstmCellOps, values, n, h, use), NAMES, `large z, using ${use}`);
        }
      });

      it("lstmStep's gradients through x, h, c, W, U and b equal those of the ops-only step", () => {
        for (const [n, x, h] of [[1, 3, 1], [5, 7, 6]]) {
          assertClose(stepAndGradients(lstmStep, n, x, h, n + x + h), stepAndGradients(lstmStepOps, n, x, h, n + x + h), ["h'", "c'", 'dx', 'dh', 'dc', 'dW', 'dU', 'db'], `step [${n}, ${x}, ${h}]`);
        }
      });

      it('leaves no tensor behind over repeated training steps', () => {
        const rng = new Rng(3);
        const t = (shape: number[]) => tf.tensor(normalValues(rng, shape), shape);
        const [x, h, c] = [t([4, 5]), t([4, 3]), t([4, 3])];
        const layer = new LstmStep({ units: 3, seed: 1 });
        layer.apply([x, h, c]);
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const step = () => {
          const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply([x, h, c]) as tf.Tensor) as tf.Scalar, vars);
          const both = tf.variableGrads(() => {
            const o = lstmStep({ W: vars[0] as tf.Tensor2D, U: vars[1] as tf.Tensor2D, b: vars[2] as tf.Tensor1D }, x as tf.Tensor2D, { h: h as tf.Tensor2D, c: c as tf.Tensor2D });
            return tf.add(tf.sum(o.h), tf.sum(o.c)) as tf.Scalar;
          }, vars);
          assert.ok(Object.values(grads).every((g) => g.dataSync().every(Number.isFinite)));
          tf.dispose([value, both.value, ...Object.values(grads), ...Object.values(both.grads)]);
        };
        step();
        const before = tf.memory().numTensors;
        for (let k = 0; k < 3; k++) step();
        assert.equal(tf.memory().numTensors, before);
        tf.dispose([x, h, c]);
        layer.dispose();
      });
    });
  }

  it("equals the cpu backend's ops on wasm, outputs and gradients", async () => {
    const all = (cell: Cell) => SHAPES.flatMap(([n, h]) => (['h', 'both'] as const).flatMap((use) => cellAndGradients(cell, caseValues(n, h, n + h, 4), n, h, use)));
    await initBackend('cpu', { quiet: true });
    const cpu = all(lstmCell);
    await initBackend('wasm', { quiet: true });
    const wasm = all(lstmCell);
    assertClose(wasm, cpu, cpu.map((_, k) => `output ${k}`), 'wasm vs cpu');
  });
});
