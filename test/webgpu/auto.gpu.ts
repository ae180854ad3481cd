import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../lib/backend';

describe('AVLAB_BACKEND=auto with a WebGPU adapter', function () {
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-probe-')), 'probe.json');
  after(() => fs.rmSync(path.dirname(cacheFile), { recursive: true, force: true }));

  it('never picks a backend slower than the CPU path on its probe (lavapipe: wasm)', async () => {
    const info = await initBackend('auto', { quiet: true, refreshProbe: true, probeCacheFile: cacheFile });
    const probe = info.probe!;
    assert.ok(probe, 'both wasm and webgpu came up, so auto probed');
    assert.deepEqual(probe.timings.map((t) => t.backend), ['wasm', 'webgpu']);
    const [cpu, gpu] = probe.timings;
    assert.ok(!gpu.rejected, `webgpu trains to the CPU path's losses: ${gpu.rejected}`);
    assert.equal(gpu.losses.length, cpu.losses.length);
    const chosen = probe.timings.find((t) => t.backend === probe.choice)!;
    assert.ok(chosen.msPerStep! <= cpu.msPerStep!, `chose ${probe.choice} at ${chosen.msPerStep} ms/step, the CPU path takes ${cpu.msPerStep}`);
    // llvmpipe runs shaders on one CPU thread: far slower than the CPU path.
    assert.ok(gpu.msPerStep! > cpu.msPerStep!, probe.reason);
    assert.equal(info.name, 'wasm');
    assert.equal(probe.cached, false);
  });

  it('reads the verdict from the cache on the next start', async () => {
    await initBackend('cpu', { quiet: true });
    const t0 = Date.now();
    const info = await initBackend('auto', { quiet: true, probeCacheFile: cacheFile });
    assert.equal(info.probe!.cached, true);
    assert.equal(info.name, 'wasm');
    assert.ok(Date.now() - t0 < 2000, `a cached start took ${Date.now() - t0} ms`);
  });
});
