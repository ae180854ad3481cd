/**
 * Adam with PyTorch's L2 weight decay (g ← g + λθ before the moments), in three implementations
 * behind one interface: tfjs's own optimizer (every backend); a fused native step that updates θ, m
 * and v in place in the wasm backend's memory (one pass per variable instead of a dozen tensor ops),
 * used when the native addon is loaded; and one WebGPU dispatch for all variables on the webgpu
 * backend. All checkpoint their state by name; the native and WebGPU steps share one format.
 */
import * as tf from '@tensorflow/tfjs';
import { heapView, nativeBlas, nativeMatMulInstalled } from '../backend/nativeMatMul';
import { PackedAdam } from '../backend/webgpu/adam';
import { webgpuBackend } from '../backend/webgpu/raw';

/** A named tensor, as optimiser state is saved. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** What the training loop needs from an optimiser. */
export interface StepOptimizer {
  readonly kind: 'tfjs-adam' | 'native-adam' | 'webgpu-adam';
  learningRate: number;
  /** One update of `vars` from `grads` (keyed by variable name); weight decay included. */
  step(vars: tf.Variable[], grads: tf.NamedTensorMap): void;
  /** State for checkpoints. */
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[]): Promise<void>;
  dispose(): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
/** PyTorch's default; tfjs's Adam would otherwise use 1e-7. */
const EPSILON = 1e-8;

/** tfjs's Adam. Its running β powers are saved too: restoring them as βᵗ differs in the last bits. */
class TfjsAdam implements StepOptimizer {
  readonly kind = 'tfjs-adam' as const;
  private readonly opt: tf.AdamOptimizer;
  constructor(lr: number, private readonly weightDecay: number) {
    this.opt = tf.train.adam(lr, BETA1, BETA2, EPSILON);
  }
  get learningRate(): number {
    return (this.opt as unknown as { learningRate: number }).learningRate;
  }
  set learningRate(lr: number) {
    (this.opt as unknown as { learningRate: number }).learningRate = lr;
  }
  step(vars: tf.Variable[], grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      const g: tf.NamedTensorMap = {};
      for (const v of vars) g[v.name] = this.weightDecay > 0 ? tf.add(grads[v.name], tf.mul(v, this.weightDecay)) : grads[v.name];
      this.opt.applyGradients(g as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
    });
  }
  private powers(): { accBeta1?: tf.Variable; accBeta2?: tf.Variable } {
    return this.opt as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  }
  async getWeights(): Promise<NamedTensor[]> {
    const p = this.powers();
    const extra = p.accBeta1 && p.accBeta2 ? [{ name: '__accBeta1', tensor: p.accBeta1 }, { name: '__accBeta2', tensor: p.accBeta2 }] : [];
    return [...(await this.opt.getWeights()), ...extra];
  }
  async setWeights(weights: NamedTensor[]): Promise<void> {
    await this.opt.setWeights(weights.filter((w) => !w.name.startsWith('__')));
    const p = this.powers();
    for (const w of weights.filter((x) => x.name.startsWith('__'))) (w.name === '__accBeta1' ? p.accBeta1 : p.accBeta2)?.assign(w.tensor as tf.Scalar);
  }
  dispose(): void {
    this.opt.dispose();
  }
}

/**
 * The fused steps write a variable's values in place. A tensor sharing its memory — a clone (on
 * WebGPU a clone shares the buffer), a reshape, the tensor it was made from, `fit`'s best weights —
 * must keep its values, as tfjs's immutable tensors promise: such a variable first gets a buffer
 * of its own (one copy, only when shared).
 */
function unshare(vars: tf.Variable[]): void {
  const backend = tf.backend() as unknown as { refCount?(dataId: object): number };
  const shared = vars.filter((v) => (backend.refCount?.(v.dataId) ?? 1) > 1);
  if (shared.length) tf.tidy(() => shared.forEach((v) => v.assign(tf.add(v, tf.scalar(0)))));
}

/** One Adam moment of a checkpoint: which one, of which variable (by position). */
interface StoredMoment {
  which: 'm' | 'v';
  index: number;
  tensor: tf.Tensor;
}

/**
 * Reads a fused step's checkpoint (`iter`, then `m:i` and `v:i` per variable, by position): the step
 * count (`t` when absent) and the moments.
 */
async function readFusedState(weights: NamedTensor[], t: number): Promise<{ t: number; moments: StoredMoment[] }> {
  const moments: StoredMoment[] = [];
  for (const w of weights) {
    if (w.name === 'iter') {
      t = (await w.tensor.data())[0];
      continue;
    }
    const match = /^([mv]):(\d+)$/.exec(w.name);
    if (!match) throw new Error(`optimizer state "${w.name}" is not a moment of avlab's fused Adam (was the checkpoint written with AVLAB_FUSED_ADAM=0?)`);
    moments.push({ which: match[1] as 'm' | 'v', index: Number(match[2]), tensor: w.tensor });
  }
  return { t, moments };
}

/**
 * The fused native step on the wasm backend's memory. Moments are kept by the variables' position
 * (the order of `trainableWeights`), not their names: tfjs renames layers built twice in a process.
 */
class NativeAdam implements StepOptimizer {
  readonly kind = 'native-adam' as const;
  private t = 0;
  private moments: { m: tf.Tensor; v: tf.Tensor }[] = [];
  constructor(public learningRate: number, private readonly weightDecay: number) {}

