import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../lib/backend';
import { SMALL_WORKLOAD_SHAPES, workloadProbe } from '../../lib/bench/workloads';

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

  it("probes a workload's own step (the ResNet) as a separate cache entry, with the same verdict", async () => {
    await initBackend('cpu', { quiet: true });
    const info = await initBackend('auto', { quiet: true, probe: workloadProbe('conv', SMALL_WORKLOAD_SHAPES.conv), probeCacheFile: cacheFile });
    const probe = info.probe!;
    assert.equal(probe.cached, false);
    assert.match(probe.probe, /^workload conv /);
    const [cpu, gpu] = probe.timings;
    assert.ok(!gpu.rejected, `webgpu trains the ResNet to the CPU path's losses: ${gpu.rejected}`);
    assert.ok(probe.timings.find((t) => t.backend === probe.choice)!.msPerStep! <= cpu.msPerStep!, probe.reason);
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
