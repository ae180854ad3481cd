import assert from 'node:assert/strict';
import { hzToMel, logMelSpectrogram, melFilterbank, melToHz } from '../../lib/signal/mel';

describe('mel filterbank', () => {
  it('the HTK mel scale: 1000 Hz is ~1000 mel, 700 Hz is 2595·log10(2), and melToHz inverts it', () => {
    assert.ok(Math.abs(hzToMel(1000) - 999.985) < 1e-3);
    assert.ok(Math.abs(hzToMel(700) - 2595 * Math.log10(2)) < 1e-9);
    for (const f of [0, 55, 440, 3999.5]) assert.ok(Math.abs(melToHz(hzToMel(f)) - f) < 1e-9);
  });

  it('hand case: 2 filters, 8 kHz, nFft 8 (bins every 1 kHz), no normalisation', () => {
    // Mel points equally spaced between m(0) = 0 and m(4000): 0, m/3, 2m/3, m.
    const m = hzToMel(4000);
    const c = [0, m / 3, (2 * m) / 3, m].map(melToHz);
    const bank = melFilterbank(8000, 8, { nMels: 2, norm: 'none' });
    assert.equal(bank.bins, 5);
    const tri = (f: number, l: number, p: number, r: number) => Math.max(0, Math.min((f - l) / (p - l), (r - f) / (r - p)));
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 5; k++) assert.ok(Math.abs(bank.weights[j * 5 + k] - tri(1000 * k, c[j], c[j + 1], c[j + 2])) < 1e-6, `filter ${j} bin ${k}`);
      assert.ok(Math.abs(bank.centres[j] - c[j + 1]) < 1e-9);
    }
  });

  it('triangles peak at their centres, overlap their neighbours, and slaney filters have equal area', () => {
    const sr = 16000;
    const nFft = 4096;
    const bank = melFilterbank(sr, nFft, { nMels: 20, fMin: 100, fMax: 7000, norm: 'none' });
    const slaney = melFilterbank(sr, nFft, { nMels: 20, fMin: 100, fMax: 7000 });
    const df = sr / nFft;
    for (let j = 0; j < 20; j++) {
      const row = bank.weights.subarray(j * bank.bins, (j + 1) * bank.bins);
      const peak = row.indexOf(Math.max(...row));
      assert.ok(Math.abs(peak * df - bank.centres[j]) <= df, `filter ${j} peaks at its centre`);
      assert.ok(Math.max(...row) > 0.99 && Math.max(...row) <= 1);
      // Area ≈ width/2 · peak; slaney rescales by 2/width: area ≈ 1 (in Hz units).
      const area = slaney.weights.subarray(j * bank.bins, (j + 1) * bank.bins).reduce((s, w) => s + w, 0) * df;
      assert.ok(Math.abs(area - 1) < 0.05, `slaney filter ${j} area ${area}`);
    }
    // Between two neighbouring centres the two filters sum to 1 (triangles meet halfway).
    const k = Math.round((bank.centres[5] + bank.centres[6]) / 2 / df);
    assert.ok(Math.abs(bank.weights[5 * bank.bins + k] + bank.weights[6 * bank.bins + k] - 1) < 0.01);
  });

  it('a pure tone puts its log-mel energy in the band whose centre is nearest', () => {
    const sr = 8000;
    for (const f of [300, 1200, 2500]) {
      const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / sr));
      const lm = logMelSpectrogram(x, sr, { nFft: 512, hop: 256, nMels: 32, fMin: 50 });
      const [M, T] = lm.shape;
      assert.equal(M, 32);
      const t = Math.floor(T / 2);
      const col = Array.from({ length: M }, (_, j) => lm.data[j * T + t]);
      const best = col.indexOf(Math.max(...col));
      const nearest = Array.from(lm.centres).reduce((b, c, j) => (Math.abs(c - f) < Math.abs(lm.centres[b] - f) ? j : b), 0);
      assert.ok(Math.abs(best - nearest) <= 1, `${f} Hz: band ${best}, nearest centre ${nearest}`);
      assert.ok(Math.abs(lm.frameSeconds - 256 / sr) < 1e-12);
    }
    const silent = logMelSpectrogram(new Float32Array(4000), sr, { nFft: 256, nMels: 8 });
    assert.ok(silent.data.every((v) => Math.abs(v - Math.log(1e-6)) < 1e-6), 'silence is log ε');
  });

  it('rejects bad options', () => {
    assert.throws(() => melFilterbank(8000, 256, { fMax: 5000 }), /fMax/);
    assert.throws(() => melFilterbank(8000, 256, { nMels: 0 }), /nMels/);
  });
});
