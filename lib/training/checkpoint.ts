/**
 * Checkpoints: model weights, optimiser state and trainer state in one binary file, written
 * atomically (temp file + rename) so an interrupted run never leaves a half-written checkpoint.
 *
 * Layout: "AVLABCK1" | u32 header length | JSON header | float32 payload (little-endian).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors';
import { writeFileAtomic } from '../io/files';

const MAGIC = 'AVLABCK1';

/** A tensor's name, shape and values, detached from any backend. */
export interface StoredTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What a checkpoint holds. */
export interface Checkpoint<S = unknown> {
  weights: StoredTensor[];
  optimizer: StoredTensor[];
  state: S;
}

/** Copies tensors' values out of the backend. */
export async function storeTensors(named: { name: string; tensor: tf.Tensor }[]): Promise<StoredTensor[]> {
  return Promise.all(
    named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape.slice(), values: Float32Array.from(await tensor.data()) })),
  );
}

/** Saves a checkpoint atomically. */
export function saveCheckpoint<S>(file: string, ck: Checkpoint<S>): void {
  const entries = (list: StoredTensor[]) => list.map(({ name, shape, values }) => ({ name, shape, length: values.length }));
  const header = Buffer.from(JSON.stringify({ weights: entries(ck.weights), optimizer: entries(ck.optimizer), state: ck.state }), 'utf8');
  const total = [...ck.weights, ...ck.optimizer].reduce((s, t) => s + t.values.length, 0);
  const buf = Buffer.alloc(8 + 4 + header.length + 4 * total);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  let off = 12 + header.length;
  for (const t of [...ck.weights, ...ck.optimizer]) {
    for (let i = 0; i < t.values.length; i++, off += 4) buf.writeFloatLE(t.values[i], off);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, buf);
}

/** Loads a checkpoint written by `saveCheckpoint`; a damaged file is an InputError naming it. */
export function loadCheckpoint<S = unknown>(file: string): Checkpoint<S> {
  if (!fs.existsSync(file)) throw new InputError(file, 'checkpoint file does not exist');
  const buf = fs.readFileSync(file);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new InputError(file, 'not an avlab checkpoint (bad magic)');
  const hlen = buf.readUInt32LE(8);
  let header: { weights: { name: string; shape: number[]; length: number }[]; optimizer: { name: string; shape: number[]; length: number }[]; state: S };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen));
  } catch {
    throw new InputError(file, 'checkpoint header is not valid JSON (file truncated or damaged)');
  }
  let off = 12 + hlen;
  const read = (entries: { name: string; shape: number[]; length: number }[]): StoredTensor[] =>
    entries.map(({ name, shape, length }) => {
      if (off + 4 * length > buf.length) throw new InputError(file, 'checkpoint payload is truncated', name);
      const values = new Float32Array(length);
      for (let i = 0; i < length; i++, off += 4) values[i] = buf.readFloatLE(off);
      return { name, shape, values };
    });
  const weights = read(header.weights);
  const optimizer = read(header.optimizer);
  return { weights, optimizer, state: header.state };
}

/** Writes stored values back into a model's weights (same order as `net.weights`). */
export function restoreWeights(net: tf.LayersModel, stored: StoredTensor[], file = 'checkpoint'): void {
  if (stored.length !== net.weights.length) {
    throw new InputError(file, `holds ${stored.length} weight tensors but the model has ${net.weights.length}`);
  }
  const tensors = stored.map((s, i) => {
    const expected = net.weights[i].shape;
    if (expected.join('x') !== s.shape.join('x')) {
      throw new InputError(file, `shape ${s.shape.join('x')} does not match the model's ${expected.join('x')}`, s.name);
    }
    return tf.tensor(s.values, s.shape);
  });
  net.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}
