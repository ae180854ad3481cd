import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { buildSceneModel } from '../../lib/scenes/models/registry';
import { simulateScenes } from '../../lib/scenes/data/simulator';
import { clipLevelDataset } from '../../lib/scenes/data/types';
import { COURSE_TRAIN_CONFIG } from '../../lib/training/config';
import { sceneTensors, disposeTensorData } from '../../lib/scenes/data/tensors';
import { trainModel } from '../../lib/training/classification';
import { makeAdam } from '../../lib/training/optimizer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean; act?: 'relu' | 'linear' | 'elu' | 'sigmoid' | 'leakyrelu' };
const CASES: Case[] = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [7, 5], b: [7, 3], ta: true, tb: false, act: 'relu' },
  { a: [5, 7], b: [3, 7], ta: false, tb: true, act: 'elu' },
  { a: [7, 5], b: [3, 7], ta: true, tb: true, act: 'sigmoid' },
  { a: [4, 5, 7], b: [4, 7, 3], ta: false, tb: false, act: 'leakyrelu' },
  { a: [4, 5, 7], b: [7, 3], ta: false, tb: false, act: 'relu' },
  { a: [1, 5, 7], b: [4, 7, 3], ta: false, tb: false },
  { a: [64, 512], b: [512, 128], ta: false, tb: false, act: 'relu' },
];

/** matMul and fused matMul (+bias, activation) of every case, on the current backend. */
function products(): number[][] {
  return CASES.map((c) =>
    tf.tidy(() => {
      const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
      const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
      const plain = tf.matMul(a, b, c.ta, c.tb);
      const bias = tf.randomNormal([plain.shape[plain.shape.length - 1]], 0, 1, 'float32', 3);
      const fused = tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, bias, activation: c.act ?? 'linear' });
      return [...Array.from(plain.dataSync()), ...Array.from(fused.dataSync())];
    }),
  );
}

describe('native OpenBLAS matmul on the wasm backend', function () {
  this.timeout(60000);
  before(function () {
    if (!nativeBlas()) this.skip(); // not built on this machine: avlab then runs wasm's own kernels
  });
  after(() => initBackend('cpu', { quiet: true }));

  it('equals the cpu backend on plain, transposed, batched, broadcast and fused products', async () => {
    await initBackend('cpu', { quiet: true });
    const expected = products();
    const info = await initBackend('wasm', { quiet: true });
    assert.match(info.detail, /OpenBLAS matmul/);
    const got = products();
    CASES.forEach((c, i) => {
      const diff = expected[i].reduce((m, x, j) => Math.max(m, Math.abs(x - got[i][j])), 0);
      assert.ok(diff < 1e-4, `${JSON.stringify(c)}: max difference ${diff}`);
    });
  });

  it('trains a model to the same losses as the cpu backend (within float tolerance)', async () => {
    const ds = clipLevelDataset(simulateScenes({ seed: 2, dim: 32, frames: 2, clipsPerClass: { train: 12, val: 4, test: 1 } }));
    const losses = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend, { quiet: true });
      const m = buildSceneModel('intermediate', { dim: 32, classes: 10, seed: 1, hidden: 16, embed: 8 });
      const tr = sceneTensors(ds.train, m.inputs);
      const va = sceneTensors(ds.val, m.inputs);
      const r = await trainModel(m, tr, va, { ...COURSE_TRAIN_CONFIG, lr: 1e-3, batchSize: 16, maxEpochs: 3 }, { log: () => {} });
      disposeTensorData(tr);
      disposeTensorData(va);
      m.net.dispose();
      return r.history.flatMap((h) => [h.trainLoss, h.valLoss]);
    };
    const cpu = await losses('cpu');
    const wasm = await losses('wasm');
    cpu.forEach((x, i) => assert.ok(Math.abs(x - wasm[i]) < 1e-4 * Math.max(1, Math.abs(x)), `loss ${i}: cpu ${x} vs wasm ${wasm[i]}`));
  });

  it('uses the fused native Adam on wasm, which matches tfjs\'s Adam step for step', async () => {
    const run = async (native: boolean) => {
      await initBackend('wasm', { quiet: true });
      process.env.AVLAB_FUSED_ADAM = native ? '1' : '0';
      const opt = makeAdam(1e-2, 1e-2);
      assert.equal(opt.kind, native ? 'native-adam' : 'tfjs-adam');
      const v = tf.variable(tf.tensor1d([0.5, -1, 2, 0]));
      for (let i = 0; i < 5; i++) {
        const g = tf.tensor1d([0.1 * i, -0.3, 1, 0.01]);
        opt.step([v], { [v.name]: g });
        g.dispose();
      }
      const out = Array.from(v.dataSync());
      opt.dispose();
      v.dispose();
      return out;
    };
    try {
      const native = await run(true);
      const tfjs = await run(false);
      native.forEach((x, i) => assert.ok(Math.abs(x - tfjs[i]) < 1e-6, `θ[${i}]: native ${x} vs tfjs ${tfjs[i]}`));
    } finally {
      delete process.env.AVLAB_FUSED_ADAM;
    }
  });

  it('the native in-place step leaves a tensor that shares a variable\'s memory (a reshape) unchanged', async function () {
    await initBackend('wasm', { quiet: true });
    const opt = makeAdam(0.1, 0);
    if (opt.kind !== 'native-adam') this.skip();
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const flat = tf.reshape(v, [4]); // shares the variable's wasm memory
    const g = tf.onesLike(v);
    opt.step([v], { [v.name]: g });
    assert.deepEqual(Array.from(flat.dataSync()), [1, 2, 3, 4]);
    Array.from(v.dataSync()).forEach((x, i) => assert.ok(Math.abs(x - (i + 1 - 0.1)) < 1e-5));
    opt.dispose();
    tf.dispose([v, flat, g]);
  });

  it('resumes bit-exactly with the native optimiser state', async () => {
    await initBackend('wasm', { quiet: true });
    const ds = clipLevelDataset(simulateScenes({ seed: 3, dim: 32, frames: 2, clipsPerClass: { train: 12, val: 4, test: 1 } }));
    const cfg = { ...COURSE_TRAIN_CONFIG, lr: 1e-3, batchSize: 16, maxEpochs: 4 };
    const train = async (runDir?: string, stopAt?: number) => {
      const m = buildSceneModel('audio-only', { dim: 32, classes: 10, seed: 1, hidden: 16, embed: 8 });
      const tr = sceneTensors(ds.train, m.inputs);
      const va = sceneTensors(ds.val, m.inputs);
      try {
        const r = await trainModel(m, tr, va, cfg, { runDir, fingerprint: 'x', log: () => {}, onEpoch: (e) => { if (e.epoch === stopAt) throw new Error('stop'); } });
        return r.history.map((h) => h.valLoss);
      } finally {
        disposeTensorData(tr);
        disposeTensorData(va);
        m.net.dispose();
      }
    };
    const whole = await train();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-native-resume-'));
    await assert.rejects(train(dir, 3), /stop/);
    assert.deepEqual(await train(dir), whole);
  });
});
