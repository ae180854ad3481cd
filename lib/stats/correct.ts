/** Per-example right/wrong flags, the input of the accuracy intervals and the paired tests. */
import type { Labels } from '../metrics/classification';

/** Whether each test example was classified correctly: booleans, or 0/1 bytes or numbers. */
export type CorrectFlags = Uint8Array | readonly boolean[] | readonly number[];

/** The flags as a fresh 0/1 `Uint8Array`; throws on anything but true/false/0/1. */
export function toCorrectFlags(correct: CorrectFlags, what = 'correct'): Uint8Array {
  const out = new Uint8Array(correct.length);
  for (let i = 0; i < correct.length; i++) {
    const v = correct[i] as unknown;
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0) throw new RangeError(`${what}[${i}] is ${String(v)}; expected true/false or 1/0`);
  }
  return out;
}

/** 1 where `yPred[i] === yTrue[i]`, else 0. Throws when the lengths differ. */
export function correctMask(yTrue: Labels, yPred: Labels): Uint8Array {
  if (yTrue.length !== yPred.length) throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  const out = new Uint8Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) out[i] = yTrue[i] === yPred[i] ? 1 : 0;
  return out;
}
