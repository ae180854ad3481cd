/**
 * A backend probe made of a training task: `initBackend('auto', { probe })` then times the step a
 * run will actually take (the task's own loss and batches, with the Adam `fit` builds), so that the
 * backend is chosen for this model's shapes, not for a stand-in network.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendProbe, ProbeStep } from '../backend/probe';
import { Rng } from '../util/rng';
import type { BatchSource, FitTask } from './fit';
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
      const vars = t.task.nets.flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
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
          const { value, grads } = tf.variableGrads(() => t.task.loss(data, true), vars);
          optimizer.step(vars, grads);
          tf.dispose([grads, data] as tf.TensorContainer[]);
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
