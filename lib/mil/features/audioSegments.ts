/**
 * Audio instances: the clip's log-mel spectrogram cut into non-overlapping 960 ms segments, the
 * input window of VGGish that Parekh et al. slide along the spectrogram. At 8 kHz with a 512-point
 * STFT (64 ms) every 40 ms and 32 mel bands from 50 Hz to 4 kHz, a segment is 32 bands × 24
 * frames; a 10-s clip gives 10 segments covering 0–9.6 s (segment k spans [0.96k, 0.96(k + 1)) s).
 */
import { logMelSpectrogram } from '../../signal/mel';

/** How audio becomes segments. */
export interface SegmentOptions {
  nFft: number;
  /** Hop in seconds. */
  hopSeconds: number;
  nMels: number;
  fMin: number;
  /** Segment length in seconds (0.96). */
  segmentSeconds: number;
  /** Segments per clip. */
  segments: number;
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = { nFft: 512, hopSeconds: 0.04, nMels: 32, fMin: 50, segmentSeconds: 0.96, segments: 10 };

/** Frames per segment: segmentSeconds / hopSeconds (24). */
export function framesPerSegment(o: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): number {
  return Math.round(o.segmentSeconds / o.hopSeconds);
}

/** The [start, end] in seconds of segment k. */
export function segmentSpan(k: number, o: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): [number, number] {
  return [k * o.segmentSeconds, (k + 1) * o.segmentSeconds];
}

/**
 * Log-mel segments of a mono clip: `[segments, nMels, framesPerSegment]` row-major. Frame t of the
 * spectrogram is centred on t·hop, so segment k holds frames [k·L, (k + 1)·L).
 */
export function audioSegments(audio: Float32Array, sampleRate: number, o: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): Float32Array {
  const hop = Math.round(o.hopSeconds * sampleRate);
  const lm = logMelSpectrogram(audio, sampleRate, { nFft: o.nFft, hop, nMels: o.nMels, fMin: o.fMin });
  const [M, T] = lm.shape;
  const L = framesPerSegment(o);
  if (o.segments * L > T) throw new RangeError(`audioSegments: ${o.segments} segments of ${L} frames need ${o.segments * L} frames, the clip has ${T}`);
  const out = new Float32Array(o.segments * M * L);
  for (let s = 0; s < o.segments; s++) {
    for (let m = 0; m < M; m++) out.set(lm.data.subarray(m * T + s * L, m * T + (s + 1) * L), (s * M + m) * L);
  }
  return out;
}
