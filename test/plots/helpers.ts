/** Shared helpers for the plotting and report tests. */
import { existsSync } from 'fs';
import { chromiumPath } from '../../lib/plots/browser';

/** Whether headless Chromium is available; Chromium-backed tests skip (with a reason) otherwise. */
export function haveChromium(): boolean {
  return existsSync(chromiumPath());
}

/** Width and height from a PNG's IHDR chunk; throws unless the bytes start with a PNG signature. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error('not a PNG: bad signature');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: first chunk is not IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A short synthetic training history whose cv loss is lowest at epoch 6. */
export function sampleHistory(): { epoch: number; trainLoss: number; valLoss: number; metrics: { accuracy: number } }[] {
  return Array.from({ length: 10 }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 2 / (i + 1),
    valLoss: 1 + (i + 1 - 6) ** 2 / 10,
    metrics: { accuracy: 0.5 + 0.03 * i },
  }));
}
