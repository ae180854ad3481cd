import { strict as assert } from 'node:assert';
import { initBackend } from '../../lib/backend';
import { trainWorkload, WorkloadName } from '../../lib/bench/workloads';

/** Every benchmark workload, every fused WebGPU kernel on its path, against the cpu backend. */
describe('benchmark workloads on WebGPU', () => {
  for (const name of ['mlp', 'lstm', 'conv', 'avts'] as WorkloadName[]) {
    it(`${name}: trains to the cpu backend's losses within 1e-4, without leaks`, async () => {
      await initBackend('cpu', { quiet: true });
      const cpu = await trainWorkload(name);
      await initBackend('webgpu', { quiet: true });
      const gpu = await trainWorkload(name);
      assert.equal(gpu.tensors[2], gpu.tensors[1], `tensors after each epoch: ${gpu.tensors}`);
      cpu.losses.forEach((l, e) => assert.ok(Math.abs(l - gpu.losses[e]) < 1e-4 * Math.max(1, l), `epoch ${e}: cpu ${l}, webgpu ${gpu.losses[e]}`));
      assert.ok(cpu.losses[2] !== cpu.losses[0], 'the losses move');
    });
  }
});
