import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type PickleValue, encodePickle, parsePickle, pickleNumber, readPickle, writePickle } from '../../lib/io/pickle';
import type { NpyArray } from '../../lib/io/npy';
import { InputError } from '../../lib/util/errors';
import { everyDtype, makeTempDir, removeTempDir } from '../helpers/fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'pickle');
/** The file the malicious fixtures would create if anything ran them (see make_fixtures.py). */
const MARKER = '/tmp/avlab-pickle-fixture-was-executed';

function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

/** Latin-1 bytes of a string (for hand-written pickles). */
function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function arr<T extends NpyArray['data']>(dtype: NpyArray['dtype'], shape: number[], data: T): NpyArray {
  return { dtype, shape, data };
}

/** What make_fixtures.py's arrays() holds, as the reader must return it (C order, little-endian). */
const EXPECTED_ARRAYS: Record<string, NpyArray> = {
  f4: arr('<f4', [2, 3], Float32Array.from([-1, -0.5, 0, 0.5, 1, 1.5])),
  f8: arr('<f8', [3], Float64Array.from([Math.PI, -0, 1e300])),
  i2: arr('<i2', [2, 2], Int16Array.from([-32768, 32767, 0, -1])),
  i4: arr('<i4', [1, 2, 2], Int32Array.from([-2147483648, 2147483647, 7, -7])),
  i8: arr('<i8', [2], BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n])),
  u1: arr('|u1', [4], Uint8Array.from([0, 1, 128, 255])),
  b1: arr('|b1', [2, 2], Uint8Array.from([1, 0, 0, 1])),
  fortran: arr('<f8', [2, 3], Float64Array.from([0, 1, 2, 3, 4, 5])),
  bigendian: arr('<i4', [3], Int32Array.from([0, 1, 2])),
  scalar_i8: arr('<i8', [], BigInt64Array.from([44100n])),
  scalar_f8: arr('<f8', [], Float64Array.from([2.5])),
  empty: arr('<f4', [0, 3], new Float32Array(0)),
  zerod: arr('<f4', [], Float32Array.from([7])),
};

function expectedPlain(protocol: number): Record<string, PickleValue> {
  const shared = [1];
  const v: Record<string, PickleValue> = {
    none: null,
    true: true,
    false: false,
    int: 7,
    neg: -300,
    int32: 2 ** 31 - 1,
    big: 2n ** 70n,
    negbig: -(2n ** 65n),
    float: 0.1,
    str: 'h\u00e9llo \u2713',
    bytes: Uint8Array.from([0, 255]),
    empty_bytes: new Uint8Array(0),
    list: [1, [2, 3]],
    tuple: [1, 'a'],
    shared: [shared, shared],
    set: new Set([1, 2]),
    frozenset: new Set([3]),
    intkey: { '1': 'a' },
  };
  if (protocol >= 1) v.bytearray = Uint8Array.from([97, 98]);
  return v;
}

