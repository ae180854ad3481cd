/**
 * Adam for every variable of a model in one WebGPU dispatch. tfjs's Adam issues about ten
 * elementwise kernels per variable and step (about 170 of the scene MLP's 261 dispatches per step).
 * Here the gradients and parameters are copied into one packed buffer (buffer copies, not
 * dispatches), one kernel updates parameters and both moments, and the parameters are copied back
 * into the variables' own buffers: the same update as the native CPU step (`blas.c`), in place.
 */
import * as tf from '@tensorflow/tfjs';
import { bufferOf, computePass, flush, holdUntilSubmit, pipelineFor, WebGPUBackendLike, grid } from './raw';

const WORKGROUP = 256;

const ADAM_WGSL = /* wgsl */ `
struct Step { c1: f32, c2: f32, b1: f32, b2: f32, wd: f32, eps: f32, total: u32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<uniform> s: Step;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = id.x + id.y * n.x * ${WORKGROUP}u;
  if (i >= s.total) { return; }
  let gi = g[i] + s.wd * p[i];
  let mi = s.b1 * m[i] + (1.0 - s.b1) * gi;
  let vi = s.b2 * v[i] + (1.0 - s.b2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] - s.c1 * mi / (sqrt(vi) * s.c2 + s.eps);
}`;

/** Adam's constants for one step (`t` counts from 1). */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  t: number;
}

/** The packed state of one optimiser: parameters, gradients and both moments, one buffer each. */
export class PackedAdam {
  readonly offsets: number[];
  readonly total: number;
  private readonly p: GPUBuffer;
  private readonly g: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;

  constructor(private readonly backend: WebGPUBackendLike, readonly sizes: number[]) {
    let off = 0;
    this.offsets = sizes.map((s) => ((off += s), off - s));
    this.total = off;
    const bytes = Math.max(4, this.total * 4);
    const make = (): GPUBuffer => backend.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    [this.p, this.g, this.m, this.v] = [make(), make(), make(), make()];
    // Buffers are created zeroed, as the moments start.
  }

  /** Records one step over `vars` with `grads` (same order, same sizes) into tfjs's command stream. */
  step(vars: tf.TensorInfo[], grads: tf.TensorInfo[], k: AdamStep): void {
    const b = this.backend;
    const varBufs = vars.map((t) => bufferOf(b, t));
    const gradBufs = grads.map((t) => bufferOf(b, t));
    b.endComputePassEncoder();
    b.ensureCommandEncoderReady();
    const enc = b.commandEncoder!;
    vars.forEach((_, i) => {
      const bytes = this.sizes[i] * 4;
      if (!bytes) return;
      enc.copyBufferToBuffer(gradBufs[i], 0, this.g, this.offsets[i] * 4, bytes);
      enc.copyBufferToBuffer(varBufs[i], 0, this.p, this.offsets[i] * 4, bytes);
    });
    const u = new ArrayBuffer(32);
    new Float32Array(u, 0, 6).set([k.lr / (1 - Math.pow(k.beta1, k.t)), 1 / Math.sqrt(1 - Math.pow(k.beta2, k.t)), k.beta1, k.beta2, k.weightDecay, k.epsilon]);
    new Uint32Array(u, 24, 1)[0] = this.total;
    const ub = b.bufferManager.acquireBuffer(32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    b.queue.writeBuffer(ub, 0, u);
    b.uniformPendingDisposal.push(ub);
    const pipeline = pipelineFor(b.device, ADAM_WGSL);
    const bindGroup = b.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [this.p, this.m, this.v, this.g, ub].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = computePass(b);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...grid(Math.ceil(this.total / WORKGROUP)));
    b.endComputePassEncoder();
    vars.forEach((_, i) => {
      if (this.sizes[i]) enc.copyBufferToBuffer(this.p, this.offsets[i] * 4, varBufs[i], 0, this.sizes[i] * 4);
    });
    holdUntilSubmit(b, [...vars, ...grads]);
    b.dispatchCountInPass++;
  }

  /** Reads one moment buffer back (for checkpoints). */
  async read(which: 'm' | 'v'): Promise<Float32Array> {
    flush(this.backend);
    return new Float32Array(await this.backend.getBufferData(which === 'm' ? this.m : this.v));
  }

  /** Overwrites the moments of variable `i` (checkpoint restore). */
  write(which: 'm' | 'v', i: number, values: Float32Array): void {
    if (values.length !== this.sizes[i]) throw new Error(`optimizer state ${which}:${i} has ${values.length} values, variable ${this.sizes[i]}`);
    flush(this.backend);
    this.backend.queue.writeBuffer(which === 'm' ? this.m : this.v, this.offsets[i] * 4, values);
  }

  dispose(): void {
    flush(this.backend);
    for (const buf of [this.p, this.g, this.m, this.v]) buf.destroy();
  }
}
