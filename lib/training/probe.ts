/**
 * The training steps `initBackend('auto', { probe })` times on each backend (lib/backend/probe.ts
 * times them and chooses). `taskProbe` makes one of a training task: the step a run will actually
 * take (the task's own loss and batches, with the Adam `fit` builds), so that the backend is chosen
 * for this model's shapes. `denseProbe`, a stand-in dense network, is the default.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendProbe, ProbeStep } from '../backend/probe';
import { Rng } from '../util/rng';
import { trainableVariables, trainStep, type BatchSource, type FitTask } from './fit';
import { makeAdam } from './optimizer';

/** What `taskProbe` builds on each candidate backend: the task, its batches, and how to free them. */
export interface ProbeTask<B extends tf.TensorContainer> {
  task: Pick<FitTask<B, unknown>, 'nets' | 'loss'>;
  batches: BatchSource<B>;
  batchSize: number;
  dispose(): void;
}

/**
 * A probe that trains `make()`'s task for `steps` updates per timed round. `key` names the model
 * and its shapes in the probe cache. Batches come from a fixed seed, so every backend sees the same.
 */
export function taskProbe<B extends tf.TensorContainer>(key: string, make: () => ProbeTask<B>, steps = 4): BackendProbe {
  return {
    key,
    steps,
    async build(): Promise<ProbeStep> {
      const t = make();
      const vars = trainableVariables(t.task.nets);
      const optimizer = makeAdam(1e-3, 0);
      let batches: Iterator<{ data: B }> | null = null;
      const next = (): B => {
        let r = batches?.next();
        if (!r || r.done) {
          // A fresh pass in the same seeded order: every backend trains on the same batches.
          batches = t.batches.batches(new Rng(1), t.batchSize, 1)[Symbol.iterator]();
          r = batches.next();
        }
        if (r.done) throw new Error(`probe ${key}: the task has no batches`);
        return r.value.data;
      };
      return {
        run() {
          const data = next();
          const value = trainStep(() => t.task.loss(data, true), vars, optimizer);
          tf.dispose(data);
          return value;
        },
        dispose() {
          optimizer.dispose();
          t.dispose();
        },
      };
    },
  };
}

/** The shape of the default probe: a dense network like the scene MLP, with Adam. */
export interface DenseProbeShape {
  batch: number;
  inputs: number;
  hidden: number[];
  classes: number;
  steps: number;
}

export const DEFAULT_DENSE_PROBE: DenseProbeShape = { batch: 64, inputs: 1024, hidden: [512, 128], classes: 10, steps: 8 };

/**
 * A dense classifier's training step (matmuls, ReLU, softmax cross-entropy, Adam as the training
 * loop makes it for the backend), on fixed random data: the default probe.
 */
export function denseProbe(shape: DenseProbeShape = DEFAULT_DENSE_PROBE): BackendProbe {
  const sizes = [shape.inputs, ...shape.hidden, shape.classes];
  return {
    key: `dense ${sizes.join('-')} batch ${shape.batch}`,
    steps: shape.steps,
    async build(): Promise<ProbeStep> {
      const rng = new Rng(7);
      const vars: tf.Variable[] = [];
      const variable = (init: tf.Tensor, name: string): tf.Variable => {
        const v = tf.variable(init, true, name);
        init.dispose(); // the variable holds its own reference to the values
        return v;
      };
      for (let i = 0; i + 1 < sizes.length; i++) {
        const scale = Math.sqrt(2 / sizes[i]);
        const w = rng.fillNormal(new Float32Array(sizes[i] * sizes[i + 1])).map((v) => v * scale);
        vars.push(variable(tf.tensor2d(w, [sizes[i], sizes[i + 1]]), `probe_w${i}`), variable(tf.tensor1d(new Float32Array(sizes[i + 1])), `probe_b${i}`));
      }
      const x = tf.tensor2d(rng.fillNormal(new Float32Array(shape.batch * shape.inputs)), [shape.batch, shape.inputs]);
      const labels = Int32Array.from({ length: shape.batch }, () => rng.int(shape.classes));
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), shape.classes));
      const optimizer = makeAdam(1e-3, 0);
      const loss = (): tf.Scalar => {
        let h: tf.Tensor = x;
        for (let i = 0; i < vars.length; i += 2) {
          h = tf.add(tf.matMul(h, vars[i]), vars[i + 1]);
          if (i + 2 < vars.length) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
      };
      return {
        run: () => trainStep(loss, vars, optimizer),
        dispose() {
          optimizer.dispose();
          tf.dispose([...vars, x, y]);
        },
      };
    },
  };
}
