import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type NpyArray, encodeNpy, parseNpy, readNpy, writeNpy } from '../../lib/io/npy';
import { InputError } from '../../lib/util/errors';
import { everyDtype, listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';

/** Builds `.npy` bytes by hand with any version and header text, independent of encodeNpy. */
function handNpy(major: number, header: string, data: Uint8Array): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const head = Buffer.from(header, major === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(prefix + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, prefix);
  out.set(data, prefix + head.length);
  return out;
}

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

describe('io/npy', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('round-trips every supported dtype through bytes and through a file', () => {
    for (const arr of everyDtype()) {
      const back = parseNpy(encodeNpy(arr), 'mem.npy');
      assert.equal(back.dtype, arr.dtype);
      assert.deepEqual(back.shape, arr.shape);
      assert.equal(back.data.constructor, arr.data.constructor);
      assert.deepEqual(back.data, arr.data);

      const file = path.join(dir, `${arr.dtype.slice(1)}.npy`);
      writeNpy(file, arr);
      assert.deepEqual(readNpy(file), arr);
    }
    assert.deepEqual(listFiles(dir), ['b1.npy', 'f4.npy', 'f8.npy', 'i2.npy', 'i4.npy', 'i8.npy', 'u1.npy']);
  });

  it('round-trips scalars and empty arrays', () => {
    const scalar: NpyArray = { dtype: '<f8', shape: [], data: Float64Array.from([2.5]) };
    assert.deepEqual(parseNpy(encodeNpy(scalar), 'x'), scalar);
    const empty: NpyArray = { dtype: '<f4', shape: [0, 3], data: new Float32Array(0) };
    assert.deepEqual(parseNpy(encodeNpy(empty), 'x'), empty);
  });

  it('writes the exact NumPy 1.0 layout: magic, 64-byte aligned header, raw little-endian data', () => {
    const bytes = encodeNpy({ dtype: '<f4', shape: [2], data: Float32Array.from([1, -2]) });
    assert.equal(bytes.length, 128 + 8);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    assert.equal(bytes[8] | (bytes[9] << 8), 118);
    const header = Buffer.from(bytes.subarray(10, 128)).toString('latin1');
    assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2,\), \} +\n$/);
    // 1.0f32 = 0x3f800000, -2.0f32 = 0xc0000000, little-endian
    assert.deepEqual([...bytes.subarray(128)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  });

  it('reads format versions 2.0 and 3.0 and NumPy spellings such as <u1 and 3L', () => {
    const data = new Uint8Array(Float64Array.from([1.5, -4]).buffer);
    const v2 = parseNpy(handNpy(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }\n", data), 'v2.npy');
    assert.deepEqual(v2, { dtype: '<f8', shape: [1, 2], data: Float64Array.from([1.5, -4]) });
    const v3 = parseNpy(handNpy(3, "{'descr':'<f8','fortran_order':False,'shape':(2,)}       \n", data), 'v3.npy');
    assert.deepEqual(v3.shape, [2]);
    assert.deepEqual(v3.data, Float64Array.from([1.5, -4]));
    const u1 = parseNpy(handNpy(1, "{'descr': '<u1', 'fortran_order': False, 'shape': (3L,), }\n", Uint8Array.from([9, 8, 7])), 'u.npy');
    assert.equal(u1.dtype, '|u1');
    assert.deepEqual(u1.data, Uint8Array.from([9, 8, 7]));
  });

  it('reads data that is not aligned in the source buffer', () => {
    const bytes = encodeNpy({ dtype: '<f8', shape: [2], data: Float64Array.from([3, 4]) });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    assert.deepEqual(parseNpy(shifted.subarray(1), 'x').data, Float64Array.from([3, 4]));
  });

  it('rejects Fortran order, big-endian and structured dtypes with clear errors', () => {
    const four = new Uint8Array(16);
    assertInputError(
      () => parseNpy(handNpy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", four), 'f.npy'),
      'f.npy',
      'Fortran-order arrays are not supported',
    );
    assertInputError(
      () => parseNpy(handNpy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }\n", four), 'be.npy'),
      'be.npy',
      "unsupported dtype '>f4'",
    );
    assertInputError(
      () => parseNpy(handNpy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }\n", four), 's.npy'),
      's.npy',
      'structured',
    );
    assertInputError(
      () => parseNpy(handNpy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n", four), 'c.npy', 'member.npy'),
      'c.npy [member.npy]',
      "unsupported dtype '<c8'",
    );
  });

  it('rejects bad magic, unknown versions and truncated data', () => {
    assertInputError(() => parseNpy(Buffer.from('PK\u0003\u0004 not npy'), 'z.npy'), 'z.npy', 'not a .npy array');
    const bad = handNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", new Uint8Array(8));
    bad[6] = 4;
    assertInputError(() => parseNpy(bad, 'v.npy'), 'v.npy', 'unsupported .npy format version 4.0');
    assertInputError(
      () => parseNpy(handNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", new Uint8Array(8)), 't.npy'),
      't.npy',
      'needs 12 bytes, found 8',
    );
    assertInputError(() => readNpy(path.join(dir, 'absent.npy')), 'absent.npy', 'cannot read file');
  });

  it('refuses to write inconsistent arrays and leaves no file behind', () => {
    const file = path.join(dir, 'bad.npy');
    assertInputError(() => writeNpy(file, { dtype: '<f4', shape: [3], data: new Float32Array(2) }), 'bad.npy', 'needs 3 values');
    assertInputError(() => writeNpy(file, { dtype: '<f4', shape: [2], data: new Float64Array(2) }), 'bad.npy', 'needs a Float32Array');
    assertInputError(() => writeNpy(file, { dtype: '|b1', shape: [1], data: Uint8Array.from([2]) }), 'bad.npy', 'must be 0 or 1');
    assert.deepEqual(listFiles(dir), []);
  });
});
