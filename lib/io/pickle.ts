/**
 * A safe reader and a small writer for Python pickles, so avlab can load the course's
 * `audio_data.pkl` files (dicts of NumPy arrays) without Python and without the risk that comes
 * with unpickling: a pickle is a program for a stack machine whose `GLOBAL` + `REDUCE` opcodes can
 * call any Python function (`os.system`, `builtins.eval`, …).
 *
 * The reader here is a pickle virtual machine that never executes anything. It understands the
 * data opcodes of protocols 0–5 (dicts, lists, tuples, sets, str, bytes, bytearray, int, float,
 * bool, None, the memo) and rebuilds NumPy arrays and scalars itself from the few NumPy globals
 * that NumPy's own pickles use. Every other global (and every opcode that instantiates classes or
 * asks the application for objects: `INST`, `OBJ`, `NEWOBJ`, `NEWOBJ_EX`, `EXT*`, `PERSID`,
 * `BINPERSID`, out-of-band `NEXT_BUFFER`) is refused with an `InputError` that names the file and
 * the offending global or opcode. Globals are refused when they are *named*, before any `REDUCE`,
 * so nothing about them is ever looked up, let alone called.
 *
 * Values come back as plain JavaScript:
 *
 * | Python                       | JavaScript                                              |
 * | ---------------------------- | ------------------------------------------------------- |
 * | None, bool, str              | `null`, `boolean`, `string`                             |
 * | int                          | `number` when it is a safe integer, else `bigint`       |
 * | float                        | `number`                                                |
 * | bytes, bytearray             | `Uint8Array`                                            |
 * | list, tuple                  | array                                                   |
 * | set, frozenset               | `Set`                                                   |
 * | dict                         | plain object; int/float/bool/None keys become strings   |
 * | numpy.ndarray                | `NpyArray` (`{dtype, shape, data}`, C order)            |
 * | numpy scalar (`np.int64(3)`) | `NpyArray` with shape `[]` (see `pickleNumber`)          |
 *
 * NumPy dtypes: those of `NPY_DTYPES` (float32/64, int16/32/64, uint8, bool); big-endian arrays
 * are byte-swapped and Fortran-order arrays reordered, so every array comes back little-endian
 * and in C order.
 */
import * as fs from 'node:fs';
import { NPY_DTYPES, type NpyArray, type NpyData, type NpyDtype, shapeSize } from './npy';
import { InputError } from '../util/errors';
import { writeFileAtomic } from './files';

/** A value read from (or written to) a pickle; see the module comment for the mapping. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | NpyArray
  | PickleValue[]
  | Set<PickleValue>
  | PickleDict;

/** A Python dict with its keys as strings. */
export interface PickleDict {
  [key: string]: PickleValue;
}

// ---------------------------------------------------------------------------------------------
// Internal objects that live on the VM's stack but never leave it.

/** A global named by GLOBAL / STACK_GLOBAL that is on the allow-list (never resolved to code). */
class GlobalRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A `numpy.dtype` under construction: type code from the call, byte order from BUILD. */
class DtypeRef {
  byteorder = '=';
  constructor(readonly code: string) {}
}

/** The stack-machine mark (the MARK opcode). */
const MARK = Symbol('mark');

/**
 * The allow-list. Everything here is rebuilt by avlab's own code; nothing is imported or called.
 * NumPy moved its internals from `numpy.core` to `numpy._core` in 2.0, and pickles from both
 * generations are in circulation, so both spellings are listed. Protocol ≤ 2 pickles written by
 * Python 3 spell builtins as `__builtin__` (Python 2's name) for compatibility.
 */
const ALLOWED_GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ndarray',
  'numpy.dtype',
  '_codecs.encode',
  'builtins.bytearray',
  '__builtin__.bytearray',
  'builtins.bytes',
  '__builtin__.bytes',
  'builtins.set',
  '__builtin__.set',
  'builtins.frozenset',
  '__builtin__.frozenset',
  'collections.OrderedDict',
]);

// Opcodes (pickletools' names), protocols 0–5.
const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  POP: 0x30, // 0
  POP_MARK: 0x31, // 1
  DUP: 0x32, // 2
  FLOAT: 0x46, // F
  INT: 0x49, // I
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  LONG: 0x4c, // L
  BININT2: 0x4d, // M
  NONE: 0x4e, // N
  PERSID: 0x50, // P
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  STRING: 0x53, // S
  BINSTRING: 0x54, // T
  SHORT_BINSTRING: 0x55, // U
  UNICODE: 0x56, // V
  BINUNICODE: 0x58, // X
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  DICT: 0x64, // d
  EMPTY_DICT: 0x7d, // }
  APPENDS: 0x65, // e
  GET: 0x67, // g
  BINGET: 0x68, // h
  INST: 0x69, // i
  LONG_BINGET: 0x6a, // j
  LIST: 0x6c, // l
  EMPTY_LIST: 0x5d, // ]
  OBJ: 0x6f, // o
  PUT: 0x70, // p
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  EMPTY_TUPLE: 0x29, // )
  SETITEMS: 0x75, // u
  BINFLOAT: 0x47, // G
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));

const DTYPE_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i2': 2, '<i4': 4, '<i8': 8, '|u1': 1, '|b1': 1 };

/** NumPy type codes (as `numpy.dtype` receives them) → supported dtype, little-endian spelling. */
const DTYPE_CODES: Record<string, NpyDtype> = {
  f4: '<f4',
  f8: '<f8',
  i2: '<i2',
  i4: '<i4',
  i8: '<i8',
  u1: '|u1',
  b1: '|b1',
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

function isObjectRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Set);
}

/** True for an `{dtype, shape, data}` array as npy.ts defines it. */
export function isNpyArray(v: unknown): v is NpyArray {
  return (
    isObjectRecord(v) &&
    typeof v.dtype === 'string' &&
    (NPY_DTYPES as readonly string[]).includes(v.dtype) &&
    Array.isArray(v.shape) &&
    ArrayBuffer.isView(v.data)
  );
}

