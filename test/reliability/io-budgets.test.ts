/**
 * Issue #12, class 1: readers with a budget. Every case here made the old readers hang, run out of
 * memory, overflow the stack or allocate far beyond the file's size; each must now either read the
 * file correctly or refuse it quickly with an InputError that names the limit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DEFAULT_PICKLE_LIMITS, parsePickle, readPickle } from '../../lib/io/pickle';
import { encodeNpz, parseNpz, readNpz } from '../../lib/io/npz';
import type { NpyArray } from '../../lib/io/npy';
import { InputError } from '../../lib/util/errors';
import { makeTempDir, removeTempDir } from '../helpers/fixtures';
import { Asm, setBombPickle, sharedBufferPickle, zipOf } from './hostile';

const PY = '/usr/bin/python3';
const hasPython = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

function python(dir: string, name: string, code: string): string {
  const file = path.join(dir, name);
  const run = spawnSync(PY, ['-c', `import pickle, sys\n${code}\nopen(sys.argv[1], 'wb').write(data)`, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, run.stderr);
  return file;
}

function refuses(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(typeof p === 'string' ? e.message.includes(p) : p.test(e.message), `message ${JSON.stringify(e.message)} lacks ${String(p)}`);
    return true;
  });
}

describe('reliability: readers with a budget (issue #12)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('avlab-budget-');
  });
  afterEach(() => removeTempDir(dir));

  it('pickle: a 1 MB LONG4 integer is refused at once by default and decoded in linear time when allowed', function () {
    if (!hasPython) this.skip();
    const file = python(dir, 'bigint.pkl', 'data = pickle.dumps(-(1 << (8 * 1000000 - 3)) + 12345, protocol=4)');
    const t0 = Date.now();
    refuses(() => readPickle(file), 'refusing an integer of 1000000 bytes', 'maxIntBytes');
    assert.ok(Date.now() - t0 < 2000);
    const t1 = Date.now();
    const v = readPickle(file, { maxIntBytes: 2_000_000 });
    assert.ok(Date.now() - t1 < 10000, `took ${Date.now() - t1} ms`);
    assert.equal(v, -(1n << BigInt(8 * 1000000 - 3)) + 12345n);
    // Small LONG1 integers and the text LONG opcode keep working; 5000 digits of text are refused like Python's int().
    assert.equal(parsePickle(Buffer.from(pickleBytes(dir, 'data = pickle.dumps(-(2**70) - 5, protocol=2)')), 'x'), -(2n ** 70n) - 5n);
    refuses(() => parsePickle(Buffer.from('L' + '9'.repeat(5000) + 'L\n.', 'latin1'), 'x.pkl'), '5000 decimal digits', 'maxIntDigits');
  });

  it('pickle: arrays built from one memoised buffer share it instead of copying it per fetch', () => {
    const size = 8 * 1024 * 1024;
    const bytes = sharedBufferPickle(size, 30);
    const before = process.memoryUsage().arrayBuffers;
    const v = parsePickle(bytes, 'shared.pkl') as NpyArray[];
    const grew = process.memoryUsage().arrayBuffers - before;
    assert.equal(v.length, 30);
    for (const a of v) {
      assert.deepEqual(a.shape, [size / 4]);
      assert.equal(a.data.buffer, v[0].data.buffer, 'one buffer behind every array');
    }
    assert.ok(grew < 3 * size, `array memory grew by ${grew} bytes for a ${bytes.length}-byte pickle`);
  });

  it('pickle: a 546 KB file of sets copied from one memoised list is refused quickly, in bounded memory', () => {
    const bytes = setBombPickle(20000, 80000);
    assert.ok(bytes.length > 500_000 && bytes.length < 600_000, String(bytes.length));
    const t0 = Date.now();
    const rss = process.memoryUsage().rss;
    refuses(() => parsePickle(bytes, 'sets.pkl'), 'sets.pkl', /refusing to (decode|do) more than/, /maxDecodedBytes|maxWork/);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, 'memory stayed bounded');
    // The same shape at a legitimate size reads, and the override lifts the limit.
    const small = parsePickle(setBombPickle(10, 10), 'ok.pkl') as Set<number>[];
    assert.equal(small.length, 10);
    assert.equal(small[3].size, 10);
    refuses(() => parsePickle(setBombPickle(10, 10), 'ok.pkl', { maxWork: 50 }), 'units of work', 'maxWork');
  });

  it('pickle: bytearray/bytes copies of a memoised buffer are charged against maxDecodedBytes', () => {
    const a = new Asm().op(0x80, 4);
    const size = 1 << 20;
    a.op(0x42, ...a.u32(size));
    const head = a.bytes();
    const t = new Asm().op(0x94, 0x30).global('builtins', 'bytearray').op(0x94, 0x30).op(0x5d, 0x28);
    for (let i = 0; i < 400; i++) t.op(0x68, 1, 0x68, 0, 0x85, 0x52);
    t.op(0x65, 0x2e);
    const tb = t.bytes();
    const bytes = new Uint8Array(head.length + size + tb.length);
    bytes.set(head, 0);
    bytes.set(tb, head.length + size);
    // 400 copies of 1 MiB from a 1 MiB file: over 8 × the file + 16 MiB.
    refuses(() => parsePickle(bytes, 'copies.pkl'), 'copies.pkl', 'maxDecodedBytes');
    assert.equal((parsePickle(bytes, 'copies.pkl', { maxDecodedBytes: 1 << 30 }) as Uint8Array[]).length, 400);
    assert.equal(DEFAULT_PICKLE_LIMITS.bytesPerInputByte, 8);
  });

  it('pickle: list(range(500000)) and a 200,000-key dict read without overflowing the stack', function () {
    if (!hasPython) this.skip();
    for (const protocol of [2, 4]) {
      const list = readPickle(python(dir, `list${protocol}.pkl`, `data = pickle.dumps(list(range(500000)), protocol=${protocol})`)) as number[];
      assert.equal(list.length, 500000);
      assert.equal(list[499999], 499999);
      const dict = readPickle(python(dir, `dict${protocol}.pkl`, `data = pickle.dumps({'k%d' % i: i for i in range(200000)}, protocol=${protocol})`)) as Record<string, number>;
      assert.equal(Object.keys(dict).length, 200000);
      assert.equal(dict.k199999, 199999);
      const set = readPickle(python(dir, `set${protocol}.pkl`, `data = pickle.dumps(set(range(300000)), protocol=${protocol})`)) as Set<number>;
      assert.equal(set.size, 300000);
    }
  });

  it('npz: a DEFLATE member that inflates past its declared size is stopped at the declaration', function () {
    if (!hasPython) this.skip();
    // A 1 MB bomb: 1 GiB of zeros (deflated in 1 MiB chunks by Python) declared as 1000 bytes.
    const rawFile = path.join(dir, 'bomb.deflate');
    const run = spawnSync(PY, ['-c', 'import sys, zlib\nc = zlib.compressobj(9, zlib.DEFLATED, -15)\nz = bytes(1 << 20)\nopen(sys.argv[1], "wb").write(b"".join(c.compress(z) for _ in range(1024)) + c.flush())', rawFile]);
    assert.equal(run.status, 0, String(run.stderr));
    const raw = fs.readFileSync(rawFile);
    assert.ok(raw.length > 900_000 && raw.length < 1_200_000, String(raw.length));
    const bytes = zipOf([{ name: 'x.npy', data: raw, usize: 1000, crc: 0 }]);
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    refuses(() => parseNpz(bytes, 'bomb.npz'), 'bomb.npz', 'x.npy', 'inflates past the 1000 bytes');
    assert.ok(Date.now() - t0 < 5000);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
  });

  it('npz: declared sizes over the ratio limit, over the total limit, or members sharing bytes are refused before inflating', () => {
    const raw = zlib.deflateRawSync(Buffer.alloc(4 << 20), { level: 9 });
    refuses(() => parseNpz(zipOf([{ name: 'a.npy', data: raw, usize: 2000 * raw.length, crc: 0 }]), 'ratio.npz'), 'a.npy', 'ZipReadOptions.maxRatio');
    refuses(() => parseNpz(zipOf([{ name: 'a.npy', data: raw, usize: 4 << 20, crc: 0 }]), 'total.npz', { maxTotalBytes: 1 << 20 }), 'maxTotalBytes');
    // Two central-directory entries pointing at one local member (the overlapping-files bomb).
    const one = zipOf([{ name: 'a.npy', data: raw, usize: 4 << 20, crc: 0 }], 2);
    refuses(() => parseNpz(one, 'overlap.npz'), 'overlap.npz', 'share bytes');
    // Honest archives still read.
    const arrays: Record<string, NpyArray> = { a: { dtype: '<f4', shape: [3], data: Float32Array.from([1, 2, 3]) } };
    const f = path.join(dir, 'ok.npz');
    fs.writeFileSync(f, encodeNpz(arrays));
    assert.deepEqual(readNpz(f), arrays);
  });
});

function pickleBytes(dir: string, code: string): Uint8Array {
  return fs.readFileSync(python(dir, 'tmp.pkl', code));
}

