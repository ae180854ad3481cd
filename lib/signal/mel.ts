/**
 * Mel filterbanks and log-mel spectrograms, the audio front end of VGGish-style networks (the
 * MIL notebook's audio instances are 960 ms windows of a log-mel spectrogram).
 *
 * The mel scale (HTK form, O'Shaughnessy 1987): m(f) = 2595 · log10(1 + f / 700), so 1000 Hz ↦
 * 1000 mel. `nMels` triangular filters have their peaks at `nMels` points equally spaced in mel
 * between m(fMin) and m(fMax) (plus one point below and one above for the feet): filter j rises
 * linearly in Hz from centre j − 1 to 1 at centre j and falls to 0 at centre j + 1,
 *
 *   H_j(f) = max(0, min((f − c_{j−1}) / (c_j − c_{j−1}), (c_{j+1} − f) / (c_{j+1} − c_j))).
 *
 * With `norm: 'slaney'` (librosa's default) each filter is divided by its width in Hz, 2/(c_{j+1} −
 * c_{j−1}), so every filter has the same area and a flat spectrum gives equal band energies;
 * `norm: 'none'` keeps peaks at 1 (HTK, torchaudio's default).
 *
 * The log-mel spectrogram is log(ε + Σ_k H_j(f_k) · |X[k, t]|²) on the STFT power of
 * `spectrogram` (ε = 1e-6 by default, so silence stays finite).
 */
import { spectrogram, SpectrogramOptions } from './spectrogram';

/** Hz → mel (HTK): 2595 · log10(1 + f/700). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** mel → Hz, the inverse of `hzToMel`. */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Options of `melFilterbank`. */
export interface MelOptions {
  /** Number of mel bands (default 64). */
  nMels?: number;
  /** Lowest filter foot in Hz (default 0). */
  fMin?: number;
  /** Highest filter foot in Hz (default sampleRate / 2). */
  fMax?: number;
  /** `slaney`: equal-area filters (default); `none`: peaks at 1. */
  norm?: 'slaney' | 'none';
}

/** A filterbank: `weights` is [nMels, nFft/2 + 1] row-major; `centres` the peak frequencies in Hz. */
export interface MelFilterbank {
  weights: Float32Array;
  nMels: number;
  bins: number;
  centres: Float64Array;
}

/** Triangular mel filters over the `nFft/2 + 1` bins of an STFT at `sampleRate` (see the module comment). */
export function melFilterbank(sampleRate: number, nFft: number, options: MelOptions = {}): MelFilterbank {
  const nMels = options.nMels ?? 64;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  if (!(sampleRate > 0)) throw new RangeError(`melFilterbank: sampleRate must be positive, got ${sampleRate}`);
  if (!Number.isInteger(nFft) || nFft < 2) throw new RangeError(`melFilterbank: nFft must be an integer ≥ 2, got ${nFft}`);
  if (!Number.isInteger(nMels) || nMels < 1) throw new RangeError(`melFilterbank: nMels must be a positive integer, got ${nMels}`);
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) throw new RangeError(`melFilterbank: need 0 ≤ fMin < fMax ≤ sampleRate/2, got ${fMin}, ${fMax}`);
  const bins = Math.floor(nFft / 2) + 1;
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const points = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const weights = new Float32Array(nMels * bins);
  for (let j = 0; j < nMels; j++) {
    const [left, centre, right] = [points[j], points[j + 1], points[j + 2]];
    const scale = options.norm === 'none' ? 1 : 2 / (right - left);
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre)));
      weights[j * bins + k] = w * scale;
    }
  }
  return { weights, nMels, bins, centres: points.slice(1, nMels + 1) };
}

/** Options of `logMelSpectrogram`: the STFT's (its `scale` is forced to power) and the filterbank's. */
export interface LogMelOptions extends Omit<SpectrogramOptions, 'scale'>, MelOptions {
  /** Added before the log (default 1e-6). */
  epsilon?: number;
}

/** A log-mel spectrogram of one channel: `data` is [nMels, frames] row-major. */
export interface LogMel {
  data: Float32Array;
  shape: [nMels: number, frames: number];
  /** Seconds between frames (hop / sampleRate). */
  frameSeconds: number;
  centres: Float64Array;
}

/** log(ε + mel-filtered STFT power) of a mono signal (see the module comment). */
export function logMelSpectrogram(audio: Float32Array, sampleRate: number, options: LogMelOptions = {}): LogMel {
  const spec = spectrogram([audio], { ...options, scale: 'power' }, sampleRate);
  const [, bins, frames] = spec.shape;
  const bank = melFilterbank(sampleRate, spec.nFft, options);
  const eps = options.epsilon ?? 1e-6;
  const data = new Float32Array(bank.nMels * frames);
  for (let j = 0; j < bank.nMels; j++) {
    // Only the bins under filter j's support contribute.
    let k0 = 0;
    while (k0 < bins && bank.weights[j * bins + k0] === 0) k0++;
    let k1 = bins - 1;
    while (k1 >= k0 && bank.weights[j * bins + k1] === 0) k1--;
    for (let t = 0; t < frames; t++) {
      let s = 0;
      for (let k = k0; k <= k1; k++) s += bank.weights[j * bins + k] * spec.data[k * frames + t];
      data[j * frames + t] = Math.log(eps + s);
    }
  }
  return { data, shape: [bank.nMels, frames], frameSeconds: spec.hop / sampleRate, centres: bank.centres };
}
