/**
 * A whole LSTM layer on the WebGPU backend: the `AvlabLstm` and `AvlabLstmGrad` kernels of
 * lib/backend/nativeLstm.ts (same inputs, outputs and math as lib/backend/native/lstm.c) as two
 * dispatches forward and three backward, where tfjs unrolls some 15 kernels per time step forward and
 * 30 backward (713 dispatches for a 16-step layer and its gradient).
 *
 * Gates as tfjs's (and Keras's) LSTM: z_t = x_t W + h_{t-1} U + b with blocks [i | f | g | o] of H
 * columns, i, f, o = σ(·), g = tanh(·), c_t = f c_{t-1} + i g, h_t = o tanh(c_t), zero initial state.
 *
 * Forward: (1) P = x W + b for every step at once, a tiled matrix product into `gates`; (2) the
 * recurrence, serial in t but independent across samples: one workgroup per sample loops over t
 * with h_{t-1} and c_{t-1} in workgroup memory, adds h_{t-1} U to P_t and overwrites it with the
 * activated gates (what the gradient needs, with every c_t).
 *
 * Backward (BPTT), with dh_T, dc_T given and dh_t += dSeq_t:
 *   dc_t += dh_t o (1 − tanh² c_t),  dz_i = dc_t g i (1 − i),  dz_f = dc_t c_{t-1} f (1 − f),
 *   dz_g = dc_t i (1 − g²),  dz_o = dh_t tanh(c_t) o (1 − o),  dc_{t-1} = dc_t f,  dh_{t-1} = dz_t Uᵀ;
 * (1) the same one-workgroup-per-sample loop from t = T−1 down writes dZ [N,T,4H]; (2) one product
 * [x | h_prev | 1]ᵀ dZ gives dW, dU and db together (h_prev is seq shifted one step, zero at t = 0);
 * (3) dx = dZ Wᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_GRAD_KERNEL, LSTM_KERNEL } from '../nativeLstm';
import { disposeInfo, grid, runRaw, webgpuBackend, WebGPUBackendLike } from './raw';

/** Threads of a recurrence workgroup (WebGPU's guaranteed maximum). */
const THREADS = 256;
/** Floats of workgroup memory the recurrences use per unit: h and c (or dh and dc), and 4 gates. */
const SHARED_PER_UNIT = 6;

let installed = false;
/** Largest H whose recurrence fits the device's workgroup memory. */
let maxUnits = 0;

/**
 * Whether `AvlabLstm` runs on these kernels now for a layer of `units`: installed, the webgpu
 * backend active, and h, c and the gates of one sample fit in workgroup memory (H ≤ 682 at the 16 KiB
 * every WebGPU device offers).
 */
export function webgpuLstmActive(units: number): boolean {
  return installed && tf.getBackend() === 'webgpu' && units <= maxUnits;
}

/**
 * The LSTM's activations in WGSL, shared by the sequence kernels here and the cell kernels
 * (lstmCell.ts). Both use e = exp(−|v|) ∈ (0, 1], so no exponential can overflow: σ(v) = 1/(1 + e)
 * for v ≥ 0 and e/(1 + e) below (keeping σ's small values for large negative v), tanh(v) =
 * sign(v)(1 − e²)/(1 + e²) as tfjs's own WebGPU tanh.
 */
export const LSTM_ACTIVATIONS = /* wgsl */ `
fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  let r = 1.0 / (1.0 + e);
  return select(e * r, r, v >= 0.0);
}
fn tanhSafe(v: f32) -> f32 {
  let e = exp(-2.0 * abs(v));
  let t = (1.0 - e) / (1.0 + e);
  return select(-t, t, v >= 0.0);
}`;

/** A product C [MM, NN] = A [MM, KK] B [KK, NN] whose operands and result are WGSL snippets. */
interface MatMulSpec {
  mm: number;
  nn: number;
  kk: number;
  /** Binding declarations, outputs first. */
  bindings: string[];
  /** Statements returning A(m, k) as f32, for m < MM, k < KK. */
  loadA: string;
  /** Statements returning B(k, n) as f32, for k < KK, n < NN. */
  loadB: string;
  /** Statement storing v = C(m, n). */
  store: string;
  /** Whether A's consecutive addresses run along k (else along m), and B's along n (else along k). */
  aAlongK: boolean;
  bAlongN: boolean;
}

