/** Shared pieces of the model tests: tiny data, loss gradients, finite differences, short training runs. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { simulateScenes } from '../../../lib/scenes/data/simulator';
import { standardiseDataset } from '../../../lib/scenes/data/load';
import { clipLevelDataset, SceneDataset } from '../../../lib/scenes/data/types';
import { modelView, SceneModel } from '../../../lib/scenes/models/registry';
import { COURSE_TRAIN_CONFIG, TrainConfig } from '../../../lib/training/config';
import { disposeTensorData, sceneTensors } from '../../../lib/scenes/data/tensors';
import { crossEntropy } from '../../../lib/losses/crossEntropy';
import { trainModel } from '../../../lib/training/classification';
import type { EpochRecord } from '../../../lib/training/fit';
import { Rng } from '../../../lib/util/rng';

/** Frame-level simulated scenes: 32-d, 4 frames, 12 training clips per class. */
export function tinyScenes(): SceneDataset {
  return standardiseDataset(
    simulateScenes({ seed: 5, dim: 32, frames: 4, clipsPerClass: { train: 12, val: 4, test: 2 }, locationsPerClass: { train: 2, val: 1, test: 1 } }),
  );
}

/** Standard-normal inputs for every modality of `m`: `[n, dim]`, or `[n, frames, dim]` for sequence models. */
export function randomInputs(m: SceneModel, n: number, dim: number, frames: number, seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  const shape = modelView(m.name) === 'sequence' ? [n, frames, dim] : [n, dim];
  const size = shape.reduce((a, b) => a * b, 1);
  return m.inputs.map(() => tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape));
}

/** Eval-mode output of a model. */
export function forward(m: SceneModel, xs: tf.Tensor[], training = false): tf.Tensor2D {
  return m.net.apply(xs.length === 1 ? xs[0] : xs, { training }) as tf.Tensor2D;
}

/** The training loss (cross-entropy in training mode) and its gradient per trainable variable name. */
export function lossGradients(m: SceneModel, xs: tf.Tensor[], y: tf.Tensor1D): { loss: number; grads: Record<string, Float32Array> } {
  const vars = m.net.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => crossEntropy(forward(m, xs, true), y), vars);
  const out: Record<string, Float32Array> = {};
  for (const v of vars) {
    assert.ok(grads[v.name], `no gradient for ${v.name}`);
    out[v.name] = grads[v.name].dataSync() as Float32Array;
  }
  const loss = value.dataSync()[0];
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  return { loss, grads: out };
}

/** The trainable variable whose name contains `part` (exactly one must). */
export function variableNamed(m: SceneModel, part: string): tf.Variable {
  const found = m.net.trainableWeights.filter((w) => w.name.includes(part));
  assert.equal(found.length, 1, `variables matching "${part}": ${found.map((w) => w.name).join(', ')}`);
  return found[0].read() as tf.Variable;
}

/**
 * Compares ∂L/∂θ_k with the central difference (L(θ + εe_k) − L(θ − εe_k)) / 2ε for the listed
 * entries of `v` (dropout must be 0 so the loss is a fixed function).
 */
export function checkFiniteDifferences(m: SceneModel, xs: tf.Tensor[], y: tf.Tensor1D, v: tf.Variable, entries: number[], eps = 1e-2): void {
  const analytic = lossGradients(m, xs, y).grads[v.name];
  const values = v.dataSync().slice();
  const lossAt = (k: number, delta: number) => {
    const copy = values.slice();
    copy[k] += delta;
    tf.tidy(() => v.assign(tf.tensor(copy, v.shape)));
    return tf.tidy(() => crossEntropy(forward(m, xs, true), y).dataSync()[0]);
  };
  for (const k of entries) {
    const numeric = (lossAt(k, eps) - lossAt(k, -eps)) / (2 * eps);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
    const tol = 1e-3 + 1e-2 * Math.abs(numeric);
    assert.ok(Math.abs(numeric - analytic[k]) < tol, `${v.name}[${k}]: analytic ${analytic[k]} vs numeric ${numeric}`);
  }
}

/** What a short `trainModel` run left behind. */
export interface TinyRun {
  history: EpochRecord[];
  /** tf.memory().numTensors after each epoch. */
  tensors: number[];
  /** Whatever `perEpoch` returned after each epoch. */
  probes: unknown[];
}

/** Trains `m` with the unchanged `trainModel` on the clip-level or frame-level view its kind needs. */
export async function trainTiny(m: SceneModel, data: SceneDataset, config: Partial<TrainConfig>, perEpoch: () => unknown = () => null): Promise<TinyRun> {
  const ds = modelView(m.name) === 'sequence' ? data : clipLevelDataset(data);
  const train = sceneTensors(ds.train, m.inputs);
  const val = sceneTensors(ds.val, m.inputs);
  const tensors: number[] = [];
  const probes: unknown[] = [];
  try {
    const cfg: TrainConfig = { ...COURSE_TRAIN_CONFIG, lr: 3e-3, batchSize: 32, maxEpochs: 3, seed: 2, ...config };
    const r = await trainModel(m, train, val, cfg, {
      log: () => {},
      onEpoch: () => {
        tensors.push(tf.memory().numTensors);
        probes.push(perEpoch());
      },
    });
    return { history: r.history, tensors, probes };
  } finally {
    disposeTensorData(train);
    disposeTensorData(val);
  }
}

/** Flattened copies of every weight of a model. */
export function weightValues(m: SceneModel): number[][] {
  return m.net.getWeights().map((w) => Array.from(w.dataSync()));
}
