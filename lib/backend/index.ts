/**
 * The backends. `AVLAB_BACKEND=auto|tensorflow|webgpu|wasm|cpu` picks where tensors live. An
 * explicit name is that backend or an error. `auto` brings up every backend this machine has
 * (native TensorFlow through tfjs-node, WebGPU where a Vulkan adapter exists through npm `webgpu`
 * (Dawn), and wasm with the native kernels, the CPU path); where more than one comes up it times a
 * short training step on each (lib/backend/probe.ts, cached per machine) and keeps the fastest that
 * trains to the CPU path's losses, so a slow GPU never slows a run down. Every run prints what it
 * used, and why.
 */
import * as tf from '@tensorflow/tfjs';
import { installNativeMatMul } from './nativeMatMul';
import { installWasmSlice } from './wasmSlice';
import { installWasmColumnSum } from './wasmColumnSum';
import { installWasmDropout } from './wasmDropout';
import { installWasmLstmCell } from './wasmLstmCell';
import { installNativeConv } from './nativeConv';
import { installNativeLstm } from './nativeLstm';
import { installNativeBatchNorm } from './nativeBatchNorm';
import './wasmFallbacks';
import { installWebgpuKernels } from './webgpu/install';
import { BackendProbe, probeBackends, ProbeResult } from './probe';
import { denseProbe } from '../training/probe';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

const CHOICES: BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** What `initBackend` chose and why the rungs above it were skipped. */
export interface BackendInfo {
  name: BackendName;
  /** e.g. "wasm (SIMD, 1 thread)" or "tensorflow (tfjs-node-gpu)". */
  detail: string;
  /** One line per rung that was tried and skipped. */
  skipped: string[];
  /** Under `auto` with several candidates: the probe that chose between them. */
  probe?: ProbeResult;
}

/** Options of `initBackend`. */
export interface InitBackendOptions {
  /** Print nothing. */
  quiet?: boolean;
  /** The step `auto` times on each candidate (default: a dense network like the scene MLP). */
  probe?: BackendProbe;
  /** Probe again even when a cached result exists (also: AVLAB_PROBE=refresh). */
  refreshProbe?: boolean;
  /** Where probe results are cached (default `probeCacheFile()`). */
  probeCacheFile?: string;
}

let current: BackendInfo | null = null;
let currentChoice: BackendChoice | null = null;

/** Parses `AVLAB_BACKEND` (or the given value); throws on anything outside the ladder. */
export function backendChoice(value = process.env.AVLAB_BACKEND): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(CHOICES as string[]).includes(v)) {
    throw new Error(`AVLAB_BACKEND=${value}: expected one of ${CHOICES.join(', ')}`);
  }
  return v as BackendChoice;
}

function tryRequire(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

async function tryTensorflow(skipped: string[]): Promise<string | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (tryRequire(pkg) && tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) return pkg;
    skipped.push(`${pkg}: not installed or its native library failed to load`);
  }
  return null;
}

