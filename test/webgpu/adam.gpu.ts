import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { countsSince, gpuCounts, installGpuCounters } from '../../lib/backend/webgpu/counters';
import { makeAdam, StepOptimizer } from '../../lib/training/optimizer';
import { Rng } from '../../lib/util/rng';

/** Shapes of a small network's variables: sizes off the workgroup size, a single value, a big one. */
const SHAPES = [[37, 19], [19], [1], [300, 257], [5, 3, 3, 7]];

function values(seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return SHAPES.map((s) => rng.fillNormal(new Float32Array(s.reduce((a, b) => a * b, 1))));
}

/** Runs `steps` updates from fixed weights and gradients; returns the final weights. */
async function train(steps: number, resumeAt?: number): Promise<{ weights: Float32Array[]; kind: string }> {
  const init = values(1);
  const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(init[i], s), true, `adam_test_${i}`));
  let opt: StepOptimizer = makeAdam(0.01, 0.05);
  const kind = opt.kind;
  for (let t = 0; t < steps; t++) {
    if (t === resumeAt) {
      // A checkpoint and a fresh optimiser restored from it, as `fit` resumes.
      const saved = (await opt.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
      opt.dispose();
      opt = makeAdam(0.01, 0.05);
      await opt.setWeights(saved);
      saved.forEach((w) => w.tensor.dispose());
    }
    const g = values(100 + t);
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.tensor(g[i], SHAPES[i])));
    opt.step(vars, grads);
    tf.dispose(Object.values(grads));
  }
  const weights = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
  opt.dispose();
  tf.dispose(vars);
  return { weights, kind };
}

function assertClose(a: Float32Array[], b: Float32Array[], what: string): void {
  a.forEach((x, i) => x.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= 1e-5 * Math.max(1, Math.abs(b[i][j])), `${what}: variable ${i}[${j}] ${v} vs ${b[i][j]}`)));
}

describe('Adam in one WebGPU dispatch', function () {
  let reference: Float32Array[];
  before(async () => {
    await initBackend('cpu', { quiet: true });
    reference = (await train(4)).weights;
    await initBackend('webgpu', { quiet: true });
    installGpuCounters();
  });

  it("equals tfjs's Adam with PyTorch's weight decay and ε on the cpu backend, over four steps", async () => {
    const gpu = await train(4);
    assert.equal(gpu.kind, 'webgpu-adam');
    assertClose(gpu.weights, reference, 'webgpu vs cpu');
  });

  it('resumes from its checkpointed moments exactly', async () => {
    assertClose((await train(4, 2)).weights, reference, 'resumed after step 2');
  });

  it('updates every variable with one dispatch and leaks no tensor', async () => {
    // As layers make them: the initial tensors are disposed, so nothing else shares their buffers.
    const vars = SHAPES.map((s, i) => {
      const init = tf.ones(s);
      const v = tf.variable(init, true, `adam_count_${i}`);
      init.dispose();
      return v;
    });
    const opt = makeAdam(0.01, 0);
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v) => (grads[v.name] = tf.onesLike(v)));
    opt.step(vars, grads); // first step: state buffers made, pipeline compiled
    const before = gpuCounts();
    const tensors = tf.memory().numTensors;
    opt.step(vars, grads);
    await vars[0].data();
    assert.equal(countsSince(before).dispatches, 1);
    assert.equal(tf.memory().numTensors, tensors);
    // Adam's first steps move every weight by about the learning rate, against the gradient's sign.
    assert.ok(Math.abs((await vars[1].data())[0] - (1 - 2 * 0.01)) < 1e-4);
    opt.dispose();
    tf.dispose([...vars, ...Object.values(grads)]);
  });
});

describe('in-place Adam steps and tensors that share a variable', () => {
  before(() => initBackend('webgpu', { quiet: true }));

  it("leave a clone and a reshape taken before the step unchanged (fit keeps its best weights as clones)", async () => {
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]), true, 'adam_shared');
    const best = v.clone(); // on webgpu a clone shares the variable's buffer
    const flat = tf.reshape(v, [4]);
    const opt = makeAdam(0.1, 0);
    const grads: tf.NamedTensorMap = { [v.name]: tf.onesLike(v) };
    opt.step([v], grads);
    assert.deepEqual(Array.from(await best.data()), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(await flat.data()), [1, 2, 3, 4]);
    const moved = Array.from(await v.data());
    moved.forEach((x, i) => assert.ok(Math.abs(x - (i + 1 - 0.1)) < 1e-5, `variable ${moved}`));
    opt.dispose();
    tf.dispose([v, best, flat, ...Object.values(grads)]);
  });
});