/**
 * A tiled product: 64 × 64 tiles of C per workgroup of 16 × 16 threads (4 × 4 each), through
 * 16-deep tiles of A and B in workgroup memory, loaded along whichever axis is contiguous in memory.
 */
function matMulShader(s: MatMulSpec): string {
  return `
const MM = ${s.mm}u;
const NN = ${s.nn}u;
const KK = ${s.kk}u;
${s.bindings.map((b, i) => `@group(0) @binding(${i}) ${b};`).join('\n')}
var<workgroup> As: array<f32, 1024>;
var<workgroup> Bs: array<f32, 1024>;
fn loadA(m: u32, k: u32) -> f32 {
  if (m >= MM || k >= KK) { return 0.0; }
  ${s.loadA}
}
fn loadB(k: u32, n: u32) -> f32 {
  if (k >= KK || n >= NN) { return 0.0; }
  ${s.loadB}
}
fn store(m: u32, n: u32, v: f32) { ${s.store} }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < KK; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let i = lid + q * 256u;
      ${s.aAlongK ? 'let am = i / 16u; let ak = i % 16u;' : 'let ak = i / 64u; let am = i % 64u;'}
      As[ak * 64u + am] = loadA(m0 + am, k0 + ak);
      ${s.bAlongN ? 'let bk = i / 64u; let bn = i % 64u;' : 'let bn = i / 16u; let bk = i % 16u;'}
      Bs[bk * 64u + bn] = loadB(k0 + bk, n0 + bn);
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = As[k * 64u + li.y + 16u * i];
        b[i] = Bs[k * 64u + li.x + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] = fma(a[i], b[j], acc[i * 4u + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let m = m0 + li.y + 16u * i;
      let n = n0 + li.x + 16u * j;
      if (m < MM && n < NN) { store(m, n, acc[i * 4u + j]); }
    }
  }
}`;
}

function runMatMul(backend: WebGPUBackendLike, s: MatMulSpec, inputs: tf.TensorInfo[], outputs: ({ shape: number[] } | tf.TensorInfo)[]): tf.TensorInfo[] {
  if (Math.ceil(s.mm / 64) > 65535 || Math.ceil(s.nn / 64) > 65535) throw new Error(`avlab LSTM: a ${s.mm} × ${s.nn} product exceeds the WebGPU dispatch grid`);
  return runRaw(backend, { code: matMulShader(s), inputs, outputs, workgroups: [Math.ceil(s.nn / 64), Math.ceil(s.mm / 64)] });
}

/** Sizes of a layer: N samples, T steps, D inputs, H units; baked into every shader. */
interface Sizes {
  n: number;
  t: number;
  d: number;
  h: number;
}

function sizeConsts(s: Sizes): string {
  return `const N = ${s.n}u;\nconst T = ${s.t}u;\nconst D = ${s.d}u;\nconst H = ${s.h}u;\nconst G = ${4 * s.h}u;\nconst WG = ${THREADS}u;`;
}

/** The index of this workgroup's sample, on a grid that may be 2-D past 65535 samples. */
const SAMPLE = 'let n = wg.x + wg.y * nwg.x;\n  if (n >= N) { return; }';

/** Forward recurrence: gates holds P = x W + b on entry and the activated gates on exit. */
function forwardShader(s: Sizes): string {
  return `${sizeConsts(s)}
@group(0) @binding(0) var<storage, read_write> seq: array<f32>;
@group(0) @binding(1) var<storage, read_write> hT: array<f32>;
@group(0) @binding(2) var<storage, read_write> cT: array<f32>;
@group(0) @binding(3) var<storage, read_write> gates: array<f32>;
@group(0) @binding(4) var<storage, read_write> cells: array<f32>;
@group(0) @binding(5) var<storage, read> U: array<f32>;
var<workgroup> hs: array<f32, H>;
var<workgroup> cs: array<f32, H>;
var<workgroup> zs: array<f32, G>;
${LSTM_ACTIVATIONS}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${SAMPLE}
  for (var j = lid; j < H; j += WG) { hs[j] = 0.0; cs[j] = 0.0; }
  workgroupBarrier();
  for (var t = 0u; t < T; t++) {
    let row = n * T + t;
    for (var j = lid; j < G; j += WG) {
      var z = gates[row * G + j];
      if (t > 0u) { for (var k = 0u; k < H; k++) { z = fma(hs[k], U[k * G + j], z); } }
      let a = select(sigmoid(z), tanhSafe(z), j >= 2u * H && j < 3u * H);
      zs[j] = a;
      gates[row * G + j] = a;
    }
    workgroupBarrier();
    for (var j = lid; j < H; j += WG) {
      let c = zs[H + j] * cs[j] + zs[j] * zs[2u * H + j];
      let h = zs[3u * H + j] * tanhSafe(c);
      cs[j] = c;
      hs[j] = h;
      cells[row * H + j] = c;
      seq[row * H + j] = h;
    }
    workgroupBarrier();
  }
  for (var j = lid; j < H; j += WG) { hT[n * H + j] = hs[j]; cT[n * H + j] = cs[j]; }
}`;
}

