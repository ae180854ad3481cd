/**
 * NumPy `.npz` archives: a zip file of `.npy` members, one per array (`np.savez` writes STORED
 * members, `np.savez_compressed` DEFLATE ones). A minimal zip reader/writer keeps avlab free of a
 * zip dependency; ZIP64 archives (over 4 GiB or 65535 members) are rejected with a clear error.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../util/errors';
import { type NpyArray, encodeNpy, parseNpy } from './npy';
import { writeFileAtomic } from './files';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses) of `bytes`, as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One member of a zip archive, with its uncompressed bytes. */
export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

/**
 * Limits of `readZip` / `parseNpz` / `readNpz`. A DEFLATE member can inflate to about 1032 times
 * its compressed size (a "zip bomb" uses exactly that), so each member is inflated with its
 * output capped at the size the central directory declares — a member that inflates past its
 * declaration is refused at that point, never allocated in full — and declarations are checked
 * against a ratio limit and a total before anything is inflated.
 */
export interface ZipReadOptions {
  /**
   * Largest declared uncompressed/compressed ratio of a DEFLATE member. Default 1100 (DEFLATE's
   * own ceiling is about 1032:1, so an honest archive never exceeds it).
   */
  maxRatio?: number;
  /** Largest total of declared uncompressed sizes. Default 1100 × the archive's size + 64 MiB. */
  maxTotalBytes?: number;
}

export const DEFAULT_ZIP_LIMITS = { maxRatio: 1100, baseTotalBytes: 64 * 1024 * 1024 } as const;

/**
 * Reads every member of a zip archive (STORED or DEFLATE), checking sizes and CRCs against the
 * central directory, under the limits of `opts`. `file` names the archive in error messages.
 */
export function readZip(bytes: Uint8Array, file: string, opts: ZipReadOptions = {}): ZipEntry[] {
  const maxRatio = opts.maxRatio ?? DEFAULT_ZIP_LIMITS.maxRatio;
  const maxTotal = opts.maxTotalBytes ?? DEFAULT_ZIP_LIMITS.maxRatio * bytes.length + DEFAULT_ZIP_LIMITS.baseTotalBytes;
  let total = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail: (problem: string, entry?: string) => never = (problem, entry) => {
    throw new InputError(file, problem, entry);
  };
  // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record); an .npz file must be a zip of .npy files');
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === SIG_ZIP64_LOCATOR) {
    fail('ZIP64 archives are not supported (re-save the arrays with np.savez into a smaller archive)');
  }
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    fail('ZIP64 archives are not supported (re-save the arrays with np.savez into a smaller archive)');
  }
  if (disk !== 0 || cdDisk !== 0) fail('multi-disk (split) zip archives are not supported');
  if (cdOffset + cdSize > eocd) fail('corrupt zip archive: the central directory lies outside the file');

  const entries: ZipEntry[] = [];
  const members: { name: string; method: number; crc: number; csize: number; usize: number; localOffset: number; dataStart: number }[] = [];
  const seen = new Set<string>();
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== SIG_CENTRAL) {
      fail(`corrupt zip archive: central directory entry ${k} not found`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const csize = view.getUint32(p + 20, true);
    const usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    // Bit 11 marks a UTF-8 name; otherwise zip names are CP437, which matches ASCII for npz keys.
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;

    if (csize === 0xffffffff || usize === 0xffffffff || localOffset === 0xffffffff) {
      fail('ZIP64 members are not supported', name);
    }
    if (flags & 0x1) fail('encrypted zip members are not supported', name);
    if (seen.has(name)) fail('duplicate member name in zip archive', name);
    seen.add(name);
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== SIG_LOCAL) {
      fail('corrupt zip archive: local file header not found', name);
    }
    // Sizes come from the central directory: the local header may hold placeholders (data
    // descriptors, or the ZIP64 markers np.savez writes for every member).
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + csize > bytes.length) fail('corrupt zip archive: member data runs past the end of the file', name);
    members.push({ name, method, crc, csize, usize, localOffset, dataStart });
  }
  // Members must not share data: overlapping members let a small archive inflate the same
  // compressed bytes many times over (the "overlapping files" zip bomb).
  const byOffset = [...members].sort((a, b) => a.localOffset - b.localOffset);
  for (let k = 1; k < byOffset.length; k++) {
    const prev = byOffset[k - 1];
    if (byOffset[k].localOffset < prev.dataStart + prev.csize) {
      fail(`overlaps the data of member '${prev.name}': refusing an archive whose members share bytes (a zip bomb)`, byOffset[k].name);
    }
  }
  for (const { name, method, crc, csize, usize, dataStart } of members) {
    const raw = bytes.subarray(dataStart, dataStart + csize);
    total += usize;
    if (total > maxTotal) {
      fail(`the members declare ${total} uncompressed bytes in all, over the limit of ${maxTotal} for a ${bytes.length}-byte archive (ZipReadOptions.maxTotalBytes)`, name);
    }
    let data: Uint8Array;
    if (method === 0) {
      data = raw;
    } else if (method === 8) {
      if (usize > maxRatio * Math.max(csize, 1)) {
        fail(`declares ${usize} bytes from ${csize} compressed (ratio over the limit of ${maxRatio}, ZipReadOptions.maxRatio): refusing a likely zip bomb`, name);
      }
      try {
        // Never inflate past the declared size: a bomb is stopped at usize + 1 bytes.
        data = zlib.inflateRawSync(raw, { maxOutputLength: usize + 1 });
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          return fail(`inflates past the ${usize} bytes the central directory declares: refusing it (a corrupt member or a zip bomb)`, name);
        }
        return fail(`corrupt DEFLATE data: ${(e as Error).message}`, name);
      }
    } else {
      return fail(`unsupported zip compression method ${method} (supported: 0 STORED, 8 DEFLATE)`, name);
    }
    if (data.length !== usize) fail(`size mismatch: central directory says ${usize} bytes, member has ${data.length}`, name);
    const actual = crc32(data);
    if (actual !== crc) {
      fail(`CRC mismatch (stored ${crc.toString(16).padStart(8, '0')}, computed ${actual.toString(16).padStart(8, '0')}): the archive is corrupt`, name);
    }
    entries.push({ name, bytes: data });
  }
  return entries;
}

