/**
 * Adam with PyTorch's L2 weight decay (g ← g + λθ before the moments), in two implementations
 * behind one interface: tfjs's own optimizer (every backend), and a fused native step that updates
 * θ, m and v in place in the wasm backend's memory (one pass per variable instead of a dozen tensor
 * ops), used when the native addon is loaded. Both checkpoint their state by name.
 */
import * as tf from '@tensorflow/tfjs';
import { heapView, nativeBlas, nativeMatMulInstalled } from '../backend/nativeMatMul';

/** A named tensor, as optimiser state is saved. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** What the training loop needs from an optimiser. */
export interface StepOptimizer {
  readonly kind: 'tfjs-adam' | 'native-adam';
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
  async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(this.t) }];
    this.moments.forEach((s, i) => out.push({ name: `m:${i}`, tensor: s.m }, { name: `v:${i}`, tensor: s.v }));
    return out;
  }
  async setWeights(weights: NamedTensor[]): Promise<void> {
    for (const w of weights) {
      if (w.name === 'iter') {
        this.t = (await w.tensor.data())[0];
        continue;
      }
      const match = /^([mv]):(\d+)$/.exec(w.name);
      if (!match) throw new Error(`optimizer state "${w.name}" is not a native Adam moment (was the checkpoint written with AVLAB_NATIVE_ADAM=0?)`);
      const i = Number(match[2]);
      const which = match[1] as 'm' | 'v';
      if (!this.moments[i]) this.moments[i] = { m: tf.zeros(w.tensor.shape), v: tf.zeros(w.tensor.shape) };
      this.moments[i][which].dispose();
      this.moments[i][which] = tf.clone(w.tensor);
    }
  }
  dispose(): void {
    for (const s of this.moments) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments = [];
  }
}

/**
 * Adam with weight decay for the current backend: the fused native step on wasm when the native
 * addon is active (set AVLAB_NATIVE_ADAM=0 to compare), tfjs's Adam otherwise.
 */
export function makeAdam(lr: number, weightDecay: number): StepOptimizer {
  if (tf.getBackend() === 'wasm' && nativeMatMulInstalled() && process.env.AVLAB_NATIVE_ADAM !== '0') return new NativeAdam(lr, weightDecay);
  return new TfjsAdam(lr, weightDecay);
}
