/** The set-up of a WebGPU kernel suite (test/webgpu/*.gpu.ts, run on lavapipe by test/webgpu.test.ts). */
import { strict as assert } from 'node:assert';
import { initBackend } from '../../lib/backend';
import { installGpuCounters } from '../../lib/backend/webgpu/counters';

/** Brings WebGPU up before the suite, checks that each kernel `install` succeeds, and counts dispatches. */
export function onWebgpu(...installs: (() => boolean)[]): void {
  before(async () => {
    await initBackend('webgpu', { quiet: true });
    for (const install of installs) assert.ok(install(), `${install.name}: installed`);
    assert.ok(installGpuCounters());
  });
}
