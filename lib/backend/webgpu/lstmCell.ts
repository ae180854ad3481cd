/**
 * The LSTM cell update of lib/nn/lstmCell.ts (`AvlabLstmCell`, `AvlabLstmCellGrad`) as one WebGPU
 * dispatch each way, where tfjs's split, activations and products took about 10 dispatches forward
 * and 25 backward. One thread per (sample n, unit j) reads the four gate pre-activations
 * z[n, j + kH] (k = i, f, g, o) and c[n, j]:
 *
 *   forward   c' = σ(z_f) c + σ(z_i) tanh(z_g),  h' = σ(z_o) tanh(c')
 *   backward  δ = dc' + dh' o (1 − tanh² c'),  dz_i = δ g i(1 − i),  dz_f = δ c f(1 − f),
 *             dz_g = δ i (1 − g²),  dz_o = dh' tanh(c') o(1 − o),  dc = δ f
 *
 * The gates are recomputed from z in the backward pass. A gradient the tape made on the host because
 * nothing used that output (dc' of a decoder step that only emits h') is left out of the shader, so
 * it is neither uploaded nor read. Sizes are baked into the shaders (compiled once per shape).
 *
 * σ and tanh are the sequence kernels' (`LSTM_ACTIVATIONS`, lstm.ts): finite for any finite v, and
 * within a few float32 ulps of tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_CELL_GRAD_KERNEL, LSTM_CELL_KERNEL } from '../../nn/lstmCell';
import { LSTM_ACTIVATIONS } from './lstm';
import { grid, isHostZeros, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

const THREADS = 256;

/** Index prelude: thread t = n H + j, returning past N H; `zb` is z's offset of gate i. */
function prelude(n: number, h: number): string {
  return `
const H = ${h}u;
const NH = ${n * h}u;
${LSTM_ACTIVATIONS}
@compute @workgroup_size(${THREADS})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let t = id.x + id.y * nw.x * ${THREADS}u;
  if (t >= NH) { return; }
  let j = t % H;
  let zb = (t - j) * 4u + j;
  let i = sigmoid(z[zb]);
  let f = sigmoid(z[zb + H]);
  let g = tanhSafe(z[zb + 2u * H]);
  let o = sigmoid(z[zb + 3u * H]);`;
}

function forwardShader(n: number, h: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> hOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> cOut: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
${prelude(n, h)}
  let cn = f * c[t] + i * g;
  cOut[t] = cn;
  hOut[t] = o * tanhSafe(cn);
}`;
}

/** The backward shader; `withDh` / `withDc` false leave that (all-zero) gradient out. */
function backwardShader(n: number, h: number, withDh: boolean, withDc: boolean): string {
  let binding = 5;
  const optional = (name: string, on: boolean) => (on ? `@group(0) @binding(${binding++}) var<storage, read> ${name}: array<f32>;` : '');
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dz: array<f32>;
@group(0) @binding(1) var<storage, read_write> dcOut: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read> cNew: array<f32>;
${optional('dh', withDh)}
${optional('dc', withDc)}
${prelude(n, h)}
  let tc = tanhSafe(cNew[t]);
  let dhv = ${withDh ? 'dh[t]' : '0.0'};
  let delta = ${withDc ? 'dc[t]' : '0.0'} + dhv * o * (1.0 - tc * tc);
  dz[zb] = delta * g * i * (1.0 - i);
  dz[zb + H] = delta * c[t] * f * (1.0 - f);
  dz[zb + 2u * H] = delta * i * (1.0 - g * g);
  dz[zb + 3u * H] = dhv * tc * o * (1.0 - o);
  dcOut[t] = delta * f;
}`;
}

let installed = false;

/** Registers `AvlabLstmCell` and `AvlabLstmCellGrad` for webgpu. Idempotent; false without WebGPU. */
export function installWebgpuLstmCell(): boolean {
  if (installed) return true;
  if (!webgpuBackend()) return false;
  tf.registerKernel({
    kernelName: LSTM_CELL_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { z, c } = inputs as Record<string, tf.TensorInfo>;
      const [n, h] = c.shape;
      return runRaw(backend as unknown as WebGPUBackendLike, {
        code: forwardShader(n, h),
        inputs: [z, c],
        outputs: [{ shape: [n, h] }, { shape: [n, h] }],
        workgroups: grid(Math.ceil((n * h) / THREADS)),
        label: LSTM_CELL_KERNEL,
      });
    },
  });
  tf.registerKernel({
    kernelName: LSTM_CELL_GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { z, c, cNew, dh, dc } = inputs as Record<string, tf.TensorInfo>;
      const b = backend as unknown as WebGPUBackendLike;
      const [n, h] = c.shape;
      const withDh = !isHostZeros(b, dh);
      const withDc = !isHostZeros(b, dc);
      return runRaw(b, {
        code: backwardShader(n, h, withDh, withDc),
        inputs: [z, c, cNew, ...(withDh ? [dh] : []), ...(withDc ? [dc] : [])],
        outputs: [{ shape: z.shape }, { shape: [n, h] }],
        workgroups: grid(Math.ceil((n * h) / THREADS)),
        label: LSTM_CELL_GRAD_KERNEL,
      });
    },
  });
  installed = true;
  return true;
}
