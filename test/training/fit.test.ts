import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../../lib/nn/layers';
import { crossEntropy } from '../../lib/losses/crossEntropy';
import { COURSE_TRAIN_CONFIG } from '../../lib/training/config';
import { EpochRecord, Evaluation, fit, FitConfig, FitOptions, FitTask, plainLogLine, rowBatches } from '../../lib/training/fit';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

/**
 * A tiny task with two networks (an encoder with seeded dropout and a head), so checkpoints,
 * resumption and dropout reseeding are exercised across more than one LayersModel.
 */
function tinyTask(seed: number, script?: Evaluation[]) {
  const dropout = new SeededDropout(0.3, seed);
  const encoder = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed }) }), dropout] });
  const head = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [8], kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })] });
  const logits = (x: tf.Tensor, training: boolean) => head.apply(encoder.apply(x, { training }), { training }) as tf.Tensor2D;
  let calls = 0;
  const task: FitTask<tf.Tensor[], { x: tf.Tensor; y: tf.Tensor1D }> = {
    nets: [encoder, head],
    dropouts: [dropout],
    loss: ([x, y], training) => crossEntropy(logits(x, training), y as tf.Tensor1D),
    evaluate: async ({ x, y }) => {
      // A scripted score when given (selection and early-stop tests), else the real one.
      if (script) return script[calls++ % script.length];
      const [loss, acc] = tf.tidy(() => {
        const z = logits(x, false);
        return [crossEntropy(z, y), tf.mean(tf.cast(tf.equal(tf.argMax(z, 1), y), 'float32'))];
      });
      const out = { loss: (await loss.data())[0], metrics: { accuracy: (await acc.data())[0] } };
      tf.dispose([loss, acc]);
      return out;
    },
  };
  const weights = () => [encoder, head].flatMap((n) => n.getWeights().map((w) => Array.from(w.dataSync())));
  return { task, weights, dispose: () => [encoder, head].forEach((n) => n.dispose()) };
}

function tinyData(seed: number, n: number) {
  const rng = new Rng(seed);
  const xs = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => (xs[4 * i] > 0 ? 1 : 0) + (xs[4 * i + 1] > 0.5 ? 1 : 0));
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor1d(ys, 'int32') };
}

const CONFIG: FitConfig = { ...COURSE_TRAIN_CONFIG, lr: 1e-2, batchSize: 8, maxEpochs: 5, seed: 2 };

