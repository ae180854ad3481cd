import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildSceneModel, SceneModelKind } from '../../lib/scenes/models/registry';
import { crossEntropy } from '../../lib/losses/crossEntropy';
import { Rng } from '../../lib/util/rng';
import { testBackend } from '../helpers/backend';

/**
 * Finite-difference check of the gradients tfjs computes for the training loss: for a few random
 * parameters θ_k, (L(θ + εe_k) − L(θ − εe_k)) / 2ε must match ∂L/∂θ_k. Dropout is off (it would
 * change the function between evaluations); batch norm runs in training mode, as in training.
 */
function checkGradients(kind: SceneModelKind): void {
  const m = buildSceneModel(kind, { dim: 6, classes: 3, seed: 9, hidden: 5, embed: 4, dropout: 0 });
  const rng = new Rng(1);
  const xs = m.inputs.map(() => tf.tensor2d(Float32Array.from({ length: 8 * 6 }, () => rng.normal()), [8, 6]));
  const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32');
  const loss = () => crossEntropy(m.net.apply(xs.length === 1 ? xs[0] : xs, { training: true }) as tf.Tensor2D, y);
  const vars = m.net.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(loss, vars);
  const eps = 1e-2;
  let checked = 0;
  for (const v of vars) {
    const values = v.dataSync().slice();
    const g = grads[v.name].dataSync();
    for (let trial = 0; trial < 3; trial++) {
      const k = rng.int(values.length);
      const at = (delta: number) => {
        const copy = values.slice();
        copy[k] += delta;
        v.assign(tf.tensor(copy, v.shape));
        return loss().dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(values, v.shape));
      const tol = 2e-3 + 2e-2 * Math.abs(numeric);
      assert.ok(Math.abs(numeric - g[k]) < tol, `${kind} ${v.name}[${k}]: analytic ${g[k]} vs numeric ${numeric}`);
      checked++;
    }
  }
  assert.ok(checked >= 3 * vars.length);
}

describe('gradients (finite differences)', () => {
  before(testBackend);
  for (const kind of ['intermediate', 'late-average', 'late-linear'] as SceneModelKind[]) {
    it(`${kind}: analytic gradients match central differences`, () => tf.tidy(() => checkGradients(kind)));
  }
});
