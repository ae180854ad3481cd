/**
 * The counter-based dropout kernel (lib/nn/dropout.ts) as one WebGPU dispatch: each thread hashes
 * its index with the step's seed and writes x · m. The size, threshold and scale are baked into the
 * shader (constant per layer); the seed, which changes every step, is the one uniform. Before it,
 * the mask was drawn on the host and uploaded each step (about 1.5 ms of host time per MLP step).
 */
import * as tf from '@tensorflow/tfjs';
import { DROPOUT_KERNEL, dropoutScale, dropoutThreshold, registerDropoutGradient } from '../../nn/dropout';
import { f32Literal, grid, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

const THREADS = 256;

/** WGSL of `dropoutHash` and the product for `n` elements; u32 arithmetic wraps as Math.imul does. */
function shader(n: number, rate: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> seed: vec4<u32>;
const N = ${n}u;
fn fmix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}
@compute @workgroup_size(${THREADS})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = id.x + id.y * nw.x * ${THREADS}u;
  if (i >= N) { return; }
  let k = fmix32(seed.x ^ 0x9e3779b9u);
  let h = fmix32(fmix32(i ^ k) + k);
  let m = select(0.0, ${f32Literal(dropoutScale(rate))}, (h >> 8u) >= ${dropoutThreshold(rate)}u);
  y[i] = x[i] * m;
}`;
}

let installed = false;

/** Registers `AvlabDropout` and its gradient for webgpu. Idempotent; false without WebGPU. */
export function installWebgpuDropout(): boolean {
  if (installed) return true;
  if (!webgpuBackend()) return false;
  tf.registerKernel({
    kernelName: DROPOUT_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const { rate, seed } = attrs as unknown as { rate: number; seed: number };
      const b = backend as unknown as WebGPUBackendLike;
      const n = tf.util.sizeFromShape(x.shape);
      if (n === 0) return b.makeTensorInfo(x.shape, 'float32');
      return runRaw(b, {
        code: shader(n, rate),
        inputs: [x],
        outputs: [{ shape: x.shape }],
        workgroups: grid(Math.ceil(n / THREADS)),
        uniform: new Uint32Array([seed >>> 0, 0, 0, 0]).buffer,
        label: DROPOUT_KERNEL,
      })[0];
    },
  });
  registerDropoutGradient();
  installed = true;
  return true;
}