/** Backward recurrence: dZ [N, T, 4H], the gradient with respect to the pre-activation gates. */
function backwardShader(s: Sizes): string {
  return `${sizeConsts(s)}
@group(0) @binding(0) var<storage, read_write> dZ: array<f32>;
@group(0) @binding(1) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<storage, read> cells: array<f32>;
@group(0) @binding(4) var<storage, read> dSeq: array<f32>;
@group(0) @binding(5) var<storage, read> dhT: array<f32>;
@group(0) @binding(6) var<storage, read> dcT: array<f32>;
var<workgroup> dh: array<f32, H>;
var<workgroup> dc: array<f32, H>;
var<workgroup> dzs: array<f32, G>;
${LSTM_ACTIVATIONS}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${SAMPLE}
  // Unit j is always thread j mod WG's: dh[j] and dc[j] need no barrier of their own.
  for (var j = lid; j < H; j += WG) { dh[j] = dhT[n * H + j]; dc[j] = dcT[n * H + j]; }
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    let row = n * T + t;
    for (var j = lid; j < H; j += WG) {
      let z = row * G + j;
      let i = gates[z];
      let f = gates[z + H];
      let g = gates[z + 2u * H];
      let o = gates[z + 3u * H];
      let tc = tanhSafe(cells[row * H + j]);
      let dht = dh[j] + dSeq[row * H + j];
      let dct = dc[j] + dht * o * (1.0 - tc * tc);
      var cp = 0.0;
      if (t > 0u) { cp = cells[(row - 1u) * H + j]; }
      let dzi = dct * g * i * (1.0 - i);
      let dzf = dct * cp * f * (1.0 - f);
      let dzg = dct * i * (1.0 - g * g);
      let dzo = dht * tc * o * (1.0 - o);
      dZ[z] = dzi;
      dZ[z + H] = dzf;
      dZ[z + 2u * H] = dzg;
      dZ[z + 3u * H] = dzo;
      dzs[j] = dzi;
      dzs[j + H] = dzf;
      dzs[j + 2u * H] = dzg;
      dzs[j + 3u * H] = dzo;
      dc[j] = dct * f;
    }
    workgroupBarrier();
    // dh_{t-1} = dz_t Uᵀ: row j of U against dz, four columns at a time.
    if (t > 0u) {
      for (var j = lid; j < H; j += WG) {
        var acc = 0.0;
        for (var q = 0u; q < H; q++) {
          acc += dot(U[j * H + q], vec4<f32>(dzs[4u * q], dzs[4u * q + 1u], dzs[4u * q + 2u], dzs[4u * q + 3u]));
        }
        dh[j] = acc;
      }
    }
    workgroupBarrier();
  }
}`;
}

function sizesOf(x: tf.TensorInfo, U: tf.TensorInfo): Sizes {
  const [n, t, d] = x.shape;
  return { n, t, d, h: U.shape[0] };
}

