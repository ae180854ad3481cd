import assert from 'node:assert/strict';
import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { trainWorkload } from '../../lib/bench/workloads';

describe('benchmark workloads across backends', function () {
  this.timeout(120000);
  after(() => initBackend('cpu', { quiet: true }));

  for (const name of ['mlp', 'lstm', 'conv', 'avts'] as const) {
    it(`${name}: wasm with the native kernels trains to the cpu backend's losses, without leaks`, async function () {
      if (!nativeBlas()) this.skip(); // the addon is not built: wasm then runs tfjs's own kernels
      await initBackend('cpu', { quiet: true });
      const cpu = await trainWorkload(name);
      await initBackend('wasm', { quiet: true });
      const wasm = await trainWorkload(name);
      assert.equal(wasm.tensors[2], wasm.tensors[1], `tensors after each epoch: ${wasm.tensors}`);
      cpu.losses.forEach((l, e) => assert.ok(Math.abs(l - wasm.losses[e]) < 1e-4 * Math.max(1, l), `epoch ${e}: cpu ${l}, wasm ${wasm.losses[e]}`));
      assert.ok(cpu.losses[2] !== cpu.losses[0], 'the losses move');
    });
  }
});
