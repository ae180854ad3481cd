import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';
import { crossEntropy } from '../../lib/losses/crossEntropy';
import { Rng } from '../../lib/util/rng';
import { maxRelativeError, normalValues, onBackend } from '../helpers/compare';

/** The loss and its gradient with respect to the logits, for fixed logits and labels. */
function lossAndGradient(n: number, c: number, seed: number, scale: number): () => tf.Tensor[] {
  const rng = new Rng(seed);
  const z = normalValues(rng, [n, c], scale);
  // One label out of range: it contributes nothing, as a one-hot row of zeros.
  const y = Int32Array.from({ length: n }, (_, i) => (i === n - 1 && n > 2 ? c : rng.int(c)));
  return () => {
    const logits = tf.tensor2d(z, [n, c]);
    const labels = tf.tensor1d(y, 'int32');
    const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, labels))([logits]);
    tf.dispose([logits, labels]);
    return [value, grads[0]];
  };
}

describe('WebGPU cross-entropy kernel', () => {
  beforeEach(async () => {
    await initBackend('webgpu', { quiet: true });
    installGpuCounters();
  });

  // Rows below and above a workgroup's 256 threads, two and many classes, logits large enough to overflow exp.
  for (const [n, c, scale] of [[7, 10, 1], [300, 3, 2], [64, 2, 1], [5, 517, 1], [33, 10, 80]] as const) {
    it(`equals tfjs's log-softmax formula on the cpu backend for logits [${n}, ${c}] × ${scale}`, async () => {
      const f = lossAndGradient(n, c, n * c, scale);
      const gpu = await onBackend('webgpu', f);
      const cpu = await onBackend('cpu', f);
      assert.ok(Number.isFinite(gpu[0][0]));
      ['loss', 'dlogits'].forEach((name, i) => assert.ok(maxRelativeError(gpu[i], cpu[i]) < 1e-5, `${name}: ${maxRelativeError(gpu[i], cpu[i])}`));
    });
  }

  it('takes one dispatch forward and one backward, and leaks nothing', async () => {
    const f = lossAndGradient(64, 10, 1, 1);
    tf.dispose(f());
    const tensors = tf.memory().numTensors;
    const before = gpuCounts();
    const out = f();
    await out[1].data();
    // Uploading the inputs costs no dispatch; the loss and its gradient one each.
    assert.equal(countsSince(before).dispatches, 2);
    tf.dispose(out);
    assert.equal(tf.memory().numTensors, tensors);
  });

  it("is timed by tf.profile like tfjs's own kernels (GPU timestamps)", async function () {
    if (!(tf.backend() as unknown as { supportTimestampQuery: boolean }).supportTimestampQuery) this.skip();
    // Large enough that each kernel outlasts the timestamps' resolution (a few µs on lavapipe).
    const f = lossAndGradient(2048, 256, 2, 1);
    const profile = await tf.profile(async () => {
      const out = f();
      await out[1].data();
      tf.dispose(out);
    });
    for (const name of ['AvlabCrossEntropy', 'AvlabCrossEntropyGrad']) {
      const k = profile.kernels.find((x) => x.name === name);
      assert.ok(k && typeof k.kernelTimeMs === 'number' && k.kernelTimeMs > 0, `${name}: ${JSON.stringify(k?.kernelTimeMs)}`);
    }
  });
});