/** [seq, hT, cT, gates, cells]: two dispatches. */
function forward(backend: WebGPUBackendLike, x: tf.TensorInfo, W: tf.TensorInfo, U: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo[] {
  const s = sizesOf(x, U);
  const [g, r] = [4 * s.h, s.n * s.t];
  const [gates] = runMatMul(
    backend,
    {
      mm: r,
      nn: g,
      kk: s.d,
      bindings: ['var<storage, read_write> gates: array<f32>', 'var<storage, read> x: array<f32>', 'var<storage, read> W: array<f32>', 'var<storage, read> b: array<f32>'],
      loadA: `return x[m * KK + k];`,
      loadB: `return W[k * NN + n];`,
      store: `gates[m * NN + n] = v + b[n];`,
      aAlongK: true,
      bAlongN: true,
    },
    [x, W, b],
    [{ shape: [s.n, s.t, g] }],
  );
  const [seq, hT, cT, , cells] = runRaw(backend, {
    code: forwardShader(s),
    inputs: [U],
    outputs: [{ shape: [s.n, s.t, s.h] }, { shape: [s.n, s.h] }, { shape: [s.n, s.h] }, gates, { shape: [s.n, s.t, s.h] }],
    workgroups: grid(s.n),
  });
  return [seq, hT, cT, gates, cells];
}

/** [dx, dW, dU, db]: three dispatches. */
function backward(backend: WebGPUBackendLike, t: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const s = sizesOf(t.x, t.U);
  const [g, r] = [4 * s.h, s.n * s.t];
  const [dZ] = runRaw(backend, {
    code: backwardShader(s),
    inputs: [t.U, t.gates, t.cells, t.dSeq, t.dhT, t.dcT],
    outputs: [{ shape: [r, g] }],
    workgroups: grid(s.n),
  });
  // Rows of Aᵀ: D of x, H of h_prev (h_{t-1}, zero at t = 0), and a row of ones for db.
  const [dW, dU, db] = runMatMul(
    backend,
    {
      mm: s.d + s.h + 1,
      nn: g,
      kk: r,
      bindings: [
        'var<storage, read_write> dW: array<f32>',
        'var<storage, read_write> dU: array<f32>',
        'var<storage, read_write> db: array<f32>',
        'var<storage, read> x: array<f32>',
        'var<storage, read> seq: array<f32>',
        'var<storage, read> dZ: array<f32>',
      ],
      loadA: `if (m < ${s.d}u) { return x[k * ${s.d}u + m]; }
        if (m == ${s.d + s.h}u) { return 1.0; }
        if (k % ${s.t}u == 0u) { return 0.0; }
        return seq[(k - 1u) * ${s.h}u + m - ${s.d}u];`,
      loadB: `return dZ[k * NN + n];`,
      store: `if (m < ${s.d}u) { dW[m * NN + n] = v; } else if (m < ${s.d + s.h}u) { dU[(m - ${s.d}u) * NN + n] = v; } else { db[n] = v; }`,
      aAlongK: false,
      bAlongN: true,
    },
    [t.x, t.seq, dZ],
    [{ shape: [s.d, g] }, { shape: [s.h, g] }, { shape: [g] }],
  );
  const [dx] = runMatMul(
    backend,
    {
      mm: r,
      nn: s.d,
      kk: g,
      bindings: ['var<storage, read_write> dx: array<f32>', 'var<storage, read> dZ: array<f32>', 'var<storage, read> W: array<f32>'],
      loadA: `return dZ[m * KK + k];`,
      loadB: `return W[n * KK + k];`,
      store: `dx[m * NN + n] = v;`,
      aAlongK: true,
      bAlongN: false,
    },
    [dZ, t.W],
    [{ shape: [s.n, s.t, s.d] }],
  );
  disposeInfo(backend, dZ);
  return [dx, dW, dU, db];
}

/**
 * Registers `AvlabLstm` and its gradient kernel for the webgpu backend (`lstmSequence` ties them
 * together on the tape). Idempotent; false without WebGPU.
 */
export function installWebgpuLstm(): boolean {
  if (installed) return true;
  const backend = webgpuBackend();
  if (!backend) return false;
  maxUnits = Math.floor(backend.device.limits.maxComputeWorkgroupStorageSize / (4 * SHARED_PER_UNIT));
  tf.registerKernel({
    kernelName: LSTM_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend: b }) => {
      const { x, W, U, b: bias } = inputs as Record<string, tf.TensorInfo>;
      return forward(b as unknown as WebGPUBackendLike, x, W, U, bias);
    },
  });
  tf.registerKernel({
    kernelName: LSTM_GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend: b }) => backward(b as unknown as WebGPUBackendLike, inputs as Record<string, tf.TensorInfo>),
  });
  installed = true;
  return true;
}
