/**
 * A thin layer over h5wasm (HDF5 compiled to WebAssembly) for the float datasets the course kits
 * store: list a file's tree, read a dataset as a Float32Array with its shape, and write files of
 * float32 datasets. Every function opens and closes its file itself (try/finally), so no HDF5
 * handle outlives a call.
 */
import { realPathOf } from './files';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type * as H5 from 'h5wasm';
import { InputError } from '../util/errors';

type H5Lib = typeof H5;

let loading: Promise<H5Lib> | undefined;

/** h5wasm exports its Node build only under the `import` condition, so locate the file directly. */
function h5wasmNodeEntry(): string {
  for (const dir of require.resolve.paths('h5wasm') ?? []) {
    const candidate = nodePath.join(dir, 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('h5wasm is not installed (its Node build dist/node/hdf5_hl.js was not found); run `npm install`');
}

/**
 * Loads h5wasm's Node build once and waits for its WebAssembly module. HDF5's error handler is
 * switched to throwing, so failures surface as exceptions instead of diagnostics on stderr
 * followed by invalid handles.
 */
export function loadH5wasm(): Promise<H5Lib> {
  if (!loading) {
    loading = (async () => {
      // The Node build is an ES module; Node >= 20.19 can require() it synchronously.
      const lib = require(h5wasmNodeEntry()) as H5Lib;
      const module = await lib.ready;
      module.activate_throwing_error_handler();
      return lib;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/** A dataset's values as float32 in C order, with its shape. */
export interface Float32Dataset {
  shape: number[];
  data: Float32Array;
}

/** One dataset found while listing a file: its path (no leading slash), shape and dtype. */
export interface Hdf5DatasetInfo {
  path: string;
  shape: number[];
  /** h5wasm's dtype string, e.g. `<f` (float32), `<d` (float64), `<i` (int32). */
  dtype: string;
}

/** The tree of an HDF5 file, every path relative to the root without a leading slash. */
export interface Hdf5Listing {
  groups: string[];
  datasets: Hdf5DatasetInfo[];
  /** Anything else (soft or external links, committed datatypes), with its kind. */
  others: { path: string; kind: string }[];
}

/** HDF5 files start with this signature at offset 0, 512, 1024, 2048, … (after a user block). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(path: string, size: number): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (fs.readSync(fd, buf, 0, 8, offset) === 8 && HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** The innermost HDF5 message (e.g. "file signature not found") from h5wasm's error text. */
function hdf5Problem(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = text.split('\n').filter((l) => /^\s*#\d+:/.test(l));
  const last = frames.length ? frames[frames.length - 1] : text.split('\n')[0];
  const m = /\(\):\s*(.*)$/.exec(last);
  return (m ? m[1] : last).trim();
}

/** Reads one HDF5 file; obtain one with `Hdf5Reader.open` or, better, `withHdf5`. */
export class Hdf5Reader {
  private constructor(
    private readonly lib: H5Lib,
    private readonly file: H5.File,
    /** The file's path on disk, as given. */
    readonly path: string,
    /** The folder external links may point into (see `Hdf5OpenOptions.root`). */
    readonly root: string,
  ) {}

  /**
   * Opens a file for reading; a missing or non-HDF5 file is an InputError naming it. External
   * links are followed only to files inside `options.root` (default: the file's own folder);
   * reading a dataset through a link that leaves it is an InputError naming the dataset and the
   * link's target.
   */
  static async open(path: string, options: Hdf5OpenOptions = {}): Promise<Hdf5Reader> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch {
      throw new InputError(path, 'file not found');
    }
    if (!stat.isFile()) throw new InputError(path, 'is not a regular file');
    if (!hasHdf5Signature(path, stat.size)) throw new InputError(path, 'not an HDF5 file (no HDF5 signature)');
    const lib = await loadH5wasm();
    let file: H5.File;
    try {
      file = new lib.File(path, 'r');
    } catch (e) {
      throw new InputError(path, `cannot open HDF5 file: ${hdf5Problem(e)}`);
    }
    const root = realPathOf(options.root ?? nodePath.dirname(nodePath.resolve(path)));
    return new Hdf5Reader(lib, file, path, root);
  }

  /**
   * Refuses a key that passes through (or is) an external link whose target file lies outside
   * `root`: HDF5 would otherwise follow it to any file on the machine.
   */
  private checkLinks(key: string): void {
    const parts = key.split('/').filter((p) => p !== '');
    // get_type follows links (an external link to a group reads as a group), so ask each prefix
    // for an external link's target directly: it is empty for anything else.
    const file = this.file as unknown as { get_external_link(p: string): { filename?: string; obj_path?: string } };
    let prefix = '';
    for (const part of parts) {
      prefix += '/' + part;
      let link: { filename?: string; obj_path?: string };
      try {
        link = file.get_external_link(prefix) ?? {};
      } catch {
        return; // a missing path: dataset() names it
      }
      if (!link.filename) continue;
      const target = realPathOf(nodePath.resolve(nodePath.dirname(nodePath.resolve(this.path)), link.filename));
      const rel = nodePath.relative(this.root, target);
      if (rel === '' || rel.startsWith('..') || nodePath.isAbsolute(rel)) {
        throw new InputError(
          this.path,
          `${prefix === '/' + key.replace(/^\//, '') ? 'is' : `passes through ${prefix}, which is`} an external link to ${link.filename}:${link.obj_path}, outside ${this.root}; refusing to follow it`,
          key,
        );
      }
    }
  }

  /** Lists every group and dataset below the root, recursively. */
  list(): Hdf5Listing {
    const out: Hdf5Listing = { groups: [], datasets: [], others: [] };
    let paths: string[];
    try {
      paths = this.file.paths();
    } catch (e) {
      throw new InputError(this.path, `cannot list HDF5 file: ${hdf5Problem(e)}`);
    }
    for (const p of paths) {
      const entity = this.file.get(p);
      if (entity instanceof this.lib.Dataset) {
        out.datasets.push({ path: p, shape: entity.shape ?? [], dtype: String(entity.dtype) });
      } else if (entity instanceof this.lib.Group) {
        out.groups.push(p);
      } else {
        out.others.push({ path: p, kind: entity ? String((entity as { type?: string }).type ?? entity.constructor.name) : 'unknown' });
      }
    }
    return out;
  }

  private dataset(key: string): H5.Dataset {
    this.checkLinks(key);
    const entity = this.file.get(key);
    if (!(entity instanceof this.lib.Dataset)) {
      throw new InputError(this.path, entity ? 'is not a dataset' : 'no such dataset', key);
    }
    return entity;
  }

  /** The shape of a dataset (`[]` for a scalar) without reading its values. */
  shape(key: string): number[] {
    return this.dataset(key).shape ?? [];
  }

  /**
   * Reads a numeric dataset as float32. With `rows`, reads only the first `rows` entries along
   * the first axis, so long sequences need not be loaded in full.
   */
  readFloat32(key: string, rows?: number): Float32Dataset {
    if (rows !== undefined && !(Number.isInteger(rows) && rows >= 1)) {
      throw new Error(`readFloat32: rows must be a positive integer, got ${rows}`);
    }
    const ds = this.dataset(key);
    const meta = ds.metadata;
    const shape = meta.shape ?? [];
    const { H5T_FLOAT, H5T_INTEGER } = this.lib.Module.H5T_class_t;
    const numeric =
      (meta.type === H5T_FLOAT.value && (meta.size === 4 || meta.size === 8)) ||
      (meta.type === H5T_INTEGER.value && meta.size <= 4);
    if (!numeric || meta.vlen) {
      throw new InputError(this.path, `dataset has dtype ${JSON.stringify(ds.dtype)}; expected float32 (or another plain number type)`, key);
    }
    if (!meta.littleEndian && meta.size > 1) {
      throw new InputError(this.path, 'big-endian datasets are not supported', key);
    }
    let values: unknown;
    let outShape = shape;
    try {
      if (rows !== undefined && shape.length >= 1 && rows < shape[0]) {
        outShape = [rows, ...shape.slice(1)];
        values = ds.slice([[0, rows]]);
      } else {
        values = ds.value;
      }
    } catch (e) {
      throw new InputError(this.path, `cannot read dataset: ${hdf5Problem(e)}`, key);
    }
    if (values === null) return { shape: outShape, data: new Float32Array(0) };
    if (values instanceof Float32Array) return { shape: outShape, data: values };
    if (
      values instanceof Float64Array ||
      values instanceof Int32Array ||
      values instanceof Uint32Array ||
      values instanceof Int16Array ||
      values instanceof Uint16Array ||
      values instanceof Int8Array ||
      values instanceof Uint8Array
    ) {
      return { shape: outShape, data: Float32Array.from(values) };
    }
    throw new InputError(this.path, 'dataset did not read as numbers', key);
  }

  /** Closes the file; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  private closed = false;
}

/** Options of `Hdf5Reader.open` / `withHdf5`. */
export interface Hdf5OpenOptions {
  /** The folder external links may point into (e.g. the course kit's root); default the file's folder. */
  root?: string;
}

/** Opens `path`, runs `fn` with a reader and always closes the file afterwards. */
export async function withHdf5<T>(path: string, fn: (reader: Hdf5Reader) => T | Promise<T>, options: Hdf5OpenOptions = {}): Promise<T> {
  const reader = await Hdf5Reader.open(path, options);
  try {
    return await fn(reader);
  } finally {
    reader.close();
  }
}

/** Lists every group and dataset of an HDF5 file. */
export function listHdf5(path: string): Promise<Hdf5Listing> {
  return withHdf5(path, (r) => r.list());
}

/** Reads one dataset of an HDF5 file as float32. */
export function readHdf5Dataset(path: string, key: string): Promise<Float32Dataset> {
  return withHdf5(path, (r) => r.readFloat32(key));
}

/** One dataset to write: its path inside the file (groups are created as needed), shape and values. */
export interface Hdf5DatasetSpec {
  key: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

/**
 * Writes a new HDF5 file of float datasets (float32 for Float32Array, float64 for Float64Array),
 * creating intermediate groups. `datasets` may be a generator, so large exports never have to be
 * held at once. The file appears only once complete: it is written beside `path` and renamed.
 */
export async function writeHdf5(path: string, datasets: Iterable<Hdf5DatasetSpec>, opts: { groups?: string[] } = {}): Promise<void> {
  const lib = await loadH5wasm();
  const tmp = `${path}.partial-${process.pid}`;
  let ok = false;
  try {
    const file = new lib.File(tmp, 'w');
    try {
      const made = new Set<string>();
      const ensureGroup = (group: string): void => {
        if (group === '' || made.has(group)) return;
        const slash = group.lastIndexOf('/');
        if (slash > 0) ensureGroup(group.slice(0, slash));
        if (!file.get(group)) file.create_group(group);
        made.add(group);
      };
      for (const g of opts.groups ?? []) ensureGroup(normaliseKey(g, path));
      for (const spec of datasets) {
        const key = normaliseKey(spec.key, path);
        const n = spec.shape.reduce((a, b) => a * b, 1);
        if (spec.shape.some((s) => !Number.isInteger(s) || s < 0) || n !== spec.data.length) {
          throw new InputError(path, `shape [${spec.shape.join(', ')}] does not match ${spec.data.length} values`, key);
        }
        if (file.get(key)) throw new InputError(path, 'duplicate dataset path', key);
        const slash = key.lastIndexOf('/');
        if (slash > 0) ensureGroup(key.slice(0, slash));
        file.create_dataset({
          name: key,
          data: spec.data,
          shape: spec.shape,
          dtype: spec.data instanceof Float64Array ? '<d' : '<f',
        });
      }
    } finally {
      file.close();
    }
    fs.renameSync(tmp, path);
    ok = true;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new Error(`${path}: cannot write HDF5 file: ${hdf5Problem(e)}`);
  } finally {
    if (!ok) fs.rmSync(tmp, { force: true });
  }
}

function normaliseKey(key: string, file: string): string {
  const k = key.replace(/^\/+/, '');
  if (k === '' || k.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new InputError(file, 'invalid HDF5 path (empty component)', key);
  }
  return k;
}
