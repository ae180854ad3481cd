/**
 * Counter-based dropout: whether element i of a tensor is kept is a pure function of (seed, i),
 * so every backend makes the same mask without drawing a stream of random numbers in order. A GPU
 * computes it in the same dispatch as the product, wasm in one pass over the heap, and the masks
 * (hence the losses) are bit for bit those of the CPU path. tfjs's own `tf.dropout` draws its
 * uniforms sequentially on the host (seedrandom's alea), which on WebGPU meant a host loop and an
 * upload per step, and on wasm several kernels around that loop.
 *
 *   k = fmix32(seed ⊕ 0x9e3779b9),  h = fmix32(fmix32(i ⊕ k) + k)        (u32, wrapping)
 *   keep i  ⇔  u = (h >>> 8) · 2⁻²⁴ ≥ rate  ⇔  h >>> 8 ≥ ⌈rate · 2²⁴⌉   (integers only)
 *   y = x · m,  m = keep ? fround(1 / (1 − rate)) : 0                    (one float32 product)
 *
 * fmix32 is MurmurHash3's finaliser, a bijection of u32 whose every output bit depends on every
 * input bit, and fmix32(0) = 0, hence the constant (seed 0 would always drop element 0). Keying
 * both rounds keeps two seeds' masks independent: with one round, keys k and k' would give the
 * same mask up to the permutation i ↦ i ⊕ k ⊕ k'. The threshold is an integer so no
 * backend compares floats of a different width; the product is one correctly rounded float32
 * multiplication everywhere (a JavaScript double product of two float32s is exact before it is
 * stored), so only a GPU that flushes subnormals can differ, and then by less than 2⁻¹²⁶. As in
 * tf.dropout, y is a product, so a dropped negative value is −0.
 *
 * Dropout is linear in x, so its gradient is the same dropout applied to dy (same seed and rate).
 */
import * as tf from '@tensorflow/tfjs';

/** Kernel name: inputs {x} (float32), attrs {rate, seed}; one output like x. */
export const DROPOUT_KERNEL = 'AvlabDropout';

/** MurmurHash3's 32-bit finaliser, on int32 bits (uint32 values above 2³¹ would make V8 use doubles). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** MurmurHash3's 32-bit finaliser, as a u32. */
export function fmix32(h: number): number {
  return fmix(h) >>> 0;
}

/** The key of the hash for `seed` (taken as u32), as int32 bits. */
function dropoutKey(seed: number): number {
  return fmix(seed ^ 0x9e3779b9);
}

/** The hash of element `i` under the key `k`, as int32 bits. */
function keyedHash(k: number, i: number): number {
  return fmix((fmix(i ^ k) + k) | 0);
}

/**
 * 1 when element i is kept (its hash's top 24 bits are at least the threshold t), else 0: by the
 * sign of the difference, as a branch here is mispredicted often enough to cost half the loop.
 */
function kept(k: number, t: number, i: number): number {
  return (((keyedHash(k, i) >>> 8) - t) >>> 31) ^ 1;
}

/** The 32-bit hash of element `i` under `seed` (both taken as u32). */
export function dropoutHash(seed: number, i: number): number {
  return keyedHash(dropoutKey(seed), i) >>> 0;
}

/** Element i is kept when `dropoutHash(seed, i) >>> 8` is at least this: ⌈rate · 2²⁴⌉. */
export function dropoutThreshold(rate: number): number {
  checkRate(rate);
  return Math.ceil(rate * 2 ** 24);
}

/** The float32 factor of the kept values, 1 / (1 − rate) rounded once to float32. */
export function dropoutScale(rate: number): number {
  checkRate(rate);
  return Math.fround(1 / (1 - rate));
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
}

/**
 * dst[i] = src[i] · m_i for i < dst.length, with the multipliers of (seed, rate), or m_i itself
 * where `src` is null. The loop of the wasm kernel and of the generic path's host mask.
 */
export function applyDropout(src: Float32Array | null, dst: Float32Array, rate: number, seed: number): void {
  const t = dropoutThreshold(rate);
  const scale = dropoutScale(rate);
  const k = dropoutKey(seed);
  // m = kept · scale is exactly 0 or the scale.
  const n = dst.length;
  if (src === null) for (let i = 0; i < n; i++) dst[i] = kept(k, t, i) * scale;
  else for (let i = 0; i < n; i++) dst[i] = src[i] * (kept(k, t, i) * scale);
}

/** The multipliers m_i (0 or the scale) of `n` elements: the mask the generic path uploads. */
export function dropoutMask(n: number, rate: number, seed: number): Float32Array {
  const mask = new Float32Array(n);
  applyDropout(null, mask, rate, seed);
  return mask;
}

/**
 * Dropout of `x` with the counter-based mask of (`seed`, `rate`): the `AvlabDropout` kernel where
 * the active backend has one (WebGPU, wasm), elsewhere the host mask times x. Differentiable.
 */
export function counterDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (x.dtype !== 'float32') throw new Error(`dropout: expected a float32 tensor, got ${x.dtype}`);
  checkRate(rate);
  if (tf.getKernel(DROPOUT_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(DROPOUT_KERNEL, { x }, { rate, seed }) as tf.Tensor;
  }
  // The product's own gradient, dy · m, is this dropout applied to dy.
  return tf.tidy(() => tf.mul(x, tf.tensor(dropoutMask(x.size, rate, seed), x.shape)));
}

let gradientRegistered = false;

/** Registers the kernel's gradient (once; by each backend's install). */
export function registerDropoutGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: DROPOUT_KERNEL,
    gradFunc: (dy, _saved, attrs) => {
      const { rate, seed } = attrs as unknown as { rate: number; seed: number };
      return { x: () => counterDropout(dy as tf.Tensor, rate, seed) };
    },
  });
  gradientRegistered = true;
}