  private view(t: tf.Tensor): Float32Array {
    return heapView(tf.backend(), t);
  }
  step(vars: tf.Variable[], grads: tf.NamedTensorMap): void {
    this.t++;
    unshare(vars);
    const blas = nativeBlas()!;
    // Moments are created before any view is taken: allocating may grow (and move) wasm memory.
    vars.forEach((v, i) => {
      if (!this.moments[i]) this.moments[i] = { m: tf.zeros(v.shape), v: tf.zeros(v.shape) };
      if (this.moments[i].m.size !== v.size) throw new Error(`optimizer state ${i} has ${this.moments[i].m.size} values, variable ${v.name} ${v.size}`);
    });
    vars.forEach((v, i) => {
      const s = this.moments[i];
      blas.adam(this.view(v), this.view(grads[v.name]), this.view(s.m), this.view(s.v), this.learningRate, BETA1, BETA2, EPSILON, this.weightDecay, this.t);
    });
  }
  /** The step count as last exported (owned here, like the moments, so a checkpoint leaks nothing). */
  private iter: tf.Scalar | null = null;
  async getWeights(): Promise<NamedTensor[]> {
    this.iter?.dispose();
    this.iter = tf.scalar(this.t);
    const out: NamedTensor[] = [{ name: 'iter', tensor: this.iter }];
    this.moments.forEach((s, i) => out.push({ name: `m:${i}`, tensor: s.m }, { name: `v:${i}`, tensor: s.v }));
    return out;
  }
  async setWeights(weights: NamedTensor[]): Promise<void> {
    const state = await readFusedState(weights, this.t);
    this.t = state.t;
    for (const { which, index: i, tensor } of state.moments) {
      if (!this.moments[i]) this.moments[i] = { m: tf.zeros(tensor.shape), v: tf.zeros(tensor.shape) };
      this.moments[i][which].dispose();
      this.moments[i][which] = tf.clone(tensor);
    }
  }
  dispose(): void {
    for (const s of this.moments) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments = [];
    this.iter?.dispose();
    this.iter = null;
  }
}

/**
 * The WebGPU step: every variable's update in one dispatch over packed buffers (lib/backend/webgpu/
 * adam.ts). Moments are kept by position and checkpointed as `iter`, `m:i`, `v:i`, as the native step.
 */
class WebGpuAdam implements StepOptimizer {
  readonly kind = 'webgpu-adam' as const;
  private t = 0;
  private packed: PackedAdam | null = null;
  /** Moments restored before the first step, when the variables' sizes are not known yet. */
  private pending: { which: 'm' | 'v'; index: number; values: Float32Array }[] = [];
  private exported: tf.Tensor[] = [];
  constructor(public learningRate: number, private readonly weightDecay: number) {}

  private state(sizes: number[]): PackedAdam {
    if (this.packed && this.packed.sizes.length === sizes.length && this.packed.sizes.every((s, i) => s === sizes[i])) return this.packed;
    if (this.packed) throw new Error(`optimizer state holds ${this.packed.sizes.length} variables of sizes ${this.packed.sizes.join(',')}; asked to step ${sizes.join(',')}`);
    this.packed = new PackedAdam(webgpuBackend()!, sizes);
    return this.packed;
  }
  step(vars: tf.Variable[], grads: tf.NamedTensorMap): void {
    this.t++;
    unshare(vars);
    const packed = this.state(vars.map((v) => v.size));
    if (this.pending.length) this.restore(packed);
    packed.step(vars, vars.map((v) => grads[v.name]), { lr: this.learningRate, beta1: BETA1, beta2: BETA2, epsilon: EPSILON, weightDecay: this.weightDecay, t: this.t });
  }
  private restore(packed: PackedAdam): void {
    for (const m of this.pending) packed.write(m.which, m.index, m.values);
    this.pending = [];
  }
  async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const out: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(this.t) }];
    if (this.packed) {
      const [m, v] = [await this.packed.read('m'), await this.packed.read('v')];
      this.packed.sizes.forEach((size, i) => {
        const at = this.packed!.offsets[i];
        out.push({ name: `m:${i}`, tensor: tf.tensor1d(m.subarray(at, at + size)) }, { name: `v:${i}`, tensor: tf.tensor1d(v.subarray(at, at + size)) });
      });
    }
    this.exported = out.map((w) => w.tensor);
    return out;
  }
  async setWeights(weights: NamedTensor[]): Promise<void> {
    const state = await readFusedState(weights, this.t);
    this.t = state.t;
    for (const m of state.moments) this.pending.push({ which: m.which, index: m.index, values: (await m.tensor.data()) as Float32Array });
    if (this.packed) this.restore(this.packed);
  }
  dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    this.pending = [];
    this.packed?.dispose();
    this.packed = null;
  }
}

/**
 * Adam with weight decay for the current backend: the fused native step on wasm when the native
 * addon is active, the one-dispatch step on webgpu (set AVLAB_FUSED_ADAM=0 to compare with tfjs's
 * Adam), tfjs's Adam otherwise.
 */
export function makeAdam(lr: number, weightDecay: number): StepOptimizer {
  const fused = process.env.AVLAB_FUSED_ADAM !== '0';
  if (fused && tf.getBackend() === 'wasm' && nativeMatMulInstalled()) return new NativeAdam(lr, weightDecay);
  if (fused && webgpuBackend()) return new WebGpuAdam(lr, weightDecay);
  return new TfjsAdam(lr, weightDecay);
}