/**
 * Parses the bytes of an `.npz` archive into arrays keyed by name (the member name without
 * `.npy`, as `np.load` does). `file` names the archive in error messages.
 */
export function parseNpz(bytes: Uint8Array, file: string, opts: ZipReadOptions = {}): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  for (const e of readZip(bytes, file, opts)) {
    if (e.name.endsWith('/')) continue; // directory entries carry no array
    const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
    Object.defineProperty(out, key, { value: parseNpy(e.bytes, file, e.name), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Reads an `.npz` file from disk. */
export function readNpz(path: string, opts: ZipReadOptions = {}): Record<string, NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read file: ${(e as Error).message}`);
  }
  return parseNpz(bytes, path, opts);
}

/**
 * Encodes arrays as a zip of STORED members (`<key>.npy`), the layout `np.savez` writes.
 * Timestamps are fixed (1980-01-01) so the same arrays always give the same bytes.
 */
export function encodeNpz(arrays: Record<string, NpyArray>, file = '<npz>'): Uint8Array {
  const enc = new TextEncoder();
  const members = Object.keys(arrays).map((key) => {
    if (key === '') throw new InputError(file, 'array names must not be empty');
    const name = `${key}.npy`;
    const nameBytes = enc.encode(name);
    if (nameBytes.length > 0xffff) throw new InputError(file, 'array name is too long for a zip member', key);
    const data = encodeNpy(arrays[key], file, name);
    return { nameBytes, data, crc: crc32(data), utf8: /[^\x20-\x7e]/.test(name) };
  });
  if (members.length >= 0xffff) throw new InputError(file, `too many arrays (${members.length}) for a zip without ZIP64`);

  let localTotal = 0;
  let centralTotal = 0;
  for (const m of members) {
    localTotal += 30 + m.nameBytes.length + m.data.length;
    centralTotal += 46 + m.nameBytes.length;
  }
  if (localTotal + centralTotal > 0xfffffffe) throw new InputError(file, 'arrays too large for a zip without ZIP64 (over 4 GiB)');

  const out = new Uint8Array(localTotal + centralTotal + 22);
  const view = new DataView(out.buffer);
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  let p = 0;
  const offsets: number[] = [];
  for (const m of members) {
    offsets.push(p);
    view.setUint32(p, SIG_LOCAL, true);
    view.setUint16(p + 4, 20, true); // version needed: 2.0
    view.setUint16(p + 6, m.utf8 ? 0x800 : 0, true);
    view.setUint16(p + 8, 0, true); // STORED
    view.setUint16(p + 10, 0, true);
    view.setUint16(p + 12, DOS_DATE, true);
    view.setUint32(p + 14, m.crc, true);
    view.setUint32(p + 18, m.data.length, true);
    view.setUint32(p + 22, m.data.length, true);
    view.setUint16(p + 26, m.nameBytes.length, true);
    view.setUint16(p + 28, 0, true);
    out.set(m.nameBytes, p + 30);
    out.set(m.data, p + 30 + m.nameBytes.length);
    p += 30 + m.nameBytes.length + m.data.length;
  }
  const cdOffset = p;
  members.forEach((m, i) => {
    view.setUint32(p, SIG_CENTRAL, true);
    view.setUint16(p + 4, (3 << 8) | 20, true); // made by: Unix, zip 2.0 (so the attributes below mean a Unix mode)
    view.setUint16(p + 6, 20, true); // version needed
    view.setUint16(p + 8, m.utf8 ? 0x800 : 0, true);
    view.setUint16(p + 10, 0, true);
    view.setUint16(p + 12, 0, true);
    view.setUint16(p + 14, DOS_DATE, true);
    view.setUint32(p + 16, m.crc, true);
    view.setUint32(p + 20, m.data.length, true);
    view.setUint32(p + 24, m.data.length, true);
    view.setUint16(p + 28, m.nameBytes.length, true);
    // extra, comment, disk number, internal attributes: 0
    view.setUint32(p + 38, (0o100644 << 16) >>> 0, true); // external attributes: a regular file, rw-r--r--
    view.setUint32(p + 42, offsets[i], true);
    out.set(m.nameBytes, p + 46);
    p += 46 + m.nameBytes.length;
  });
  view.setUint32(p, SIG_EOCD, true);
  view.setUint16(p + 8, members.length, true);
  view.setUint16(p + 10, members.length, true);
  view.setUint32(p + 12, p - cdOffset, true);
  view.setUint32(p + 16, cdOffset, true);
  return out;
}

/** Writes an `.npz` file (STORED members); the file is replaced atomically. */
export function writeNpz(path: string, arrays: Record<string, NpyArray>): void {
  writeFileAtomic(path, encodeNpz(arrays, path));
}
