import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backendChoice, initBackend } from '../../lib/backend';

describe('backend ladder', () => {
  it('parses AVLAB_BACKEND and rejects unknown values', () => {
    assert.equal(backendChoice(undefined), 'auto');
    assert.equal(backendChoice(' WASM '), 'wasm');
    assert.throws(() => backendChoice('cuda'), /AVLAB_BACKEND=cuda: expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('initialises an explicit backend and reports it', async () => {
    const info = await initBackend('wasm', { quiet: true });
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const cpu = await initBackend('cpu', { quiet: true });
    assert.equal(cpu.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('auto falls back down the ladder to a working backend, saying why it skipped the others', async () => {
    const info = await initBackend('auto', { quiet: true });
    assert.ok(['tensorflow', 'webgpu', 'wasm'].includes(info.name));
    if (info.name === 'wasm') assert.ok(info.skipped.some((s) => s.includes('tfjs-node')), info.skipped.join('; '));
    await initBackend('cpu', { quiet: true });
  });

  it('an explicit backend that is not available is an error, not a silent fallback', async function () {
    let hasNative = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      hasNative = false;
    }
    if (hasNative) this.skip();
    await assert.rejects(initBackend('tensorflow', { quiet: true }), /AVLAB_BACKEND=tensorflow is not available here/);
    await initBackend('cpu', { quiet: true });
  });
});