/** Sets `obj[key] = value` as an own property, even for keys like `__proto__`. */
function defineKey(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// The reader.

/**
 * Limits of one `parsePickle` / `readPickle` call. A pickle is a program: a few bytes can ask for
 * a large copy (`bytearray(memo[0])`, `set(memo[1])`, `_frombuffer(memo[2], …)`) or a huge integer,
 * so the reader charges what it decodes and the work it does against a budget derived from the
 * input's size, and refuses the file (an `InputError` naming the limit and this option) when a
 * charge would exceed it. The defaults never bind on pickles that Python or NumPy write for plain
 * data (each decoded byte and each container item has at least one byte of input behind it); raise
 * them for files that legitimately expand more.
 */
export interface PickleReadOptions {
  /**
   * Bytes the reader may allocate for decoded values (strings, bytes, array data it has to copy),
   * in all. Default `DEFAULT_PICKLE_LIMITS.bytesPerInputByte × input size +
   * DEFAULT_PICKLE_LIMITS.baseBytes` (8 × the file + 16 MiB).
   */
  maxDecodedBytes?: number;
  /**
   * Work units: one per opcode, per container item moved or copied, and per reference walked
   * when the result is checked. Default `workPerInputByte × input size + baseWork` (16 × the
   * file + 1,000,000).
   */
  maxWork?: number;
  /**
   * The largest integer, in bytes of its two's-complement form (LONG1/LONG4), the reader builds;
   * protocol-0 text integers (INT/LONG) are limited to `maxIntDigits` decimal digits, as Python's
   * own `int()` is (4300 by default). Default 65,536 bytes.
   */
  maxIntBytes?: number;
  /** Decimal digits of a protocol-0 INT/LONG. Default 4300 (Python's `sys.get_int_max_str_digits()`). */
  maxIntDigits?: number;
}

/** The defaults behind `PickleReadOptions`. */
export const DEFAULT_PICKLE_LIMITS = {
  bytesPerInputByte: 8,
  baseBytes: 16 * 1024 * 1024,
  workPerInputByte: 16,
  baseWork: 1_000_000,
  maxIntBytes: 65_536,
  maxIntDigits: 4300,
} as const;

/**
 * Parses pickle bytes into plain values without executing anything. `file` names the source in
 * error messages. Throws `InputError` for refused globals or opcodes, unsupported NumPy dtypes,
 * truncated or garbled input and input that would exceed the budget of `opts`.
 *
 * Arrays built from the same memoised buffer share its memory (as NumPy's do), rather than each
 * holding a copy.
 */
export function parsePickle(bytes: Uint8Array, file: string, opts: PickleReadOptions = {}): PickleValue {
  return new Unpickler(bytes, file, opts).load();
}

/** Reads and parses a pickle file; see `parsePickle`. */
export function readPickle(path: string, opts: PickleReadOptions = {}): PickleValue {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read file: ${(e as Error).message}`);
  }
  return parsePickle(bytes, path, opts);
}

class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  /** Which JS arrays are Python tuples (immutable), lists, and which objects are dicts. */
  private readonly tuples = new WeakSet<object>();
  private readonly dicts = new WeakSet<object>();
  /** Arrays made by `_reconstruct` that still wait for their BUILD state. */
  private readonly pendingArrays = new Set<object>();
  private opStart = 0;

  private readonly bytes: Uint8Array;
  private readonly maxBytes: number;
  private readonly maxWork: number;
  private readonly maxIntBytes: number;
  private readonly maxIntDigits: number;
  private decoded = 0;
  private work = 0;

  constructor(
    bytes: Uint8Array,
    private readonly file: string,
    opts: PickleReadOptions = {},
  ) {
    // A plain Uint8Array view: on a Node Buffer, slice() would share the pooled memory instead
    // of copying, and typed arrays built on it would be misaligned.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const L = DEFAULT_PICKLE_LIMITS;
    this.maxBytes = opts.maxDecodedBytes ?? L.bytesPerInputByte * bytes.length + L.baseBytes;
    this.maxWork = opts.maxWork ?? L.workPerInputByte * bytes.length + L.baseWork;
    this.maxIntBytes = opts.maxIntBytes ?? L.maxIntBytes;
    this.maxIntDigits = opts.maxIntDigits ?? L.maxIntDigits;
  }

  private fail(problem: string): never {
    throw new InputError(this.file, problem, `byte ${this.opStart}`);
  }

  /** Charges `n` decoded bytes against the budget (before allocating them). */
  private chargeBytes(n: number, what: string): void {
    this.decoded += n;
    if (this.decoded > this.maxBytes) {
      this.fail(
        `refusing to decode more than ${this.maxBytes} bytes from a ${this.bytes.length}-byte pickle (${what} would bring it to ${this.decoded}); ` +
          'the file expands far beyond its size (raise PickleReadOptions.maxDecodedBytes if it is trusted)',
      );
    }
  }

  /** Charges `n` units of work (opcodes, items moved, references walked). */
  private chargeWork(n: number, what: string): void {
    this.work += n;
    if (this.work > this.maxWork) {
      this.fail(
        `refusing to do more than ${this.maxWork} units of work on a ${this.bytes.length}-byte pickle (stopped at ${what}); ` +
          'the file asks for far more work than its size explains (raise PickleReadOptions.maxWork if it is trusted)',
      );
    }
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`truncated pickle: needs ${n} more byte(s) at offset ${this.pos}, the input has ${this.bytes.length - this.pos}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  private take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private view(n: number): DataView {
    const b = this.take(n);
    return new DataView(b.buffer, b.byteOffset, n);
  }

  private uint32(): number {
    return this.view(4).getUint32(0, true);
  }

  private uint64(): number {
    const v = this.view(8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} is too large`);
    return Number(v);
  }

  /** A text line ending in `\n` (protocol-0 arguments), without the newline. */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('truncated pickle: a text argument has no terminating newline');
    const s = LATIN1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** A charged, aligned copy of bytes from the input (or of a decoded value). */
  private copyBytes(b: Uint8Array): Uint8Array {
    this.chargeBytes(b.length, 'a bytes value');
    return b.slice();
  }

  private utf8(b: Uint8Array): string {
    this.chargeBytes(2 * b.length, 'a string');
    try {
      return UTF8.decode(b);
    } catch {
      return this.fail('a string is not valid UTF-8');
    }
  }

  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail(`${OP_NAMES[this.bytes[this.opStart]] ?? 'opcode'} on an empty stack`);
    const v = this.stack.pop();
    if (v === MARK) this.fail('unexpected MARK on the stack');
    return v;
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail(`${OP_NAMES[this.bytes[this.opStart]] ?? 'opcode'} on an empty stack`);
    return this.stack[this.stack.length - 1];
  }

  /** Pops everything above the most recent MARK (and the mark itself). */
  private popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail(`${OP_NAMES[this.bytes[this.opStart]]} without a preceding MARK`);
    this.chargeWork(this.stack.length - m, 'items above a MARK');
    const items = this.stack.splice(m);
    items.shift(); // the MARK symbol itself
    return items;
  }

  private tuple(items: unknown[]): unknown[] {
    this.tuples.add(items);
    return items;
  }

  private newDict(): Record<string, unknown> {
    const d: Record<string, unknown> = {};
    this.dicts.add(d);
    return d;
  }

  private dictKey(key: unknown): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number' || typeof key === 'bigint') return String(key);
    if (typeof key === 'boolean') return key ? 'True' : 'False';
    if (key === null) return 'None';
    return this.fail(`unsupported dict key of type ${describe(key)} (keys must be str, int, float, bool or None)`);
  }

  private setItems(target: unknown, items: unknown[]): void {
    if (typeof target !== 'object' || target === null || !this.dicts.has(target)) {
      this.fail(`SETITEM(S) on a ${describe(target)}, not a dict`);
    }
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    this.chargeWork(items.length, 'dict items');
    for (let i = 0; i < items.length; i += 2) defineKey(target, this.dictKey(items[i]), items[i + 1]);
  }

  private appendItems(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target) || this.tuples.has(target)) this.fail(`APPEND(S) on a ${describe(target)}, not a list`);
    this.chargeWork(items.length, 'list items');
    for (const it of items) target.push(it);
  }

  private int(v: bigint): number | bigint {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /**
   * Two's-complement little-endian integer of LONG1 / LONG4, built in linear time from its hex
   * digits (building it byte by byte with shifts is quadratic: a 1 MB integer took minutes);
   * integers longer than `maxIntBytes` are refused.
   */
  private long(b: Uint8Array): number | bigint {
    if (b.length === 0) return 0;
    if (b.length > this.maxIntBytes) {
      this.fail(`refusing an integer of ${b.length} bytes (the limit is ${this.maxIntBytes}; raise PickleReadOptions.maxIntBytes if it is trusted)`);
    }
    this.chargeBytes(3 * b.length, 'an integer');
    const HEX = '0123456789abcdef';
    const digits = new Array<string>(b.length);
    for (let i = 0; i < b.length; i++) {
      const x = b[b.length - 1 - i];
      digits[i] = HEX[x >> 4] + HEX[x & 15];
    }
    let v = BigInt('0x' + digits.join(''));
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return this.int(v);
  }

  private global(module: string, name: string): GlobalRef {
    const q = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(q)) {
      this.fail(
        `refusing to load the global '${q}': this reader never runs code from a pickle, and only NumPy array ` +
          'reconstruction and plain containers are allowed (the file may be malicious or hold objects avlab cannot read)',
      );
    }
    return new GlobalRef(module, name);
  }

  load(): PickleValue {
    const b = this.bytes;
    for (;;) {
      this.opStart = this.pos;
      if (this.pos >= b.length) this.fail('truncated pickle: the input ended before the STOP opcode');
      const op = b[this.pos++];
      if (++this.work > this.maxWork) this.chargeWork(0, `opcode ${OP_NAMES[op] ?? op}`);
      switch (op) {
        case OP.PROTO: {
          const p = this.u8();
          if (p > 5) this.fail(`unsupported pickle protocol ${p} (supported: 0–5)`);
          break;
        }
        case OP.FRAME:
          // Frames only help streaming readers; the whole input is in memory.
          this.uint64();
          break;
        case OP.STOP: {
          if (this.marks.length > 0) this.fail('STOP with an unclosed MARK');
          if (this.stack.length !== 1) this.fail(`STOP with ${this.stack.length} values on the stack (expected 1)`);
          return this.finish(this.stack[0]);
        }
        case OP.MARK:
          this.marks.push(this.stack.length);
          this.stack.push(MARK);
          break;
        case OP.POP:
          if (this.top() === MARK) this.popMark();
          else this.pop();
          break;
        case OP.POP_MARK:
          this.popMark();
          break;
        case OP.DUP: {
          const v = this.top();
          if (v === MARK) this.fail('DUP of a MARK');
          this.push(v);
          break;
        }

        // --- constants and numbers
        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;
        case OP.BININT:
          this.push(this.view(4).getInt32(0, true));
          break;
        case OP.BININT1:
          this.push(this.u8());
          break;
        case OP.BININT2:
          this.push(this.view(2).getUint16(0, true));
          break;
        case OP.LONG1: {
          const n = this.u8();
          this.push(this.long(this.take(n)));
          break;
        }
        case OP.LONG4: {
          const n = this.view(4).getInt32(0, true);
          if (n < 0) this.fail('LONG4 with a negative length');
          this.push(this.long(this.take(n)));
          break;
        }
        case OP.BINFLOAT:
          this.push(this.view(8).getFloat64(0, false)); // big-endian, unlike everything else
          break;
        case OP.INT: {
          const s = this.line();
          // Protocol 0 spells booleans as INT 01 / 00.
          if (s === '01') this.push(true);
          else if (s === '00') this.push(false);
          else this.push(this.parseIntText(s));
          break;
        }
        case OP.LONG:
          this.push(this.parseIntText(this.line().replace(/L$/, '')));
          break;
        case OP.FLOAT: {
          const s = this.line().trim();
          const v = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|nan)$/i.test(s) ? Number(s.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN')) : NaN;
          if (Number.isNaN(v) && !/nan/i.test(s)) this.fail(`FLOAT with an invalid value '${s}'`);
          this.push(v);
          break;
        }

        // --- strings and bytes
        case OP.BINUNICODE:
          this.push(this.utf8(this.take(this.uint32())));
          break;
        case OP.SHORT_BINUNICODE:
          this.push(this.utf8(this.take(this.u8())));
          break;
        case OP.BINUNICODE8:
          this.push(this.utf8(this.take(this.uint64())));
          break;
        case OP.UNICODE:
          this.push(decodeRawUnicodeEscape(this.line()));
          break;
        case OP.STRING:
          this.push(this.decodeStringRepr(this.line()));
          break;
        case OP.BINSTRING: {
          const n = this.view(4).getInt32(0, true);
          if (n < 0) this.fail('BINSTRING with a negative length');
          // Python 2 str: decoded as latin1 here (NumPy's raw data is re-encoded in finishArray).
          this.chargeBytes(2 * n, 'a string');
          this.push(LATIN1.decode(this.take(n)));
          break;
        }
        case OP.SHORT_BINSTRING:
          this.push(LATIN1.decode(this.take(this.u8())));
          break;
        case OP.BINBYTES:
          this.push(this.copyBytes(this.take(this.uint32())));
          break;
        case OP.SHORT_BINBYTES:
          this.push(this.copyBytes(this.take(this.u8())));
          break;
        case OP.BINBYTES8:
          this.push(this.copyBytes(this.take(this.uint64())));
          break;
        case OP.BYTEARRAY8:
          this.push(this.copyBytes(this.take(this.uint64())));
          break;
        case OP.READONLY_BUFFER:
          this.top();
          break;
        case OP.NEXT_BUFFER:
          this.fail('the pickle refers to an out-of-band buffer (protocol 5 NEXT_BUFFER), which this reader does not support');
          break;

        // --- containers
        case OP.EMPTY_TUPLE:
          this.push(this.tuple([]));
          break;
        case OP.TUPLE:
          this.push(this.tuple(this.popMark()));
          break;
        case OP.TUPLE1: {
          const a = this.pop();
          this.push(this.tuple([a]));
          break;
        }
        case OP.TUPLE2: {
          const bb = this.pop();
          const a = this.pop();
          this.push(this.tuple([a, bb]));
          break;
        }
        case OP.TUPLE3: {
          const c = this.pop();
          const bb = this.pop();
          const a = this.pop();
          this.push(this.tuple([a, bb, c]));
          break;
        }
        case OP.EMPTY_LIST:
          this.push([]);
          break;
        case OP.LIST:
          this.push(this.popMark());
          break;
        case OP.APPEND: {
          const v = this.pop();
          this.appendItems(this.top(), [v]);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark();
          this.appendItems(this.top(), items);
          break;
        }
        case OP.EMPTY_DICT:
          this.push(this.newDict());
          break;
        case OP.DICT: {
          const items = this.popMark();
          const d = this.newDict();
          this.setItems(d, items);
          this.push(d);
          break;
        }
        case OP.SETITEM: {
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case OP.EMPTY_SET:
          this.push(new Set());
          break;
        case OP.ADDITEMS: {
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) this.fail(`ADDITEMS on a ${describe(s)}, not a set`);
          this.chargeWork(items.length, 'set items');
          for (const it of items) s.add(it);
          break;
        }
        case OP.FROZENSET:
          this.push(new Set(this.popMark()));
          break;

        // --- memo
        case OP.PUT:
          this.memo.set(this.parseIndex(this.line()), this.memoTop());
          break;
        case OP.BINPUT:
          this.memo.set(this.u8(), this.memoTop());
          break;
        case OP.LONG_BINPUT:
          this.memo.set(this.uint32(), this.memoTop());
          break;
        case OP.MEMOIZE:
          this.memo.set(this.memo.size, this.memoTop());
          break;
        case OP.GET:
          this.push(this.memoGet(this.parseIndex(this.line())));
          break;
        case OP.BINGET:
          this.push(this.memoGet(this.u8()));
          break;
        case OP.LONG_BINGET:
          this.push(this.memoGet(this.uint32()));
          break;

        // --- globals and calls
        case OP.GLOBAL: {
          const module = this.line();
          const name = this.line();
          this.push(this.global(module, name));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings on the stack');
          this.push(this.global(module, name));
          break;
        }
        case OP.REDUCE: {
          const args = this.pop();
          const fn = this.pop();
          this.push(this.reduce(fn, args));
          break;
        }
        case OP.BUILD: {
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case OP.INST: {
          const module = this.line();
          const name = this.line();
          this.fail(`refusing the INST opcode (it instantiates the class '${module}.${name}'); this reader never runs code from a pickle`);
          break;
        }
        case OP.OBJ:
          this.fail('refusing the OBJ opcode (it instantiates a class); this reader never runs code from a pickle');
          break;
        case OP.NEWOBJ:
        case OP.NEWOBJ_EX: {
          const cls = this.stack[this.stack.length - (op === OP.NEWOBJ ? 2 : 3)];
          const what = cls instanceof GlobalRef ? ` of '${cls.qualified}'` : '';
          this.fail(`refusing the ${OP_NAMES[op]} opcode${what} (it instantiates a class); this reader never runs code from a pickle`);
          break;
        }
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4:
          this.fail(`refusing the ${OP_NAMES[op]} opcode (it names a global through the copyreg extension registry)`);
          break;
        case OP.PERSID:
        case OP.BINPERSID:
          this.fail(`refusing the ${OP_NAMES[op]} opcode (persistent ids need application code to resolve)`);
          break;
        default:
          this.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} (the file is not a pickle or is corrupted)`);
      }
    }
  }

  /** The value to memoize (a MARK is not a value). */
  private memoTop(): unknown {
    const v = this.top();
    if (v === MARK) this.fail('cannot memoize a MARK');
    return v;
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) this.fail(`memo key ${i} was never stored`);
    return this.memo.get(i);
  }

  private parseIndex(s: string): number {
    if (!/^\d+$/.test(s)) this.fail(`invalid memo index '${s}'`);
    return Number(s);
  }

  private parseIntText(s: string): number | bigint {
    const t = s.trim();
    const digits = t.replace(/^[-+]/, '').length;
    if (digits > this.maxIntDigits) {
      this.fail(`refusing an integer of ${digits} decimal digits (the limit is ${this.maxIntDigits}, as Python's int(); raise PickleReadOptions.maxIntDigits if it is trusted)`);
    }
    if (!/^[-+]?\d+$/.test(t)) this.fail(`invalid integer '${s.length > 40 ? s.slice(0, 40) + '…' : s}'`);
    return this.int(BigInt(t));
  }

  /** Decodes a protocol-0 STRING argument: a quoted Python bytes/str repr. */
  private decodeStringRepr(s: string): string {
    const q = s[0];
    if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) this.fail('STRING argument is not quoted');
    const body = s.slice(1, -1);
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = body[++i];
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
      if (n === 'x') {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) this.fail('STRING argument has an invalid \\x escape');
        out += String.fromCharCode(parseInt(h, 16));
        i += 2;
      } else if (n !== undefined && /[0-7]/.test(n)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        out += String.fromCharCode(parseInt(m, 8));
        i += m.length - 1;
      } else if (n !== undefined && n in simple) {
        out += simple[n];
      } else {
        out += '\\' + (n ?? '');
      }
    }
    return out;
  }

  private reduce(fn: unknown, args: unknown): unknown {
    if (!(fn instanceof GlobalRef)) this.fail(`REDUCE of a ${describe(fn)}, which is not an allowed callable`);
    if (!Array.isArray(args)) this.fail(`REDUCE of '${fn.qualified}' with ${describe(args)} instead of an argument tuple`);
    // Only allow-listed globals get here, so a name identifies the function.
    const name = fn.name;
    if (name === '_reconstruct') {
      const [cls] = args;
      if (!(cls instanceof GlobalRef) || cls.qualified !== 'numpy.ndarray') {
        this.fail(`${fn.qualified} called for ${describe(cls)}; only numpy.ndarray is supported`);
      }
      const pending = {};
      this.pendingArrays.add(pending);
      return pending;
    }
    if (name === 'scalar') {
      const [dtype, raw] = args;
      if (!(dtype instanceof DtypeRef)) this.fail(`${fn.qualified} without a dtype`);
      if (args.length !== 2) this.fail(`${fn.qualified} of an object dtype (or with ${args.length} arguments) is not supported`);
      return this.makeArray(dtype, [], false, raw, fn.qualified);
    }
    if (name === '_frombuffer') {
      const [buf, dtype, shape, order] = args;
      if (!(dtype instanceof DtypeRef)) this.fail(`${fn.qualified} without a dtype`);
      if (order !== 'C' && order !== 'F') this.fail(`${fn.qualified} with an unknown order ${describe(order)}`);
      return this.makeArray(dtype, this.shape(shape, fn.qualified), order === 'F', buf, fn.qualified);
    }
    if (fn.qualified === 'numpy.dtype') {
      const [code] = args;
      if (typeof code !== 'string') this.fail(`numpy.dtype called with ${describe(code)}`);
      return new DtypeRef(code);
    }
    if (fn.qualified === 'numpy.ndarray') {
      this.fail('numpy.ndarray called directly; only numpy.ndarray through _reconstruct is supported');
    }
    if (fn.qualified === '_codecs.encode') {
      const [text, encoding] = args;
      if (typeof text !== 'string') this.fail(`_codecs.encode of ${describe(text)}`);
      const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace('_', '-') : 'utf-8';
      if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1') return this.latin1Bytes(text);
      if (enc === 'utf-8' || enc === 'utf8') {
        this.chargeBytes(3 * text.length, '_codecs.encode');
        return new TextEncoder().encode(text);
      }
      if (enc === 'ascii') return this.latin1Bytes(text, 0x7f);
      return this.fail(`_codecs.encode with the unsupported encoding ${describe(encoding)}`);
    }
    if (name === 'bytearray' || name === 'bytes') {
      if (args.length === 0) return new Uint8Array(0);
      const [a] = args;
      if (a instanceof Uint8Array) return this.copyBytes(a);
      if (Array.isArray(a)) {
        this.chargeWork(a.length, `${fn.qualified} of a list`);
        if (a.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < 256)) {
          this.chargeBytes(a.length, `${fn.qualified} of a list`);
          return Uint8Array.from(a as number[]);
        }
      }
      if (typeof a === 'string' && args.length === 2) return this.reduce(new GlobalRef('_codecs', 'encode'), args);
      return this.fail(`${fn.qualified} of ${describe(a)} is not supported`);
    }
    if (name === 'set' || name === 'frozenset') {
      if (args.length === 0) return new Set();
      const [items] = args;
      if (!Array.isArray(items)) this.fail(`${fn.qualified} of ${describe(items)} is not supported`);
      this.chargeWork(items.length, `${fn.qualified} of a list`);
      this.chargeBytes(16 * items.length, `${fn.qualified} of a list`);
      return new Set(items);
    }
    if (fn.qualified === 'collections.OrderedDict') {
      if (args.length !== 0) this.fail('collections.OrderedDict with arguments is not supported');
      return this.newDict();
    }
    return this.fail(`REDUCE of '${fn.qualified}' is not supported`);
  }

  private latin1Bytes(text: string, max = 0xff): Uint8Array {
    this.chargeBytes(text.length, 'latin1 bytes');
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > max) this.fail(`cannot encode character U+${c.toString(16).padStart(4, '0')} at position ${i} as ${max === 0xff ? 'latin1' : 'ascii'}`);
      out[i] = c;
    }
    return out;
  }

  private shape(v: unknown, where: string): number[] {
    if (!Array.isArray(v)) this.fail(`${where}: the shape is ${describe(v)}, not a tuple`);
    return v.map((s) => {
      if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) this.fail(`${where}: invalid shape entry ${describe(s)}`);
      return s;
    });
  }

  private build(obj: unknown, state: unknown): void {
    if (obj instanceof DtypeRef) {
      if (!Array.isArray(state) || state.length < 8) this.fail(`numpy.dtype state is ${describe(state)}, expected a tuple of 8 or 9 items`);
      const [, byteorder, subarray, names, fields] = state;
      if (subarray !== null || names !== null || fields !== null) {
        this.fail(`structured or sub-array numpy dtype '${obj.code}' is not supported (supported: ${Object.keys(DTYPE_CODES).join(', ')})`);
      }
      if (typeof byteorder !== 'string' || !['<', '>', '|', '='].includes(byteorder)) this.fail(`numpy.dtype state has an invalid byte order ${describe(byteorder)}`);
      obj.byteorder = byteorder;
      return;
    }
    if (typeof obj === 'object' && obj !== null && this.pendingArrays.has(obj)) {
      // ndarray.__setstate__: (version, shape, dtype, is_fortran, rawdata); very old pickles omit version.
      if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) this.fail(`numpy.ndarray state is ${describe(state)}, expected a tuple of 4 or 5 items`);
      const s = state.length === 5 ? state.slice(1) : state;
      const [shape, dtype, fortran, raw] = s;
      if (!(dtype instanceof DtypeRef)) this.fail('numpy.ndarray state without a dtype');
      const arr = this.makeArray(dtype, this.shape(shape, 'numpy.ndarray'), fortran === true || fortran === 1, raw, 'numpy.ndarray');
      Object.assign(obj, arr);
      this.pendingArrays.delete(obj);
      return;
    }
    if (typeof obj === 'object' && obj !== null && this.dicts.has(obj) && isObjectRecord(state) && this.dicts.has(state)) {
      this.chargeWork(Object.keys(state).length, 'dict state');
      for (const [k, v] of Object.entries(state)) defineKey(obj, k, v);
      return;
    }
    this.fail(`BUILD on a ${describe(obj)} is not supported`);
  }

  private makeArray(dtype: DtypeRef, shape: number[], fortran: boolean, raw: unknown, where: string): NpyArray {
    const npy = DTYPE_CODES[dtype.code.replace(/^[<>=|]/, '')];
    if (!npy) {
      this.fail(`unsupported numpy dtype '${dtype.code}' (supported: float32, float64, int16, int32, int64, uint8, bool)`);
    }
    const bigEndian = dtype.byteorder === '>' || /^>/.test(dtype.code);
    let bytes: Uint8Array;
    if (raw instanceof Uint8Array) bytes = raw;
    else if (typeof raw === 'string') bytes = this.latin1Bytes(raw); // Python 2 str data
    else return this.fail(`${where}: the array data is ${describe(raw)} (object arrays are not supported)`);
    const size = DTYPE_SIZE[npy];
    const n = shapeSize(shape);
    if (bytes.length !== n * size) {
      this.fail(`${where}: shape (${shape.join(', ')}) of ${npy} needs ${n * size} bytes, the pickle holds ${bytes.length}`);
    }
    this.chargeWork(Math.ceil(bytes.length / 64), `${where}: array data`);
    const swap = bigEndian && size > 1;
    const reorder = fortran && shape.length > 1;
    if (npy === '|b1') {
      for (let i = 0; i < bytes.length; i++) if (bytes[i] > 1) this.fail(`${where}: a boolean array holds ${bytes[i]}`);
    }
    // Data that needs no reordering is viewed where it lies when it is aligned, so every array
    // built from one memoised buffer shares it (as NumPy's arrays over one bytes object do);
    // otherwise one charged, aligned copy.
    if (!swap && !reorder && bytes.byteOffset % size === 0 && bytes.buffer !== this.bytes.buffer) {
      return { dtype: npy, shape, data: typedArray(npy, bytes.buffer, bytes.byteOffset, n) };
    }
    this.chargeBytes(bytes.length, `${where}: a copy of the array data`);
    let copy = bytes.slice();
    if (swap) {
      for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
    }
    if (reorder) {
      this.chargeBytes(copy.length, `${where}: a Fortran-order reorder`);
      copy = fortranToC(copy, shape, size);
    }
    return { dtype: npy, shape, data: typedArray(npy, copy.buffer) };
  }

  /** Checks that only plain values reached the result (no globals, dtypes or half-built arrays). */
  private finish(root: unknown): PickleValue {
    const seen = new Set<unknown>();
    const todo: unknown[] = [root];
    while (todo.length > 0) {
      const v = todo.pop();
      if (v === MARK) this.fail('a MARK was left inside the result');
      if (typeof v !== 'object' || v === null || seen.has(v)) continue;
      seen.add(v);
      if (v instanceof GlobalRef) this.fail(`the pickle's result holds the bare global '${v.qualified}', which avlab does not return`);
      if (v instanceof DtypeRef) this.fail(`the pickle's result holds a bare numpy dtype ('${v.code}'), which avlab does not return`);
      if (this.pendingArrays.has(v)) this.fail('a numpy array was never given its state (BUILD)');
      if (v instanceof Uint8Array || isNpyArray(v)) continue;
      // One push per item: spreading a 500,000-item list into push() overflows the call stack.
      const items = Array.isArray(v) ? v : v instanceof Set ? v : Object.values(v);
      this.chargeWork(Array.isArray(items) ? items.length : (items as Set<unknown>).size, 'checking the result');
      for (const it of items) todo.push(it);
    }
    return root as PickleValue;
  }
}

