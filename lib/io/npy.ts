/**
 * NumPy `.npy` arrays (format versions 1.0, 2.0 and 3.0), so avlab can read and write the
 * `global_mean_std.npz` files and other arrays the course kits ship without Python.
 *
 * Only C-order, little-endian arrays of the dtypes in `NPY_DTYPES` are supported: those are the
 * ones the kits use, and anything else is reported as an `InputError` rather than misread.
 */
import { writeFileAtomic } from './files';
import * as fs from 'node:fs';
import { InputError } from '../util/errors';

/** The supported dtypes, spelled as NumPy writes them in the header (`descr`). */
export const NPY_DTYPES = ['<f4', '<f8', '<i2', '<i4', '<i8', '|u1', '|b1'] as const;

/** One supported dtype. Unsigned bytes are `|u1` (NumPy's spelling); `<u1` is accepted on input. */
export type NpyDtype = (typeof NPY_DTYPES)[number];

/** The typed array that holds each dtype's values; booleans are 0/1 bytes. */
export type NpyData = Float32Array | Float64Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

/** An n-dimensional array in C (row-major) order. `shape` `[]` is a scalar holding one value. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

interface DtypeInfo {
  size: number;
  ctor: { new (buffer: ArrayBufferLike): NpyData; name: string };
}

const INFO: Record<NpyDtype, DtypeInfo> = {
  '<f4': { size: 4, ctor: Float32Array },
  '<f8': { size: 8, ctor: Float64Array },
  '<i2': { size: 2, ctor: Int16Array },
  '<i4': { size: 4, ctor: Int32Array },
  '<i8': { size: 8, ctor: BigInt64Array },
  '|u1': { size: 1, ctor: Uint8Array },
  '|b1': { size: 1, ctor: Uint8Array },
};

/** Header spellings that mean a supported dtype; single-byte types have no byte order. */
const ALIASES: Record<string, NpyDtype> = {
  '<f4': '<f4',
  '<f8': '<f8',
  '<i2': '<i2',
  '<i4': '<i4',
  '<i8': '<i8',
  '|u1': '|u1',
  '<u1': '|u1',
  '=u1': '|u1',
  '|b1': '|b1',
  '<b1': '|b1',
  '=b1': '|b1',
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Normalises a dtype spelling (`<u1` → `|u1`), or returns undefined when it is unsupported. */
export function npyDtype(descr: string): NpyDtype | undefined {
  return Object.prototype.hasOwnProperty.call(ALIASES, descr) ? ALIASES[descr] : undefined;
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads one `key: value` of the header dict; the header is a Python literal, not JSON. */
function headerField(header: string, key: string): string | undefined {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*`).exec(header);
  if (!m) return undefined;
  const rest = header.slice(m.index + m[0].length);
  const q = rest[0];
  if (q === "'" || q === '"') {
    const end = rest.indexOf(q, 1);
    return end < 0 ? undefined : rest.slice(0, end + 1);
  }
  if (q === '(' || q === '[') {
    const end = rest.indexOf(q === '(' ? ')' : ']');
    return end < 0 ? undefined : rest.slice(0, end + 1);
  }
  const word = /^[A-Za-z0-9_]+/.exec(rest);
  return word ? word[0] : undefined;
}

/**
 * Parses the bytes of a `.npy` file. `file` (and `entry`, for a member of an `.npz`) name the
 * source in error messages. The returned data never aliases `bytes`.
 */
export function parseNpy(bytes: Uint8Array, file: string, entry?: string): NpyArray {
  const fail: (problem: string) => never = (problem) => {
    throw new InputError(file, problem, entry);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not a .npy array (the file does not start with the \\x93NUMPY magic string)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerStart = 10;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header');
    headerStart = 12;
    headerLen = view.getUint32(8, true);
  } else {
    return fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(`truncated .npy header (needs ${dataStart} bytes, file has ${bytes.length})`);
  // Versions 1 and 2 store the header as latin1; version 3 allows UTF-8.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descrRaw = headerField(header, 'descr');
  if (descrRaw === undefined) fail(`.npy header has no 'descr': ${header.trim()}`);
  if (descrRaw.startsWith('[')) fail('structured (record) dtypes are not supported');
  const descr = descrRaw.slice(1, -1);
  const dtype = npyDtype(descr);
  if (!dtype) {
    fail(`unsupported dtype '${descr}' (supported: ${NPY_DTYPES.join(', ')}; big-endian arrays are not supported)`);
  }

  const fortran = headerField(header, 'fortran_order');
  if (fortran === 'True') {
    fail('Fortran-order arrays are not supported; save the array in C order (np.ascontiguousarray) first');
  }
  if (fortran !== 'False') fail(`.npy header has no valid 'fortran_order': ${header.trim()}`);

  const shapeRaw = headerField(header, 'shape');
  if (shapeRaw === undefined || !shapeRaw.startsWith('(')) fail(`.npy header has no valid 'shape': ${header.trim()}`);
  const shape: number[] = [];
  for (const part of shapeRaw.slice(1, -1).split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const m = /^(\d+)L?$/.exec(t);
    if (!m) fail(`.npy header has an invalid shape ${shapeRaw}`);
    shape.push(Number(m[1]));
  }

  const info = INFO[dtype];
  const n = shapeSize(shape);
  const nbytes = n * info.size;
  const available = bytes.length - dataStart;
  if (available !== nbytes) {
    fail(`data size mismatch: shape (${shape.join(', ')}) of ${dtype} needs ${nbytes} bytes, found ${available}`);
  }
  // Copy into a fresh, aligned buffer so the typed array can view it directly. (Buffer#slice
  // would return a view into Node's shared pool, hence Uint8Array's slice.)
  const copy = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + nbytes);
  return { dtype, shape, data: new info.ctor(copy.buffer) };
}

/** Checks that an array is self-consistent before it is written; `file` names the destination. */
function checkArray(arr: NpyArray, file: string, entry?: string): DtypeInfo {
  const dtype = npyDtype(arr.dtype);
  if (!dtype) throw new InputError(file, `unsupported dtype '${arr.dtype}' (supported: ${NPY_DTYPES.join(', ')})`, entry);
  const info = INFO[dtype];
  if (!(arr.data instanceof info.ctor)) {
    throw new InputError(file, `dtype ${dtype} needs a ${info.ctor.name}, got ${arr.data?.constructor?.name}`, entry);
  }
  for (const s of arr.shape) {
    if (!Number.isInteger(s) || s < 0) throw new InputError(file, `invalid shape [${arr.shape.join(', ')}]`, entry);
  }
  if (shapeSize(arr.shape) !== arr.data.length) {
    throw new InputError(file, `shape [${arr.shape.join(', ')}] needs ${shapeSize(arr.shape)} values, data has ${arr.data.length}`, entry);
  }
  if (dtype === '|b1') {
    const d = arr.data as Uint8Array;
    for (let i = 0; i < d.length; i++) {
      if (d[i] > 1) throw new InputError(file, `boolean array holds ${d[i]} at flat index ${i} (must be 0 or 1)`, entry);
    }
  }
  return info;
}

/**
 * Encodes an array as `.npy` bytes: format 1.0 when the header fits (always, for ordinary
 * shapes), else 2.0. `file`/`entry` name the destination in error messages.
 */
export function encodeNpy(arr: NpyArray, file = '<npy>', entry?: string): Uint8Array {
  const info = checkArray(arr, file, entry);
  const dtype = npyDtype(arr.dtype)!;
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces and end in a newline so the data starts on a 64-byte boundary (NEP 1).
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const header = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const nbytes = arr.data.length * info.size;
  const out = new Uint8Array(total + nbytes);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, nbytes), total);
  return out;
}

/** Reads a `.npy` file from disk. */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read file: ${(e as Error).message}`);
  }
  return parseNpy(bytes, path);
}

/** Writes a `.npy` file; the file is replaced atomically, so a failed write leaves no partial file. */
export function writeNpy(path: string, arr: NpyArray): void {
  writeFileAtomic(path, encodeNpy(arr, path));
}

