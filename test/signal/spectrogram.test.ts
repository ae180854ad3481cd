import assert from 'node:assert/strict';
import { hannWindow, spectrogram, stftFrameCount } from '../../lib/signal/spectrogram';
import { Rng } from '../../lib/util/rng';

function sine(n: number, freq: number, sampleRate: number, amp = 1, phase = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sampleRate + phase));
}

/** Value of [channel, bin, frame]. */
function at(s: ReturnType<typeof spectrogram>, c: number, k: number, t: number): number {
  const [, bins, frames] = s.shape;
  return s.data[(c * bins + k) * frames + t];
}

/** Direct O(N²) DFT magnitudes of bins 0..N/2 (the reference for fft.js). */
function dftMagnitudes(x: ArrayLike<number>): number[] {
  const n = x.length;
  const out: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    out.push(Math.hypot(re, im));
  }
  return out;
}

describe('features/spectrogram', () => {
  it("reproduces the source report's 513 × 196 × 4 shape (n_fft 1024, hop ≈ 900, 4 s at 44.1 kHz)", () => {
    const samples = 4 * 44100;
    assert.equal(stftFrameCount(samples, { nFft: 1024, hop: 902 }), 196); // centred frames
    assert.equal(stftFrameCount(samples, { nFft: 1024, hop: 896, center: false }), 196);
    assert.equal(stftFrameCount(samples, { nFft: 1024, hop: 900 }), 197);
    const rng = new Rng(1);
    const audio = Array.from({ length: 4 }, () => rng.fillNormal(new Float32Array(samples), 0, 0.1));
    const s = spectrogram(audio, { nFft: 1024, hop: 902 }, 44100);
    assert.deepEqual(s.shape, [4, 513, 196]);
    assert.equal(s.data.length, 4 * 513 * 196);
    assert.ok(s.data.every((v) => Number.isFinite(v) && v >= 0));
    assert.equal(s.binFrequencies[512], 22050);
  });

  it('puts a pure sine at the right bin with the Hann window’s amplitude (A·N/4)', () => {
    const sr = 16000;
    const nFft = 512;
    const k0 = 40; // 1250 Hz, exactly on a bin
    const x = sine(8000, (k0 * sr) / nFft, sr, 0.5);
    const s = spectrogram([x], { nFft, hop: 128, scale: 'magnitude' }, sr);
    for (let t = 4; t < s.shape[2] - 4; t++) {
      let best = 0;
      for (let k = 1; k < s.shape[1]; k++) if (at(s, 0, k, t) > at(s, 0, best, t)) best = k;
      assert.equal(best, k0);
      assert.ok(Math.abs(at(s, 0, k0, t) - (0.5 * nFft) / 4) < 1e-3 * nFft, `frame ${t}: ${at(s, 0, k0, t)}`);
      // Hann leaks into the two neighbours only (half the peak), nothing further away.
      assert.ok(Math.abs(at(s, 0, k0 + 1, t) / at(s, 0, k0, t) - 0.5) < 1e-3);
      assert.ok(at(s, 0, k0 + 3, t) < 1e-3 * at(s, 0, k0, t));
    }
    assert.equal(s.binFrequencies[k0], 1250);
    // Off-bin: 1000 Hz at 16 kHz with n_fft 1024 lies at bin 64.
    const off = spectrogram([sine(16000, 1000, sr)], { nFft: 1024 }, sr);
    const mid = Math.floor(off.shape[2] / 2);
    let best = 0;
    for (let k = 0; k < off.shape[1]; k++) if (at(off, 0, k, mid) > at(off, 0, best, mid)) best = k;
    assert.equal(best, 64);
  });

  it('keeps channels apart and in order', () => {
    const silent = new Float32Array(4096);
    const s = spectrogram([silent, sine(4096, 2000, 16000), silent], { nFft: 256, hop: 64, scale: 'magnitude' });
    const energy = [0, 1, 2].map((c) => {
      let e = 0;
      for (let k = 0; k < s.shape[1]; k++) for (let t = 0; t < s.shape[2]; t++) e += at(s, c, k, t);
      return e;
    });
    assert.equal(energy[0], 0);
    assert.equal(energy[2], 0);
    assert.ok(energy[1] > 100);
  });

  it('matches a direct DFT of a windowed frame, and satisfies Parseval', () => {
    const rng = new Rng(9);
    const nFft = 256;
    const hop = 100;
    const x = rng.fillNormal(new Float32Array(1000));
    const s = spectrogram([x], { nFft, hop, center: false, scale: 'power' });
    assert.equal(s.shape[2], 1 + Math.floor((1000 - nFft) / hop));
    const w = hannWindow(nFft);
    for (const t of [0, 3, s.shape[2] - 1]) {
      const frame = Array.from({ length: nFft }, (_, n) => x[t * hop + n] * w[n]);
      const ref = dftMagnitudes(frame);
      for (let k = 0; k <= nFft / 2; k++) assert.ok(Math.abs(Math.sqrt(at(s, 0, k, t)) - ref[k]) < 1e-3 * (1 + ref[k]), `frame ${t} bin ${k}`);
      // Parseval: |X_0|² + 2 Σ_{0<k<N/2} |X_k|² + |X_{N/2}|² = N Σ_n (x·w)².
      let spectral = at(s, 0, 0, t) + at(s, 0, nFft / 2, t);
      for (let k = 1; k < nFft / 2; k++) spectral += 2 * at(s, 0, k, t);
      const temporal = nFft * frame.reduce((a, v) => a + v * v, 0);
      assert.ok(Math.abs(spectral - temporal) < 1e-4 * temporal, `${spectral} vs ${temporal}`);
    }
  });

  it('scales log(1 + |X|) by default and pads centred frames by reflection', () => {
    const rng = new Rng(4);
    const x = rng.fillNormal(new Float32Array(600));
    const mag = spectrogram([x], { nFft: 64, hop: 16, scale: 'magnitude' });
    const log = spectrogram([x], { nFft: 64, hop: 16 });
    assert.deepEqual(log.shape, mag.shape);
    for (let i = 0; i < mag.data.length; i += 7) assert.ok(Math.abs(log.data[i] - Math.log1p(mag.data[i])) < 1e-5);
    // Frame 0 is centred on sample 0: samples −32…31, the negative ones mirrored (x[−j] = x[j]).
    const w = hannWindow(64);
    const frame = Array.from({ length: 64 }, (_, n) => x[Math.abs(n - 32)] * w[n]);
    const ref = dftMagnitudes(frame);
    for (let k = 0; k <= 32; k++) assert.ok(Math.abs(mag.data[k * mag.shape[2]] - ref[k]) < 1e-3 * (1 + ref[k]), `bin ${k}`);
    // Zero padding differs from reflection at the edges only.
    const zero = spectrogram([x], { nFft: 64, hop: 16, scale: 'magnitude', padMode: 'constant' });
    assert.notEqual(zero.data[0], mag.data[0]);
    assert.equal(zero.data[10], mag.data[10]); // bin 0, frame 10 lies inside the signal
  });

  it('refuses bad parameters', () => {
    assert.throws(() => spectrogram([new Float32Array(100)], { nFft: 1000 }), RangeError);
    assert.throws(() => spectrogram([new Float32Array(100)], { nFft: 64, hop: 0 }), RangeError);
    assert.throws(() => spectrogram([new Float32Array(100), new Float32Array(99)], { nFft: 64 }), /different lengths/);
    assert.throws(() => spectrogram([], {}), RangeError);
    assert.equal(stftFrameCount(100, { nFft: 256, center: false }), 0);
  });
});
