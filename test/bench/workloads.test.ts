import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { buildWorkload, WorkloadName } from '../../lib/bench/workloads';
import { trainEpoch } from '../../lib/training/fit';
import { disposeTensorData } from '../../lib/scenes/data/tensors';
import { makeAdam } from '../../lib/training/optimizer';

/** Small versions of the benchmark workloads: every native kernel runs, in seconds on the cpu backend. */
const SMALL: { [N in WorkloadName]: Partial<Record<string, number>> } = {
  mlp: { samples: 96, batch: 32, dim: 24 },
  lstm: { samples: 48, batch: 16, frames: 5, dim: 12 },
  conv: { samples: 24, batch: 8, height: 16, width: 12 },
  avts: { samples: 12, batch: 6, frames: 4, size: 8, specFrames: 16, bands: 8 },
};

/** Training losses of three epochs, and the tensor count after each epoch. */
async function train(name: WorkloadName): Promise<{ losses: number[]; tensors: number[] }> {
  const w = buildWorkload(name, 3, SMALL[name]);
  const optimizer = makeAdam(w.config.lr, w.config.weightDecay);
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let e = 0; e < 3; e++) {
    losses.push(await trainEpoch(w.task, optimizer, w.batches, w.config, e));
    tensors.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  disposeTensorData(w.data);
  w.model.net.dispose();
  return { losses, tensors };
}

describe('benchmark workloads across backends', function () {
  this.timeout(120000);
  after(() => initBackend('cpu', { quiet: true }));

  for (const name of ['mlp', 'lstm', 'conv', 'avts'] as const) {
    it(`${name}: wasm with the native kernels trains to the cpu backend's losses, without leaks`, async function () {
      if (!nativeBlas()) this.skip(); // the addon is not built: wasm then runs tfjs's own kernels
      await initBackend('cpu', { quiet: true });
      const cpu = await train(name);
      await initBackend('wasm', { quiet: true });
      const wasm = await train(name);
      assert.equal(wasm.tensors[2], wasm.tensors[1], `tensors after each epoch: ${wasm.tensors}`);
      cpu.losses.forEach((l, e) => assert.ok(Math.abs(l - wasm.losses[e]) < 1e-4 * Math.max(1, l), `epoch ${e}: cpu ${l}, wasm ${wasm.losses[e]}`));
      assert.ok(cpu.losses[2] !== cpu.losses[0], 'the losses move');
    });
  }
});
