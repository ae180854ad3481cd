/**
 * Magnitude spectrograms of multichannel audio, the input of the course's audio classifier (the
 * source report feeds a 513 × 196 × 4 STFT of each 4-second, 44.1 kHz recording to a ResNet).
 *
 * For each channel and frame t, with a periodic Hann window w of length n_fft and hop h:
 *
 *   X[k, t] = Σ_n x[t·h + n − pad] · w[n] · e^{−2πi·k·n / n_fft},   k = 0 … n_fft/2
 *
 * (pad = n_fft/2 when `center` is on, as in librosa and torch.stft, else 0), and the output is
 * log(1 + |X|) by default (`scale: 'log1p'`: finite at silence, no ε to choose, and close to
 * log|X| for the loud bins that matter), or |X| or |X|² unscaled. No normalisation is applied, so
 * Σ_k |X|² over the full spectrum equals n_fft · Σ_n (x·w)² (Parseval).
 *
 * The FFT is fft.js (radix-4, real input): `tf.signal.stft` needs complex kernels that the wasm
 * backend lacks, and a spectrogram is a preprocessing step that needs no gradients.
 */
import FFT from 'fft.js';

/** Options of `spectrogram`. */
export interface SpectrogramOptions {
  /** FFT size, a power of two ≥ 4 (default 1024, giving 513 frequency bins). */
  nFft?: number;
  /** Hop between frames in samples (default nFft / 4). */
  hop?: number;
  /** Pad nFft/2 samples at both ends so frame t is centred on sample t·hop (default true). */
  center?: boolean;
  /** How to pad when centring: mirror the signal (default, as librosa/torch) or use zeros. */
  padMode?: 'reflect' | 'constant';
  /** Output scale: log(1 + |X|) (default), |X|, or |X|². */
  scale?: 'log1p' | 'magnitude' | 'power';
}

/** A spectrogram: `data` is [channels, freqBins, frames] in row-major order. */
export interface Spectrogram {
  data: Float32Array;
  shape: [channels: number, freqBins: number, frames: number];
  /** Centre frequency of each bin in Hz when `sampleRate` was given, else in cycles per sample. */
  binFrequencies: Float64Array;
  nFft: number;
  hop: number;
}

/** Periodic Hann window w[n] = 0.5 − 0.5·cos(2πn/N) (scipy's `fftbins=True`, torch's default). */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

function resolve(opts: SpectrogramOptions): Required<SpectrogramOptions> {
  const nFft = opts.nFft ?? 1024;
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) throw new RangeError(`spectrogram: nFft must be a power of two ≥ 4, got ${nFft}`);
  const hop = opts.hop ?? nFft / 4;
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`spectrogram: hop must be a positive integer, got ${hop}`);
  return { nFft, hop, center: opts.center ?? true, padMode: opts.padMode ?? 'reflect', scale: opts.scale ?? 'log1p' };
}

/**
 * Number of frames for a signal of `samples` samples: 1 + ⌊samples / hop⌋ when centred, else
 * 1 + ⌊(samples − nFft) / hop⌋ (0 when the signal is shorter than one frame).
 */
export function stftFrameCount(samples: number, opts: SpectrogramOptions = {}): number {
  const { nFft, hop, center } = resolve(opts);
  if (center) return 1 + Math.floor(samples / hop);
  return samples < nFft ? 0 : 1 + Math.floor((samples - nFft) / hop);
}

/** The padded signal value at position i (centred frames reach before 0 and past the end). */
function sampleAt(x: Float32Array, i: number, reflect: boolean): number {
  const n = x.length;
  if (i >= 0 && i < n) return x[i];
  if (!reflect || n < 2) return 0;
  // Mirror without repeating the edge sample (numpy's 'reflect'), folding as often as needed.
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return x[j];
}

/**
 * STFT magnitude spectrogram of every channel (all channels must have equal length). With
 * `sampleRate`, `binFrequencies` is in Hz. See the module comment for the definition.
 */
export function spectrogram(audio: readonly Float32Array[], opts: SpectrogramOptions = {}, sampleRate?: number): Spectrogram {
  const o = resolve(opts);
  const { nFft, hop } = o;
  if (audio.length === 0) throw new RangeError('spectrogram: no audio channels');
  const len = audio[0].length;
  for (const ch of audio) if (ch.length !== len) throw new RangeError(`spectrogram: channels have different lengths (${audio.map((c) => c.length).join(', ')})`);
  const frames = stftFrameCount(len, o);
  const bins = nFft / 2 + 1;
  const data = new Float32Array(audio.length * bins * frames);
  const window = hannWindow(nFft);
  const fft = new FFT(nFft);
  const frame = new Float64Array(nFft);
  const out = fft.createComplexArray();
  const pad = o.center ? nFft / 2 : 0;
  const reflect = o.padMode === 'reflect';
  for (let c = 0; c < audio.length; c++) {
    const x = audio[c];
    for (let t = 0; t < frames; t++) {
      const start = t * hop - pad;
      if (start >= 0 && start + nFft <= len) {
        for (let n = 0; n < nFft; n++) frame[n] = x[start + n] * window[n];
      } else {
        for (let n = 0; n < nFft; n++) frame[n] = sampleAt(x, start + n, reflect) * window[n];
      }
      // realTransform fills bins 0 … nFft/2 (interleaved re, im), which is all a real signal needs.
      fft.realTransform(out, frame);
      const base = c * bins * frames + t;
      for (let k = 0; k < bins; k++) {
        const re = out[2 * k];
        const im = out[2 * k + 1];
        const p = re * re + im * im;
        data[base + k * frames] = o.scale === 'power' ? p : o.scale === 'magnitude' ? Math.sqrt(p) : Math.log1p(Math.sqrt(p));
      }
    }
  }
  const binFrequencies = new Float64Array(bins);
  for (let k = 0; k < bins; k++) binFrequencies[k] = (k * (sampleRate ?? 1)) / nFft;
  return { data, shape: [audio.length, bins, frames], binFrequencies, nFft, hop };
}
