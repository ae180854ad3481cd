/**
 * The backend ladder. `AVLAB_BACKEND=auto|tensorflow|webgpu|wasm|cpu` picks where tensors live:
 * auto takes native TensorFlow (tfjs-node-gpu, then tfjs-node) when it can be loaded, WebGPU when
 * an adapter exists (npm `webgpu`, Dawn), and otherwise wasm. Every run prints what it used.
 */
import * as tf from '@tensorflow/tfjs';
import { installNativeMatMul } from './nativeMatMul';
import { installWasmSlice } from './wasmSlice';
import { installWasmColumnSum } from './wasmColumnSum';
import { installNativeConv } from './nativeConv';
import { installNativeLstm } from './nativeLstm';
import { installNativeBatchNorm } from './nativeBatchNorm';
import './wasmFallbacks';

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

async function tryWebgpu(skipped: string[]): Promise<string | null> {
  if (!vulkanDriverPresent()) {
    skipped.push('webgpu: no Vulkan driver found (set VK_DRIVER_FILES to use a GPU)');
    return null;
  }
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
  if (!nav?.gpu) {
    try {
      // The `webgpu` package exposes Dawn's Node binding; it is optional and absent on many machines.
      const { create, globals } = require('webgpu') as {
        create(flags: string[]): { requestAdapter(): Promise<unknown> };
        globals: Record<string, unknown>;
      };
      Object.assign(globalThis, globals);
      const gpu = create([]);
      if (!(await gpu.requestAdapter())) {
        skipped.push('webgpu: no GPU adapter');
        return null;
      }
      (globalThis as { navigator?: unknown }).navigator = { ...(nav ?? {}), gpu };
    } catch (e) {
      skipped.push(`webgpu: ${(e as Error).message.split('\n')[0]}`);
      return null;
    }
  }
  try {
    require('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) return 'Dawn';
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
export async function initBackend(choice: BackendChoice = backendChoice(), opts: { quiet?: boolean } = {}): Promise<BackendInfo> {
  if (current && choice === currentChoice && tf.getBackend() === current.name) return current;
  const skipped: string[] = [];
  const rungs: [BackendName, (s: string[]) => Promise<string | null>][] = [
    ['tensorflow', tryTensorflow],
    ['webgpu', tryWebgpu],
    ['wasm', tryWasm],
    ['cpu', async () => ((await tf.setBackend('cpu')) ? 'plain JavaScript' : null)],
  ];
  for (const [name, attempt] of rungs) {
    if (choice !== 'auto' && choice !== name) continue;
    const detail = await attempt(skipped);
    if (detail !== null) {
      await tf.ready();
      current = { name, detail: `${name} (${detail})`, skipped };
      currentChoice = choice;
      if (!opts.quiet) console.log(`avlab backend: ${current.detail}`);
      return current;
    }
    if (choice !== 'auto') throw new Error(`AVLAB_BACKEND=${choice} is not available here: ${skipped.join('; ')}`);
  }
  throw new Error(`no tfjs backend could be initialised: ${skipped.join('; ')}`);
}

/** The backend chosen by the last `initBackend`, or null before it. */
export function backendInfo(): BackendInfo | null {
  return current;
}