/** Decodes protocol-0 UNICODE text (Python's raw-unicode-escape). */
function decodeRawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) =>
    String.fromCodePoint(parseInt((u4 ?? u8)!, 16)),
  );
}

function typedArray(dtype: NpyDtype, buffer: ArrayBufferLike, offset = 0, length?: number): NpyData {
  switch (dtype) {
    case '<f4':
      return new Float32Array(buffer, offset, length);
    case '<f8':
      return new Float64Array(buffer, offset, length);
    case '<i2':
      return new Int16Array(buffer, offset, length);
    case '<i4':
      return new Int32Array(buffer, offset, length);
    case '<i8':
      return new BigInt64Array(buffer, offset, length);
    default:
      return new Uint8Array(buffer, offset, length);
  }
}

/** Reorders the raw bytes of a Fortran-order (column-major) array into C (row-major) order. */
function fortranToC(src: Uint8Array, shape: number[], size: number): Uint8Array {
  const nd = shape.length;
  const n = shapeSize(shape);
  const out = new Uint8Array(src.length);
  // Fortran strides (in elements): the first axis varies fastest.
  const fStride = new Array<number>(nd);
  let s = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = s;
    s *= shape[d];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < nd; d++) f += idx[d] * fStride[d];
    out.set(src.subarray(f * size, f * size + size), c * size);
    // Advance the C-order multi-index (last axis fastest).
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (v === MARK) return 'MARK';
  if (v instanceof GlobalRef) return `global '${v.qualified}'`;
  if (v instanceof DtypeRef) return `numpy dtype '${v.code}'`;
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list/tuple';
  if (v instanceof Set) return 'set';
  if (typeof v === 'object') return isNpyArray(v) ? 'numpy array' : 'dict';
  if (typeof v === 'string') return `str ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

// ---------------------------------------------------------------------------------------------
// Helpers for values read from pickles.

/**
 * The number held by a Python int/float, a NumPy scalar or a one-element NumPy array (e.g. a
 * pickled `audio_samplerate`), or undefined when `v` is none of those.
 */
export function pickleNumber(v: PickleValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNpyArray(v) && v.data.length === 1) return Number(v.data[0]);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The writer.

/** Options of `encodePickle` / `writePickle`. */
export interface PickleWriteOptions {
  /**
   * 2 (readable by Python 2.3+ and 3; bytes travel as latin1 text through `_codecs.encode`, as
   * Python 3 writes them) or 4 (Python 3.4+, raw bytes; the default).
   */
  protocol?: 2 | 4;
}

/**
 * Encodes a value as a pickle that Python and NumPy (1.x and 2.x) load with `pickle.load`.
 * Supported: null, booleans, numbers (integers become Python ints, others floats), bigints,
 * strings, `Uint8Array` (bytes), `NpyArray` (NumPy arrays; shape `[]` gives a 0-d array), arrays
 * (lists) and plain objects with string keys (dicts). `file` names the destination in errors.
 */
export function encodePickle(value: PickleValue, opts: PickleWriteOptions = {}, file = '<pickle>'): Uint8Array {
  const protocol = opts.protocol ?? 4;
  if (protocol !== 2 && protocol !== 4) throw new InputError(file, `unsupported pickle protocol ${String(protocol)} (use 2 or 4)`);
  const w = new PickleWriter(protocol, file);
  w.op(OP.PROTO, protocol);
  w.value(value, new Set());
  w.op(OP.STOP);
  return w.bytes();
}

/** Writes a pickle file atomically; see `encodePickle`. */
export function writePickle(path: string, value: PickleValue, opts: PickleWriteOptions = {}): void {
  writeFileAtomic(path, encodePickle(value, opts, path));
}

class PickleWriter {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 16);
  private len = 0;

  constructor(
    private readonly protocol: 2 | 4,
    private readonly file: string,
  ) {}

  private ensure(n: number): void {
    if (this.len + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.len));
    this.cur = new Uint8Array(Math.max(1 << 16, n));
    this.len = 0;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.cur.set(b, this.len);
    this.len += b.length;
  }

  op(...bytes: number[]): void {
    this.raw(Uint8Array.from(bytes));
  }

  private u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  }

  bytes(): Uint8Array {
    this.chunks.push(this.cur.subarray(0, this.len));
    const total = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  str(s: string): void {
    this.utf8Bytes(new TextEncoder().encode(s));
  }

  private utf8Bytes(b: Uint8Array): void {
    if (this.protocol === 4 && b.length < 256) this.op(OP.SHORT_BINUNICODE, b.length);
    else {
      if (b.length > 0xffffffff) throw new InputError(this.file, 'a string is too long for a protocol-2 pickle');
      this.op(OP.BINUNICODE, ...this.u32(b.length));
    }
    this.raw(b);
  }

  private global(module: string, name: string): void {
    if (this.protocol === 4) {
      this.str(module);
      this.str(name);
      this.op(OP.STACK_GLOBAL);
    } else {
      this.raw(new TextEncoder().encode(`c${module}\n${name}\n`));
    }
  }

  int(v: number | bigint): void {
    const n = BigInt(v);
    if (n >= 0n && n < 256n) this.op(OP.BININT1, Number(n));
    else if (n >= 0n && n < 65536n) this.op(OP.BININT2, Number(n) & 0xff, Number(n) >> 8);
    else if (n >= -(2n ** 31n) && n < 2n ** 31n) this.op(OP.BININT, ...this.u32(Number(BigInt.asUintN(32, n))));
    else {
      // LONG1: minimal two's-complement little-endian bytes.
      const out: number[] = [];
      let x = n;
      for (;;) {
        const byte = Number(x & 0xffn);
        out.push(byte);
        x >>= 8n;
        if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) break;
      }
      if (out.length > 255) throw new InputError(this.file, 'an integer is too large to pickle');
      this.op(OP.LONG1, out.length, ...out);
    }
  }

  private pyBytes(b: Uint8Array): void {
    if (this.protocol === 4) {
      if (b.length < 256) this.op(OP.SHORT_BINBYTES, b.length);
      else if (b.length <= 0xffffffff) this.op(OP.BINBYTES, ...this.u32(b.length));
      else {
        const lo = b.length % 2 ** 32;
        const hi = Math.floor(b.length / 2 ** 32);
        this.op(OP.BINBYTES8, ...this.u32(lo), ...this.u32(hi));
      }
      this.raw(b);
      return;
    }
    // Protocol 2 has no bytes type: Python 3 writes _codecs.encode(<latin1 text>, 'latin1').
    this.global('_codecs', 'encode');
    let n = 0;
    for (let i = 0; i < b.length; i++) n += b[i] < 0x80 ? 1 : 2;
    const utf8 = new Uint8Array(n);
    let o = 0;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c < 0x80) utf8[o++] = c;
      else {
        utf8[o++] = 0xc0 | (c >> 6);
        utf8[o++] = 0x80 | (c & 0x3f);
      }
    }
    this.utf8Bytes(utf8);
    this.str('latin1');
    this.op(OP.TUPLE2, OP.REDUCE);
  }

  private tuple(items: (() => void)[]): void {
    if (items.length === 0) return this.op(OP.EMPTY_TUPLE);
    if (items.length > 3) this.op(OP.MARK);
    for (const it of items) it();
    if (items.length === 1) this.op(OP.TUPLE1);
    else if (items.length === 2) this.op(OP.TUPLE2);
    else if (items.length === 3) this.op(OP.TUPLE3);
    else this.op(OP.TUPLE);
  }

  private ndarray(a: NpyArray): void {
    const size = DTYPE_SIZE[a.dtype];
    if (!size) throw new InputError(this.file, `unsupported dtype '${String(a.dtype)}' (supported: ${NPY_DTYPES.join(', ')})`);
    if (shapeSize(a.shape) !== a.data.length || a.shape.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new InputError(this.file, `shape [${a.shape.join(', ')}] does not match ${a.data.length} values`);
    }
    const expected = typedArray(a.dtype, new ArrayBuffer(0)).constructor;
    if (a.data.constructor !== expected) {
      throw new InputError(this.file, `dtype ${a.dtype} needs a ${expected.name}, got ${a.data.constructor.name}`);
    }
    // The layout NumPy itself writes (see ndarray.__reduce__): _reconstruct(ndarray, (0,), b'b')
    // then BUILD with (1, shape, dtype, is_fortran, raw bytes). `numpy.core` is the module name that
    // NumPy 1.x and 2.x both load.
    this.global('numpy.core.multiarray', '_reconstruct');
    this.global('numpy', 'ndarray');
    this.tuple([() => this.int(0)]);
    this.pyBytes(Uint8Array.of(0x62));
    this.op(OP.TUPLE3, OP.REDUCE);
    this.op(OP.MARK);
    this.int(1);
    this.tuple(a.shape.map((s) => () => this.int(s)));
    this.global('numpy', 'dtype');
    this.str(a.dtype.slice(1));
    this.op(OP.NEWFALSE, OP.NEWTRUE, OP.TUPLE3, OP.REDUCE);
    this.op(OP.MARK);
    this.int(3);
    this.str(a.dtype[0]);
    this.op(OP.NONE, OP.NONE, OP.NONE);
    this.int(-1);
    this.int(-1);
    this.int(0);
    this.op(OP.TUPLE, OP.BUILD);
    this.op(OP.NEWFALSE);
    this.pyBytes(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.length * size));
    this.op(OP.TUPLE, OP.BUILD);
  }

  value(v: PickleValue, path: Set<object>): void {
    if (v === null) return this.op(OP.NONE);
    if (v === true) return this.op(OP.NEWTRUE);
    if (v === false) return this.op(OP.NEWFALSE);
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return this.int(v);
      const b = new Uint8Array(9);
      b[0] = OP.BINFLOAT;
      new DataView(b.buffer).setFloat64(1, v, false);
      return this.raw(b);
    }
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'string') return this.str(v);
    if (v instanceof Uint8Array) return this.pyBytes(v);
    if (isNpyArray(v)) return this.ndarray(v);
    if (typeof v !== 'object') throw new InputError(this.file, `cannot pickle a value of type ${typeof v}`);
    if (path.has(v)) throw new InputError(this.file, 'cannot pickle a value that contains itself');
    path.add(v);
    if (Array.isArray(v)) {
      this.op(OP.EMPTY_LIST);
      for (let i = 0; i < v.length; i += 1000) {
        this.op(OP.MARK);
        for (const it of v.slice(i, i + 1000)) this.value(it, path);
        this.op(OP.APPENDS);
      }
    } else if (v instanceof Set) {
      throw new InputError(this.file, 'writing sets is not supported');
    } else {
      this.op(OP.EMPTY_DICT);
      const entries = Object.entries(v);
      for (let i = 0; i < entries.length; i += 1000) {
        this.op(OP.MARK);
        for (const [k, x] of entries.slice(i, i + 1000)) {
          this.str(k);
          this.value(x, path);
        }
        this.op(OP.SETITEMS);
      }
    }
    path.delete(v);
  }
}