/** On Linux, Dawn needs a Vulkan driver; without one it only prints warnings, so don't ask. */
function vulkanDriverPresent(): boolean {
  if (process.platform !== 'linux') return true;
  if (process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES) return true;
  const fs = require('node:fs') as typeof import('node:fs');
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some(
    (d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.json')),
  );
}

/** The WebGPU adapter's vendor and description, for the backend line. */
let adapterName = '';

async function tryWebgpu(skipped: string[]): Promise<string | null> {
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
  // A WebGPU the host put in place (a browser, or the bench's Dawn Null backend) needs no driver here.
  if (!nav?.gpu && !vulkanDriverPresent()) {
    skipped.push('webgpu: no Vulkan driver found (set VK_DRIVER_FILES to use a GPU)');
    return null;
  }
  if (!nav?.gpu) {
    try {
      // The `webgpu` package exposes Dawn's Node binding; it is optional and absent on many machines.
      const { create, globals } = require('webgpu') as {
        create(flags: string[]): { requestAdapter(): Promise<unknown> };
        globals: Record<string, unknown>;
      };
      Object.assign(globalThis, globals);
      const gpu = create([]);
      const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string; device?: string; description?: string } } | null;
      if (!adapter) {
        skipped.push('webgpu: no GPU adapter');
        return null;
      }
      const info = adapter.info ?? {};
      adapterName = [info.vendor, info.description || info.device || info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
      (globalThis as { navigator?: unknown }).navigator = { ...(nav ?? {}), gpu };
    } catch (e) {
      skipped.push(`webgpu: ${(e as Error).message.split('\n')[0]}`);
      return null;
    }
  }
  try {
    require('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) {
      const kernels = installWebgpuKernels();
      return [`Dawn${adapterName ? `, ${adapterName}` : ''}`, kernels.length ? `fused ${kernels.join(', ')}` : ''].filter(Boolean).join('; ');
    }
  } catch (e) {
    skipped.push(`webgpu: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
  skipped.push('webgpu: backend failed to initialise');
  return null;
}

async function tryWasm(skipped: string[]): Promise<string | null> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      installWasmSlice();
      installWasmColumnSum();
      installWasmDropout();
      installWasmLstmCell();
      const native = [installNativeMatMul() && 'matmul', installNativeConv() && 'conv', installNativeLstm() && 'LSTM', installNativeBatchNorm() && 'batch norm'].filter(Boolean);
      return native.length ? `SIMD, 1 thread, OpenBLAS ${native.join(', ')}` : 'SIMD, 1 thread';
    }
  } catch (e) {
    skipped.push(`wasm: ${(e as Error).message.split('\n')[0]}`);
  }
  return null;
}

/**
 * Initialises the backend named by `choice` (default: `AVLAB_BACKEND`, else auto) and returns
 * what was chosen. An explicit choice that cannot be satisfied is an error, never a silent fallback.
 * Idempotent: a second call with the same choice returns the first result.
 */
export async function initBackend(choice: BackendChoice = backendChoice(), opts: InitBackendOptions = {}): Promise<BackendInfo> {
  if (current && choice === currentChoice && tf.getBackend() === current.name) return current;
  const skipped: string[] = [];
  const rungs: [BackendName, (s: string[]) => Promise<string | null>][] = [
    ['tensorflow', tryTensorflow],
    ['webgpu', tryWebgpu],
    ['wasm', tryWasm],
    ['cpu', async () => ((await tf.setBackend('cpu')) ? 'plain JavaScript' : null)],
  ];
  const up: { name: BackendName; detail: string }[] = [];
  for (const [name, attempt] of rungs) {
    if (choice !== 'auto' && choice !== name) continue;
    if (choice === 'auto' && name === 'cpu' && up.length) break; // plain JavaScript only as the last resort
    const detail = await attempt(skipped);
    if (detail !== null) up.push({ name, detail });
    else if (choice !== 'auto') throw new Error(`AVLAB_BACKEND=${choice} is not available here: ${skipped.join('; ')}`);
  }
  if (!up.length) throw new Error(`no tfjs backend could be initialised: ${skipped.join('; ')}`);
  let chosen = up[0];
  let probe: ProbeResult | undefined;
  if (up.length > 1) {
    // The CPU path first: it is the reference the others must match and beat.
    const candidates = [...up.filter((b) => b.name === 'wasm' || b.name === 'cpu'), ...up.filter((b) => b.name !== 'wasm' && b.name !== 'cpu')];
    probe = await probeBackends(
      opts.probe ?? denseProbe(),
      candidates.map((b) => ({ name: b.name, activate: async () => void (await tf.setBackend(b.name)) })),
      { refresh: opts.refreshProbe || process.env.AVLAB_PROBE === 'refresh', cacheFile: opts.probeCacheFile },
    );
    chosen = candidates.find((b) => b.name === probe!.choice) ?? candidates[0];
    await tf.setBackend(chosen.name);
  }
  await tf.ready();
  current = { name: chosen.name, detail: `${chosen.name} (${chosen.detail})`, skipped, probe };
  currentChoice = choice;
  if (!opts.quiet) {
    console.log(`avlab backend: ${current.detail}`);
    if (probe) console.log(`avlab backend: auto chose ${probe.choice} on the probe (${probe.probe}${probe.cached ? `, measured ${probe.measured}` : ''}): ${probe.reason}`);
  }
  return current;
}

/** The backend chosen by the last `initBackend`, or null before it. */
export function backendInfo(): BackendInfo | null {
  return current;
}
