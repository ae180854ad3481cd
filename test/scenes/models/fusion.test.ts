import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SceneDataset } from '../../../lib/scenes/data/types';
import {
  HybridFusion,
  LATE_WEIGHTINGS,
  LateWeighting,
  logWeightedMeanSoftmax,
  normaliseHybridWeights,
  WeightedLateFusion,
} from '../../../lib/scenes/models/fusion';
import { buildSceneModel, countParams, fusionWeights, SceneModel, SceneModelOptions } from '../../../lib/scenes/models/registry';
import { testBackend } from '../../helpers/backend';
import { checkFiniteDifferences, forward, lossGradients, randomInputs, tinyScenes, trainTiny, variableNamed, weightValues } from './helpers';

const small: Partial<SceneModelOptions> & { dim: number; classes: number } = { dim: 6, classes: 3, seed: 4, hidden: 5, embed: 4, dropout: 0 };

/** The logits entering the model's fusion layer, [z_f, z_a, z_v] or [z_a, z_v]. */
function headLogits(m: SceneModel, xs: tf.Tensor[]): tf.Tensor2D[] {
  const fusion = m.net.getLayer(`${m.kind}/fusion`);
  const branches = tf.model({ inputs: m.net.inputs, outputs: fusion.input as tf.SymbolicTensor[] });
  return branches.apply(xs, { training: false }) as tf.Tensor2D[];
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function setFusionVariable(m: SceneModel, values: number[]): void {
  const v = variableNamed(m, `${m.kind}/fusion/`);
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

describe('weighted fusion models', () => {
  let data: SceneDataset;
  before(async () => {
    await testBackend();
    data = tinyScenes();
  });

  describe('hybrid', () => {
    it('maps [batch, dim] inputs to [batch, classes] log-probabilities, fixed or learned weights', () => {
      for (const learnHybridWeights of [false, true]) {
        const m = buildSceneModel('hybrid', { dim: 512, classes: 10, seed: 1, learnHybridWeights });
        const out = forward(m, randomInputs(m, 5, 512, 1, 1));
        assert.deepEqual(out.shape, [5, 10]);
        tf.exp(out).sum(1).dataSync().forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, `row sums to ${s}`));
      }
    });

    it('has the course embeddings and three course heads (+3 mixture logits when learned)', () => {
      const embed = (inDim: number) => inDim * 512 + 512 + 2 * 512 + 512 * 128 + 128;
      const head = (inDim: number) => inDim * 128 + 128 + 128 * 10 + 10;
      const fixed = 2 * embed(512) + head(256) + 2 * head(128);
      assert.equal(countParams(buildSceneModel('hybrid', { dim: 512, classes: 10 })), fixed);
      assert.equal(countParams(buildSceneModel('hybrid', { dim: 512, classes: 10, learnHybridWeights: true })), fixed + 3);
    });

    it('combines probabilities: log(½·[¼, ¾] + ½·[½, ½]) = log[⅜, ⅝] (hand-computed)', () => {
      const zf = tf.tensor2d([[0, Math.log(3)]]); // softmax [1/4, 3/4]
      const za = tf.tensor2d([[0, 0]]); // softmax [1/2, 1/2]
      const zv = tf.tensor2d([[5, -5]]); // weight 0: must not matter
      const out = logWeightedMeanSoftmax([zf, za, zv], tf.tensor1d([0.5, 0.5, 0].map(Math.log)));
      const got = Array.from(out.dataSync());
      assert.ok(Math.abs(got[0] - Math.log(3 / 8)) < 1e-6 && Math.abs(got[1] - Math.log(5 / 8)) < 1e-6, `got ${got}`);
    });

    it('with fixed weights [1, 0, 0] equals the fused head alone', () => {
      const m = buildSceneModel('hybrid', { ...small, hybridWeights: [1, 0, 0] });
      const xs = randomInputs(m, 7, 6, 1, 2);
      const [zf] = headLogits(m, xs);
      const out = forward(m, xs);
      assert.ok(maxAbsDiff(out, tf.logSoftmax(zf)) < 1e-6);
      assert.deepEqual(Array.from(tf.argMax(out, 1).dataSync()), Array.from(tf.argMax(zf, 1).dataSync()));
      assert.deepEqual(fusionWeights(m), { fused: [1], audio: [0], video: [0] });
      // The unused heads stay in the graph with zero (not missing or NaN) gradients, so the
      // trainer's weight decay and Adam see every variable.
      const { grads } = lossGradients(m, xs, tf.tensor1d([0, 1, 2, 0, 1, 2, 0], 'int32'));
      assert.ok(Object.values(grads).every((g) => g.every(Number.isFinite)));
      assert.ok(Object.values(grads).filter((g) => g.every((x) => x === 0)).length >= 4, 'the audio and video heads get zero gradients');
    });

    it('with fixed weights [2, 1, 1] outputs log(½ p_f + ¼ p_a + ¼ p_v)', () => {
      const m = buildSceneModel('hybrid', { ...small, hybridWeights: [2, 1, 1] });
      const xs = randomInputs(m, 4, 6, 1, 3);
      const [pf, pa, pv] = headLogits(m, xs).map((z) => tf.softmax(z).arraySync() as number[][]);
      const expected = pf.map((row, n) => row.map((p, c) => Math.log(0.5 * p + 0.25 * pa[n][c] + 0.25 * pv[n][c])));
      assert.ok(maxAbsDiff(forward(m, xs), tf.tensor2d(expected)) < 1e-5);
    });

    it('validates and normalises the weights', () => {
      assert.deepEqual(normaliseHybridWeights([2, 1, 1]), [0.5, 0.25, 0.25]);
      assert.throws(() => normaliseHybridWeights([1, -1, 1]), /non-negative/);
      assert.throws(() => normaliseHybridWeights([1, 1]), /three/);
      assert.throws(() => normaliseHybridWeights([0, 0, 0]), /all be zero/);
      assert.throws(() => new HybridFusion({ mixture: [1, 0, 0], learn: true }), /start positive/);
    });

    it('learned weights start at the configured mixture and are reported by fusionWeights', () => {
      const w = fusionWeights(buildSceneModel('hybrid', { ...small, learnHybridWeights: true }));
      for (const k of ['fused', 'audio', 'video']) assert.ok(Math.abs(w[k][0] - 1 / 3) < 1e-6, `${k}: ${w[k]}`);
      const w2 = fusionWeights(buildSceneModel('hybrid', { ...small, learnHybridWeights: true, hybridWeights: [0.5, 0.3, 0.2] }));
      assert.ok(Math.abs(w2.fused[0] - 0.5) < 1e-6 && Math.abs(w2.audio[0] - 0.3) < 1e-6 && Math.abs(w2.video[0] - 0.2) < 1e-6, JSON.stringify(w2));
    });

    it('learned mixture: gradients are finite, nonzero and match central differences', () => {
      const m = buildSceneModel('hybrid', { ...small, learnHybridWeights: true, hybridWeights: [0.6, 0.3, 0.1] });
      const xs = randomInputs(m, 8, 6, 1, 5);
      const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32');
      const g = lossGradients(m, xs, y).grads[variableNamed(m, 'hybrid/fusion/logits').name];
      assert.ok(g.every(Number.isFinite) && g.some((x) => Math.abs(x) > 1e-6), `gradient ${g}`);
      checkFiniteDifferences(m, xs, y, variableNamed(m, 'hybrid/fusion/logits'), [0, 1, 2]);
    });
  });

  describe('weighted-late', () => {
    const extra: Record<LateWeighting, number> = { scalar: 1, class: 10, softmax: 2, 'softmax-class': 20 };
    for (const lateWeighting of LATE_WEIGHTINGS) {
      it(`${lateWeighting}: maps [batch, dim] inputs to [batch, classes] logits with ${extra[lateWeighting]} fusion weight(s)`, () => {
        const m = buildSceneModel('weighted-late', { dim: 512, classes: 10, seed: 1, lateWeighting });
        const out = forward(m, randomInputs(m, 5, 512, 1, 1));
        assert.deepEqual(out.shape, [5, 10]);
        assert.ok(out.dataSync().every(Number.isFinite));
        const lateAverage = countParams(buildSceneModel('late-average', { dim: 512, classes: 10 }));
        assert.equal(countParams(m), lateAverage + extra[lateWeighting]);
      });
    }

    it('scalar: z = z_a + w·z_v (w starts at 1)', () => {
      const m = buildSceneModel('weighted-late', { ...small, lateWeighting: 'scalar' });
      assert.deepEqual(fusionWeights(m), { audio: [1], video: [1] });
      setFusionVariable(m, [0.5]);
      const xs = randomInputs(m, 4, 6, 1, 6);
      const [za, zv] = headLogits(m, xs);
      assert.ok(maxAbsDiff(forward(m, xs), tf.add(za, tf.mul(0.5, zv))) < 1e-6);
      assert.deepEqual(fusionWeights(m), { audio: [1], video: [0.5] });
    });

    it('class: z = z_a + w ⊙ z_v with one weight per class', () => {
      const m = buildSceneModel('weighted-late', { ...small, lateWeighting: 'class' });
      setFusionVariable(m, [0.5, 2, -1]);
      const xs = randomInputs(m, 4, 6, 1, 7);
      const [za, zv] = headLogits(m, xs);
      assert.ok(maxAbsDiff(forward(m, xs), tf.add(za, tf.mul(tf.tensor1d([0.5, 2, -1]), zv))) < 1e-6);
      assert.deepEqual(fusionWeights(m), { audio: [1, 1, 1], video: [0.5, 2, -1] });
    });

    it('softmax: s = [ln 3, 0] gives α = [¾, ¼] and z = ¾ z_a + ¼ z_v', () => {
      const m = buildSceneModel('weighted-late', { ...small, lateWeighting: 'softmax' });
      assert.deepEqual(fusionWeights(m), { audio: [0.5], video: [0.5] });
      setFusionVariable(m, [Math.log(3), 0]);
      const xs = randomInputs(m, 4, 6, 1, 8);
      const [za, zv] = headLogits(m, xs);
      assert.ok(maxAbsDiff(forward(m, xs), tf.add(tf.mul(0.75, za), tf.mul(0.25, zv))) < 1e-6);
      const w = fusionWeights(m);
      assert.ok(Math.abs(w.audio[0] - 0.75) < 1e-6 && Math.abs(w.video[0] - 0.25) < 1e-6, JSON.stringify(w));
    });

    it('softmax-class: one (α_a, α_v) pair per class', () => {
      const m = buildSceneModel('weighted-late', { ...small, lateWeighting: 'softmax-class' });
      // rows are classes: (ln 3, 0) → (¾, ¼); (0, 0) → (½, ½); (0, ln 4) → (⅕, ⅘)
      setFusionVariable(m, [Math.log(3), 0, 0, 0, 0, Math.log(4)]);
      const aa = [0.75, 0.5, 0.2];
      const av = [0.25, 0.5, 0.8];
      const xs = randomInputs(m, 4, 6, 1, 9);
      const [za, zv] = headLogits(m, xs);
      const expected = tf.add(tf.mul(tf.tensor1d(aa), za), tf.mul(tf.tensor1d(av), zv));
      assert.ok(maxAbsDiff(forward(m, xs), expected) < 1e-6);
      const w = fusionWeights(m);
      w.audio.forEach((a, c) => assert.ok(Math.abs(a - aa[c]) < 1e-6 && Math.abs(w.video[c] - av[c]) < 1e-6, JSON.stringify(w)));
    });

    for (const lateWeighting of LATE_WEIGHTINGS) {
      it(`${lateWeighting}: the fusion weights' gradients are finite, nonzero and match central differences`, () => {
        const m = buildSceneModel('weighted-late', { ...small, lateWeighting });
        // Away from the symmetric start, so that no gradient vanishes by symmetry.
        const v = variableNamed(m, 'weighted-late/fusion/');
        setFusionVariable(m, Array.from({ length: v.size }, (_, i) => 0.7 + 0.2 * i));
        const xs = randomInputs(m, 8, 6, 1, 10);
        const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32');
        const { grads } = lossGradients(m, xs, y);
        Object.entries(grads).forEach(([name, g]) => assert.ok(g.every(Number.isFinite), `non-finite gradient for ${name}`));
        assert.ok(grads[v.name].every((x) => Math.abs(x) > 1e-7), `fusion gradient ${grads[v.name]}`);
        checkFiniteDifferences(m, xs, y, v, Array.from({ length: v.size }, (_, i) => i));
      });
    }

    it('rejects an unknown weighting', () => {
      assert.throws(() => new WeightedLateFusion({ weighting: 'vector' as never }), /unknown lateWeighting "vector"/);
    });
  });

  it('fusionWeights is empty for models without fusion weights', () => {
    assert.deepEqual(fusionWeights(buildSceneModel('late-linear', small)), {});
  });

  it('is deterministic: the same seed gives the same weights and outputs', () => {
    for (const options of [{ learnHybridWeights: true }, { lateWeighting: 'softmax-class' as const }]) {
      const kind = 'learnHybridWeights' in options ? 'hybrid' : 'weighted-late';
      const build = (seed: number) => buildSceneModel(kind, { ...small, ...options, seed });
      const [a, b, c] = [build(3), build(3), build(4)];
      assert.deepEqual(weightValues(a), weightValues(b));
      assert.notDeepEqual(weightValues(a), weightValues(c));
      const xs = randomInputs(a, 3, 6, 1, 11);
      assert.deepEqual(Array.from(forward(a, xs).dataSync()), Array.from(forward(b, xs).dataSync()));
    }
  });

  describe('training through trainModel', function () {
    this.timeout(60000);
    const cases: [string, 'hybrid' | 'weighted-late', Partial<SceneModelOptions>][] = [
      ['hybrid (fixed weights)', 'hybrid', {}],
      ['hybrid (learned weights)', 'hybrid', { learnHybridWeights: true }],
      ...LATE_WEIGHTINGS.map((w): [string, 'weighted-late', Partial<SceneModelOptions>] => [`weighted-late (${w})`, 'weighted-late', { lateWeighting: w }]),
    ];
    for (const [label, kind, options] of cases) {
      it(`${label}: trains, leaks no tensors between epochs, and moves learned weights`, async () => {
        const m = buildSceneModel(kind, { dim: 32, classes: 10, seed: 1, hidden: 16, embed: 8, ...options });
        const start = fusionWeights(m);
        const run = await trainTiny(m, data, { maxEpochs: 3 }, () => fusionWeights(m));
        assert.equal(run.history.length, 3);
        assert.ok(run.history.every((h) => Number.isFinite(h.trainLoss) && Number.isFinite(h.valLoss)));
        assert.equal(run.tensors[2], run.tensors[1], `tensors after each epoch: ${run.tensors.join(', ')}`);
        const end = run.probes[2] as Record<string, number[]>;
        if (kind === 'hybrid' && !options.learnHybridWeights) assert.deepEqual(end, start);
        else assert.notDeepEqual(end, start, 'learned fusion weights did not change');
        m.net.dispose();
      });
    }
  });
});