describe('fit', function () {
  this.timeout(60000);
  let train: { x: tf.Tensor; y: tf.Tensor1D };
  let val: { x: tf.Tensor; y: tf.Tensor1D };
  before(async () => {
    await testBackend();
    train = tinyData(1, 40);
    val = tinyData(2, 20);
  });
  after(() => tf.dispose([train.x, train.y, val.x, val.y]));

  async function run(config: FitConfig, options: FitOptions = {}, script?: Evaluation[]) {
    const t = tinyTask(5, script);
    try {
      const result = await fit(t.task, rowBatches([train.x, train.y]), val, config, { log: () => {}, ...options });
      return { result, weights: t.weights() };
    } finally {
      t.dispose();
    }
  }

  it('resumes bit for bit: an interrupted run ends exactly where an uninterrupted one ends', async () => {
    for (const config of [CONFIG, { ...CONFIG, schedule: 'cosine' as const, select: { metric: 'accuracy' } }]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-fit-'));
      const whole = await run(config);
      await assert.rejects(
        run(config, { runDir: dir, fingerprint: 'f', onEpoch: (r) => { if (r.epoch === 3) throw new Error('interrupted'); } }),
        /interrupted/,
      );
      const resumed = await run(config, { runDir: dir, fingerprint: 'f' });
      assert.equal(resumed.result.epochsRun, 3, 'interrupted during epoch 3: epochs 3–5 are trained again');
      assert.deepEqual(resumed.result.history.map((h) => [h.trainLoss, h.valLoss, h.metrics, h.lr]), whole.result.history.map((h) => [h.trainLoss, h.valLoss, h.metrics, h.lr]));
      assert.equal(resumed.result.bestEpoch, whole.result.bestEpoch);
      assert.deepEqual(resumed.weights, whole.weights);
      // train.log has the default plain lines; history.json the records.
      assert.match(fs.readFileSync(path.join(dir, 'train.log'), 'utf8'), /^\| epoch 1 \| time [\d.]+s \| train loss [\d.]+ \| val loss [\d.]+ \| accuracy [\d.]+ \| lr /m);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'history.json'), 'utf8')).length, 5);
      // A finished run is reused; another fingerprint starts afresh.
      const again = await run(config, { runDir: dir, fingerprint: 'f' });
      assert.equal(again.result.reused, true);
      assert.deepEqual(again.weights, whole.weights);
      const other = await run({ ...config, maxEpochs: 2 }, { runDir: dir, fingerprint: 'g' });
      assert.equal(other.result.epochsRun, 2);
    }
  });

  it('is deterministic and reseeds every epoch: the same seed gives the same run, another seed another', async () => {
    const a = await run(CONFIG);
    const b = await run(CONFIG);
    assert.deepEqual(a.result.history.map((h) => h.trainLoss), b.result.history.map((h) => h.trainLoss));
    assert.deepEqual(a.weights, b.weights);
    const c = await run({ ...CONFIG, seed: 3 });
    assert.notEqual(a.result.history[0].trainLoss, c.result.history[0].trainLoss);
  });

  it('selects by a named metric (highest; ties go to the lower val loss) and restores that epoch', async () => {
    const script: Evaluation[] = [
      { loss: 1.0, metrics: { recall: 0.2 } },
      { loss: 0.9, metrics: { recall: 0.6 } },
      { loss: 0.5, metrics: { recall: 0.4 } },
      { loss: 0.8, metrics: { recall: 0.6 } },
      { loss: 0.7, metrics: { recall: 0.6 } },
    ];
    const t = tinyTask(5, script);
    const r = await fit(t.task, rowBatches([train.x, train.y]), val, { ...CONFIG, select: { metric: 'recall' } }, { log: () => {} });
    // Epoch 2 has the highest recall first; 4 ties it with a lower loss (0.8 < 0.9), 5 again (0.7).
    assert.equal(r.bestEpoch, 5);
    assert.equal(r.bestValLoss, 0.7);
    const lossRun = await run(CONFIG, {}, script);
    assert.equal(lossRun.result.bestEpoch, 3, 'the default rule is the lowest val loss');
    const minRun = await run({ ...CONFIG, select: { metric: 'recall', mode: 'min' } }, {}, script);
    assert.equal(minRun.result.bestEpoch, 1);
    // The kept weights are the best epoch's (epoch 3 of a real run).
    const s2: Evaluation[] = [0.9, 0.8, 0.1, 0.5, 0.6].map((loss) => ({ loss, metrics: {} }));
    const u = tinyTask(5, s2);
    const at: number[][] = [];
    await fit(u.task, rowBatches([train.x, train.y]), val, CONFIG, { log: () => {}, onEpoch: () => at.push(u.weights().flat()) });
    assert.deepEqual(u.weights().flat(), at[2]);
    t.dispose();
    u.dispose();
    await assert.rejects(run({ ...CONFIG, select: { metric: 'nope' } }, {}, script), /selection metric "nope"/);
  });

  it('stops early after earlyStop epochs without an improvement of the selection', async () => {
    const flat: Evaluation[] = [{ loss: 1, metrics: { accuracy: 0.5 } }];
    const r = await run({ ...CONFIG, maxEpochs: 30, earlyStop: 4 }, {}, flat);
    assert.equal(r.result.history.length, 5, 'epoch 1 is best, then 4 epochs without improvement');
    assert.equal(r.result.stoppedEarly, true);
    const lines: string[] = [];
    await run({ ...CONFIG, maxEpochs: 30, earlyStop: 2, select: { metric: 'accuracy' } }, { log: (l) => lines.push(l) }, flat);
    assert.equal(lines.length, 4);
    assert.match(lines[3], /early stop: no accuracy improvement for 2 epochs; best epoch 1/);
  });

  it('follows the schedules: cosine decay per epoch, plateau reductions on the val loss', async () => {
    const cos = await run({ ...CONFIG, schedule: 'cosine', maxEpochs: 4 });
    cos.result.history.forEach((h, e) => assert.ok(Math.abs(h.lr - 1e-2 * 0.5 * (1 + Math.cos((Math.PI * e) / 4))) < 1e-15));
    const flat: Evaluation[] = [{ loss: 1, metrics: {} }];
    const plateau = await run({ ...CONFIG, maxEpochs: 6, earlyStop: 10, plateau: { patience: 1, factor: 0.5, threshold: 1e-4, minLr: 0 } }, {}, flat);
    assert.deepEqual(plateau.result.history.map((h) => h.lr), [1e-2, 1e-2, 1e-2, 5e-3, 5e-3, 2.5e-3]);
  });

  it('leaks no tensors: an epoch leaves the count unchanged, and fit leaves none behind', async () => {
    const t = tinyTask(5);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await fit(t.task, rowBatches([train.x, train.y]), val, { ...CONFIG, maxEpochs: 4 }, { log: () => {}, onEpoch: () => counts.push(tf.memory().numTensors) });
    // Epoch 1 creates Adam's moments (the best-weights copy comes after onEpoch); later epochs add nothing.
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensors after each epoch: ${counts.join(', ')}`);
    assert.equal(tf.memory().numTensors, before, 'optimizer state and best weights are freed');
    t.dispose();
  });

  it('rejects bad configurations and names the plain log line’s fields', async () => {
    await assert.rejects(run({ ...CONFIG, lr: 0 }), /lr must be a positive number/);
    await assert.rejects(run({ ...CONFIG, maxEpochs: 1.5 }), /maxEpochs must be a positive integer/);
    const r: EpochRecord = { epoch: 2, trainLoss: 1.23456, valLoss: 0.5, metrics: { accuracy: 0.75, recall1: 0.5 }, lr: 1e-3, seconds: 1.5 };
    assert.equal(plainLogLine(r), '| epoch 2 | time 1.50s | train loss 1.2346 | val loss 0.5000 | accuracy 0.7500 | recall1 0.5000 | lr 1.0e-3 |');
  });
});
