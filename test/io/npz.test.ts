import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeNpy } from '../../lib/io/npy';
import { crc32, encodeNpz, parseNpz, readNpz, readZip, writeNpz } from '../../lib/io/npz';
import { InputError } from '../../lib/util/errors';
import { everyDtype, listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';

interface HandEntry {
  name: string;
  data: Uint8Array;
  method: 0 | 8 | number;
  /** Overrides the CRC written to the central directory. */
  crc?: number;
  /** Writes zero sizes/CRC in the local header and sets the data-descriptor flag, as streaming writers do. */
  descriptor?: boolean;
}

/**
 * Builds a zip archive byte by byte, independently of encodeNpz: DEFLATE members are compressed
 * with zlib.deflateRawSync, and an archive comment is appended.
 */
function handZip(entries: HandEntry[], comment = ''): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const payload = e.method === 8 ? zlib.deflateRawSync(e.data) : Buffer.from(e.data);
    const name = Buffer.from(e.name, 'utf8');
    const crc = e.crc ?? crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.descriptor ? 0x8 : 0, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(e.descriptor ? 0 : payload.length, 18);
    local.writeUInt32LE(e.descriptor ? 0 : e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    chunks.push(local, name, payload);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(e.descriptor ? 0x8 : 0, 8);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(payload.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + payload.length;
  }
  const cdBytes = Buffer.concat(central);
  const commentBytes = Buffer.from(comment, 'latin1');
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...chunks, cdBytes, eocd, commentBytes]);
}

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

describe('io/npz', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('computes the standard CRC-32 check values', () => {
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  });

  it('round-trips arrays of every dtype through bytes and through a file', () => {
    const arrays = Object.fromEntries(everyDtype().map((a) => [`x_${a.dtype.slice(1)}`, a]));
    assert.deepEqual(parseNpz(encodeNpz(arrays), 'mem.npz'), arrays);
    const file = path.join(dir, 'all.npz');
    writeNpz(file, arrays);
    assert.deepEqual(readNpz(file), arrays);
    assert.deepEqual(Object.keys(readNpz(file)), Object.keys(arrays));
    assert.deepEqual(listFiles(dir), ['all.npz']);
  });

  it('writes STORED members named <key>.npy with correct CRCs and sizes', () => {
    const a = { dtype: '<f4' as const, shape: [2], data: Float32Array.from([1, 2]) };
    const bytes = encodeNpz({ global_mean: a });
    const entries = readZip(bytes, 'w.npz');
    assert.deepEqual(entries.map((e) => e.name), ['global_mean.npy']);
    assert.deepEqual(entries[0].bytes, encodeNpy(a));
    const view = Buffer.from(bytes);
    assert.equal(view.readUInt32LE(0), 0x04034b50);
    assert.equal(view.readUInt16LE(8), 0, 'STORED');
    assert.equal(view.readUInt32LE(14), crc32(encodeNpy(a)));
    assert.equal(view.readUInt32LE(18), encodeNpy(a).length);
  });

  it('reads a hand-built archive with DEFLATE and STORED members, a data descriptor and a comment', () => {
    const mean = { dtype: '<f8' as const, shape: [3], data: Float64Array.from([0.5, -1, 2]) };
    const std = { dtype: '<f4' as const, shape: [3], data: Float32Array.from([1, 2, 4]) };
    const count = { dtype: '<i8' as const, shape: [], data: BigInt64Array.from([42n]) };
    const bytes = handZip(
      [
        { name: 'global_mean.npy', data: encodeNpy(mean), method: 8 },
        { name: 'global_std.npy', data: encodeNpy(std), method: 0 },
        { name: 'count.npy', data: encodeNpy(count), method: 8, descriptor: true },
      ],
      'written by hand',
    );
    const got = parseNpz(bytes, 'hand.npz');
    assert.deepEqual(Object.keys(got), ['global_mean', 'global_std', 'count']);
    assert.deepEqual(got.global_mean, mean);
    assert.deepEqual(got.global_std, std);
    assert.deepEqual(got.count, count);
  });

  it('reports a CRC mismatch naming the file and the member', () => {
    const a = encodeNpy({ dtype: '<f4', shape: [2], data: Float32Array.from([1, 2]) });
    const good = handZip([{ name: 'a.npy', data: a, method: 8 }]);
    assert.deepEqual(parseNpz(good, 'ok.npz').a.data, Float32Array.from([1, 2]));
    const wrongCrc = handZip([{ name: 'a.npy', data: a, method: 8, crc: (crc32(a) ^ 1) >>> 0 }]);
    assertInputError(() => parseNpz(wrongCrc, 'bad.npz'), 'bad.npz [a.npy]', 'CRC mismatch');
    // Corrupt one data byte of a STORED member: the sizes still agree, only the CRC can tell.
    const stored = handZip([{ name: 'a.npy', data: a, method: 0 }]);
    stored[30 + 'a.npy'.length + a.length - 1] ^= 0xff;
    assertInputError(() => parseNpz(stored, 'flip.npz'), 'flip.npz [a.npy]', 'CRC mismatch');
  });

  it('rejects non-zip data, ZIP64, unknown methods and bad members with the file and entry named', () => {
    assertInputError(() => parseNpz(Buffer.from('just some bytes, not a zip archive'), 'text.npz'), 'text.npz', 'not a zip archive');
    const a = encodeNpy({ dtype: '<f4', shape: [1], data: Float32Array.from([1]) });
    const zip64 = Buffer.from(handZip([{ name: 'a.npy', data: a, method: 0 }]));
    zip64.writeUInt32LE(0xffffffff, zip64.length - 22 + 16);
    assertInputError(() => parseNpz(zip64, 'z64.npz'), 'z64.npz', 'ZIP64 archives are not supported');
    const bzip = handZip([{ name: 'a.npy', data: a, method: 12 }]);
    assertInputError(() => parseNpz(bzip, 'bz.npz'), 'bz.npz [a.npy]', 'unsupported zip compression method 12');
    const notNpy = handZip([{ name: 'notes.npy', data: Buffer.from('hello'), method: 0 }]);
    assertInputError(() => parseNpz(notNpy, 'n.npz'), 'n.npz [notes.npy]', 'not a .npy array');
    const corrupt = Buffer.from(handZip([{ name: 'a.npy', data: a, method: 8 }]));
    corrupt[30 + 'a.npy'.length] = 0xff; // an invalid DEFLATE block type
    assertInputError(() => parseNpz(corrupt, 'c.npz'), 'c.npz [a.npy]', 'corrupt DEFLATE data');
    assertInputError(() => readNpz(path.join(dir, 'missing.npz')), 'missing.npz', 'cannot read file');
  });

  it('writes nothing when an array is invalid', () => {
    const file = path.join(dir, 'bad.npz');
    assertInputError(
      () => writeNpz(file, { ok: { dtype: '<f4', shape: [1], data: new Float32Array(1) }, bad: { dtype: '<f4', shape: [2], data: new Float32Array(1) } }),
      'bad.npz [bad.npy]',
      'needs 2 values',
    );
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(listFiles(dir), []);
  });
});