describe('io/pickle', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
    fs.rmSync(MARKER, { force: true });
  });
  afterEach(() => removeTempDir(dir));

  for (const p of [2, 3, 4, 5]) {
    it(`reads NumPy arrays of every supported dtype pickled with protocol ${p}`, () => {
      assert.deepEqual(readPickle(fixture(`arrays_p${p}.pkl`)), EXPECTED_ARRAYS);
    });
  }

  it('reads pickles from NumPy 1.x (numpy.core.multiarray)', () => {
    assert.ok(fs.readFileSync(fixture('arrays_numpy1_p2.pkl')).includes(Buffer.from('numpy.core.multiarray')));
    assert.deepEqual(readPickle(fixture('arrays_numpy1_p2.pkl')), EXPECTED_ARRAYS);
  });

  for (const p of [0, 1, 2, 3, 4, 5]) {
    it(`reads plain Python values pickled with protocol ${p}`, () => {
      const v = readPickle(fixture(`plain_p${p}.pkl`)) as Record<string, PickleValue>;
      assert.deepEqual(v, expectedPlain(p));
      // The memo keeps shared references shared.
      const shared = v.shared as PickleValue[];
      assert.equal(shared[0], shared[1]);
    });
  }

  it('reads the course-style audio dict and its sample rate', () => {
    for (const name of ['audio_data_p2.pkl', 'audio_data_p4.pkl']) {
      const v = readPickle(fixture(name)) as Record<string, PickleValue>;
      const audio = v.audio as NpyArray;
      assert.equal(audio.dtype, '<f4');
      assert.deepEqual(audio.shape, [400, 4]);
      const data = audio.data as Float32Array;
      for (const [n, c] of [[0, 0], [0, 3], [123, 2], [399, 1]]) {
        const expected = 0.5 * Math.sin((2 * Math.PI * 440 * n) / 44100 + c);
        assert.ok(Math.abs(data[n * 4 + c] - expected) < 1e-6, `${name} [${n}, ${c}]`);
      }
      assert.equal(pickleNumber(v.audio_samplerate), 44100);
    }
    assert.equal(pickleNumber(EXPECTED_ARRAYS.scalar_i8), 44100);
    assert.equal(pickleNumber(EXPECTED_ARRAYS.scalar_f8), 2.5);
    assert.equal(pickleNumber('44100'), undefined);
  });

  it('refuses malicious pickles without running them, naming the file and the global', () => {
    const cases: [string, string][] = [
      ['evil_os_system_p2.pkl', "'posix.system'"],
      ['evil_eval_p4.pkl', "'builtins.eval'"],
      ['evil_subprocess_p5.pkl', "'subprocess.check_call'"],
      ['evil_in_audio_p4.pkl', "'posix.system'"],
    ];
    for (const [name, global] of cases) assertInputError(() => readPickle(fixture(name)), fixture(name), global, 'refusing');
    assert.equal(fs.existsSync(MARKER), false);
  });

  it('refuses hand-written attacks: os.system via REDUCE, eval, unknown globals, INST, OBJ, NEWOBJ, EXT, PERSID', () => {
    const cmd = `touch ${MARKER}`;
    const cases: [string, Uint8Array, string][] = [
      // Protocol 0: cos\nsystem\n(S'cmd'\ntR.
      ['os.system (protocol 0)', bytes(`cos\nsystem\n(S'${cmd}'\ntR.`), "'os.system'"],
      // Protocol 2 with STACK_GLOBAL-free GLOBAL and TUPLE1.
      ['builtins.eval', bytes(`\x80\x02cbuiltins\neval\nX${String.fromCharCode(3)}\x00\x00\x001+1\x85R.`), "'builtins.eval'"],
      // Protocol 4 STACK_GLOBAL of an unknown module.
      ['unknown global', bytes('\x80\x04\x8c\x07mystery\x8c\x04func\x93).'), "'mystery.func'"],
      ['numpy function outside the allow-list', bytes('\x80\x02cnumpy\nload\n.'), "'numpy.load'"],
      ['INST', bytes(`(S'${cmd}'\nios\nsystem\n.`), "INST opcode (it instantiates the class 'os.system')"],
      ['OBJ', bytes('(N)o.'), 'OBJ opcode'],
      ['NEWOBJ', bytes('\x80\x02c_codecs\nencode\n)\x81.'), "NEWOBJ opcode of '_codecs.encode'"],
      ['EXT1', bytes('\x80\x02\x82\x01.'), 'EXT1'],
      ['PERSID', bytes('Pfoo\n.'), 'PERSID'],
      ['BINPERSID', bytes('\x80\x02N\x51.'), 'BINPERSID'],
      ['NEXT_BUFFER', bytes('\x80\x05\x97.'), 'out-of-band'],
      // REDUCE of something that is not an allowed callable (a string).
      ['REDUCE of a string', bytes('\x80\x02X\x02\x00\x00\x00ab)R.'), 'REDUCE of a str'],
      // An allowed global used in a way numpy never does.
      ['_reconstruct of a non-ndarray', bytes('\x80\x02cnumpy.core.multiarray\n_reconstruct\nc_codecs\nencode\n\x85R.'), 'only numpy.ndarray'],
      ['bare allowed global', bytes('\x80\x02cnumpy\nndarray\n.'), "bare global 'numpy.ndarray'"],
    ];
    for (const [label, data, part] of cases) {
      assert.throws(
        () => parsePickle(data, `${label}.pkl`),
        (e: unknown) => e instanceof InputError && e.message.includes(`${label}.pkl`) && e.message.includes(part),
        label,
      );
    }
    assert.equal(fs.existsSync(MARKER), false);
  });

  it('refuses truncated and garbled input with clear errors', () => {
    const good = fs.readFileSync(fixture('arrays_p4.pkl'));
    // Every strict prefix of a valid pickle is refused (never accepted, never a crash).
    for (let n = 0; n < good.length; n += 7) {
      assert.throws(() => parsePickle(good.subarray(0, n), 'cut.pkl'), (e: unknown) => e instanceof InputError && e.message.startsWith('cut.pkl'), `prefix ${n}`);
    }
    assertInputError(() => parsePickle(good.subarray(0, good.length - 1), 'cut.pkl'), 'cut.pkl', 'before the STOP opcode');
    assertInputError(() => parsePickle(good.subarray(0, 200), 'cut.pkl'), 'truncated');
    assertInputError(() => parsePickle(bytes('\x80\x02\xff.'), 'g.pkl'), 'unknown pickle opcode 0xff');
    assertInputError(() => parsePickle(bytes('\x80\x09N.'), 'g.pkl'), 'unsupported pickle protocol 9');
    assertInputError(() => parsePickle(bytes('\x80\x02h\x05.'), 'g.pkl'), 'memo key 5 was never stored');
    assertInputError(() => parsePickle(bytes('\x80\x02t.'), 'g.pkl'), 'without a preceding MARK');
    assertInputError(() => parsePickle(bytes('\x80\x02NN.'), 'g.pkl'), 'STOP with 2 values');
    assertInputError(() => parsePickle(bytes('\x80\x02NNa.'), 'g.pkl'), 'APPEND(S) on a None');
    assertInputError(() => parsePickle(bytes('\x80\x02X\x02\x00\x00\x00\xff\xfe.'), 'g.pkl'), 'not valid UTF-8');
    assertInputError(() => parsePickle(new TextEncoder().encode('{"audio": [1, 2]}'), 'j.pkl'), 'j.pkl');
    // Random bytes after a valid header: refused with an InputError, never another exception
    // (a rare stream may happen to be a valid tiny pickle, which is fine).
    let seed = 12345;
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const junk = Uint8Array.from({ length: 40 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
      junk[0] = 0x80;
      junk[1] = 0x04;
      try {
        parsePickle(junk, 'junk.pkl');
      } catch (e) {
        assert.ok(e instanceof InputError, `trial ${trial}: ${String(e)}`);
        refused++;
      }
    }
    assert.ok(refused > 280, `${refused} of 300 refused`);
    // Corrupted array data: the byte count no longer matches the shape.
    const edited = Buffer.from(readFileLatin1(fixture('arrays_p2.pkl')).replace("K\x02K\x03\x86", "K\x02K\x04\x86"), 'latin1');
    assertInputError(() => parsePickle(edited, 'edit.pkl'), 'needs 32 bytes, the pickle holds 24');
  });

  it('refuses NumPy dtypes it cannot represent', () => {
    const dtype = (code: string): string => `cnumpy\ndtype\nX${String.fromCharCode(code.length)}\x00\x00\x00${code}\x89\x88\x87R`;
    const state = `(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb`;
    const scalar = (code: string): Uint8Array => bytes(`\x80\x03cnumpy.core.multiarray\nscalar\n${dtype(code)}${state}C\x02\x00\x00\x86R.`);
    assertInputError(() => parsePickle(scalar('u2'), 'u2.pkl'), "unsupported numpy dtype 'u2'");
    assertInputError(() => parsePickle(scalar('c8'), 'c8.pkl'), "unsupported numpy dtype 'c8'");
  });

  it('round-trips every dtype and plain values through the writer (protocols 2 and 4)', () => {
    const value: Record<string, PickleValue> = {
      ...Object.fromEntries(everyDtype().map((a) => [a.dtype.slice(1), a])),
      zerod: arr('<f8', [], Float64Array.from([2.5])),
      big: arr('|u1', [300], Uint8Array.from({ length: 300 }, (_, i) => i % 256)),
      audio_samplerate: 44100,
      ints: [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, 2n ** 64n, -(2n ** 100n)],
      floats: [0.1, -0, 1e300, Infinity, -Infinity],
      strings: ['', 'a', 'h\u00e9llo \u2713', 'x'.repeat(300)],
      bytes: Uint8Array.from([0, 127, 128, 255]),
      nested: { list: [null, true, false, [1, [2]]], ['__proto__']: 'key', 'with space': 1 },
    };
    for (const protocol of [2, 4] as const) {
      const file = path.join(dir, `p${protocol}.pkl`);
      writePickle(file, value, { protocol });
      const back = readPickle(file) as Record<string, PickleValue>;
      assert.deepEqual(back, value);
      assert.ok(Object.prototype.hasOwnProperty.call(back.nested, '__proto__'), '__proto__ stays an ordinary key');
      const raw = fs.readFileSync(file);
      assert.equal(raw[0], 0x80);
      assert.equal(raw[1], protocol);
    }
    assertInputError(() => encodePickle({ a: { dtype: '<f4', shape: [3], data: new Float32Array(2) } }, {}, 'x.pkl'), 'x.pkl', 'does not match');
    assertInputError(() => encodePickle({ a: { dtype: '<f4', shape: [2], data: new Float64Array(2) } }, {}, 'x.pkl'), 'needs a Float32Array');
    const loop: PickleValue[] = [];
    loop.push(loop);
    assertInputError(() => encodePickle(loop, {}, 'x.pkl'), 'contains itself');
  });

  it('writes pickles that NumPy loads (when Debian python3 with numpy is installed)', function () {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) this.skip();
    const value: Record<string, PickleValue> = {
      audio: arr('<f4', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1)),
      i8: arr('<i8', [2], BigInt64Array.from([-(2n ** 63n), 5n])),
      b1: arr('|b1', [2], Uint8Array.from([1, 0])),
      audio_samplerate: 44100,
      text: 'h\u00e9llo',
    };
    const script = [
      'import pickle, sys, warnings',
      "warnings.simplefilter('error')",
      'd = pickle.load(open(sys.argv[1], "rb"))',
      'a = d["audio"]',
      "assert a.dtype == 'float32' and a.shape == (3, 4) and a[2, 3] == 1.75 and a.flags['C_CONTIGUOUS']",
      "assert d['i8'].tolist() == [-(2 ** 63), 5] and d['b1'].tolist() == [True, False]",
      "assert d['audio_samplerate'] == 44100 and d['text'] == 'h\\u00e9llo'",
      "print('ok')",
    ].join('\n');
    for (const protocol of [2, 4] as const) {
      const file = path.join(dir, `numpy${protocol}.pkl`);
      writePickle(file, value, { protocol });
      const run = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), 'ok');
    }
  });

  it('names unreadable files', () => {
    assertInputError(() => readPickle(path.join(dir, 'missing.pkl')), 'missing.pkl', 'cannot read file');
  });
});

function readFileLatin1(file: string): string {
  return fs.readFileSync(file).toString('latin1');
}
