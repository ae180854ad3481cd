import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { chooseBackend, probeBackends, ProbeTiming, SPEED_MARGIN, timeProbe } from '../../lib/backend/probe';
import { denseProbe } from '../../lib/training/probe';
import { SMALL_WORKLOAD_SHAPES, workloadProbe } from '../../lib/bench/workloads';

const t = (backend: string, msPerStep: number | null, losses = [2.3, 2.1, 1.9], rejected?: string): ProbeTiming => ({ backend, msPerStep, losses, rejected });

describe('backend probe', () => {
  it('keeps the CPU path when another backend is slower, or faster by less than the margin', () => {
    assert.equal(chooseBackend([t('wasm', 10), t('webgpu', 30)]).choice, 'wasm');
    assert.equal(chooseBackend([t('wasm', 10), t('webgpu', 10 * (1 - SPEED_MARGIN / 2))]).choice, 'wasm');
  });

  it('takes the fastest backend that is clearly faster and trains to the same losses', () => {
    const r = chooseBackend([t('wasm', 10), t('webgpu', 2), t('tensorflow', 5)]);
    assert.equal(r.choice, 'webgpu');
    assert.match(r.reason, /wasm 10\.00 ms\/step, webgpu 2\.00 ms\/step, tensorflow 5\.00 ms\/step: fastest/);
  });

  it('rejects a faster backend whose losses differ, and one that failed', () => {
    const r = chooseBackend([t('wasm', 10), t('webgpu', 1, [2.3, 2.1, 1.95]), t('tensorflow', null, [], 'failed: no device')]);
    assert.equal(r.choice, 'wasm');
    assert.match(r.timings[1].rejected!, /losses differ from wasm's at step 3 \(1\.95 vs 1\.9\)/);
    // Within the tolerance (1e-4 relative) is the same loss.
    assert.equal(chooseBackend([t('wasm', 10), t('webgpu', 1, [2.3002, 2.1, 1.9])]).choice, 'webgpu');
  });

  it('times a dense training step whose loss falls, and leaks nothing', async () => {
    await initBackend('cpu', { quiet: true });
    const before = tf.memory().numTensors;
    const r = await timeProbe(denseProbe({ batch: 8, inputs: 16, hidden: [12], classes: 3, steps: 4 }), 'cpu');
    assert.equal(r.rejected, undefined);
    assert.equal(r.losses.length, 4);
    assert.ok(r.losses[3] < r.losses[0], `losses ${r.losses}`);
    assert.ok(r.msPerStep! > 0);
    assert.equal(tf.memory().numTensors, before);
  });

  it("times a workload's own training step (the scene MLP on its batches), and leaks nothing", async () => {
    await initBackend('cpu', { quiet: true });
    const probe = workloadProbe('mlp', SMALL_WORKLOAD_SHAPES.mlp);
    assert.match(probe.key, /^workload mlp samples 64, batch 32, dim 24, classes 10$/);
    const before = tf.memory().numTensors;
    const a = await timeProbe(probe, 'cpu');
    const b = await timeProbe(probe, 'cpu');
    assert.equal(a.rejected, undefined);
    assert.equal(a.losses.length, probe.steps);
    // The same seeded model and batches every time: a second backend would see the same losses.
    assert.deepEqual(b.losses, a.losses);
    assert.equal(tf.memory().numTensors, before);
  });

  it('measures once per machine and probe, then reads the cache; refresh measures again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avlab-probe-'));
    const cacheFile = path.join(dir, 'probe.json');
    let activations = 0;
    const candidates = ['cpu', 'cpu2'].map((name) => ({ name, activate: async () => void (activations++, await tf.setBackend('cpu')) }));
    const probe = denseProbe({ batch: 4, inputs: 8, hidden: [], classes: 2, steps: 2 });
    const first = await probeBackends(probe, candidates, { cacheFile });
    assert.equal(first.cached, false);
    assert.equal(activations, 2);
    // The same code on the same backend: equal losses.
    assert.deepEqual(first.timings[1].losses, first.timings[0].losses);
    assert.equal(first.timings[1].rejected, undefined);
    const second = await probeBackends(probe, candidates, { cacheFile });
    assert.equal(second.cached, true);
    assert.equal(activations, 2);
    assert.deepEqual(second.timings, first.timings);
    const other = await probeBackends(denseProbe({ batch: 4, inputs: 8, hidden: [3], classes: 2, steps: 2 }), candidates, { cacheFile });
    assert.equal(other.cached, false, 'another probe shape is another entry');
    assert.equal(Object.keys(JSON.parse(fs.readFileSync(cacheFile, 'utf8'))).length, 2);
    await probeBackends(probe, candidates, { cacheFile, refresh: true });
    assert.equal(activations, 6);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
