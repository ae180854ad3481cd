/**
 * What identifies a scene run, and the run directory that holds it.
 *
 * A run is fully specified by its variant (registry kind and normalised options), its training
 * config (seed included), the identity of its data (a content hash of exactly the arrays the model
 * is fed: the simulator's output for the simulator, the loaded files for the course kit), the
 * data's shape (dim, classes) and the model code version. The run directory is named
 * `<kind>-<first 12 hex digits of sha256(spec)>` and stores `spec.json`, from which
 * `restoreSceneModel(runDir)` rebuilds the model alone (as nanoGPT's checkpoint stores
 * `model_args`). Two notebooks asking for the same spec share one run; different specs never
 * share a directory. A training run holds `train.lock` (its pid) so no two processes train into
 * one directory.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io/files';
import { TrainConfig } from '../../training/config';
import { clipLevelDataset, SceneDataset } from '../data/types';
import {
  normaliseSceneOptions,
  SCENE_MODEL_CODE_VERSION,
  SCENE_MODEL_DEFAULTS,
  SceneModelOptions,
  sceneModelEntry,
  SceneVariantOptions,
} from '../models/registry';

/** A model to train: a registry name plus option overrides (and an optional display label). */
export interface SceneVariant {
  /** The registry entry (see lib/scenes/models/registry.ts). */
  name: string;
  /** Overrides of the entry's options; spelled-out defaults do not change the variant. */
  options?: SceneVariantOptions;
  /** Shown in tables and figures instead of `name`. */
  label?: string;
}

/** A variant, or just a registry name. */
export type SceneVariantLike = string | SceneVariant;

/** The variant of a name or variant, with its options normalised (`normaliseSceneOptions`). */
export function toVariant(v: SceneVariantLike, base: Partial<SceneModelOptions> = {}): SceneVariant & { options: SceneVariantOptions } {
  const variant = typeof v === 'string' ? { name: v } : v;
  const options = normaliseSceneOptions(variant.name, { ...base, ...variant.options });
  return { ...variant, options };
}

/** The display name of a variant. */
export function variantLabel(v: SceneVariantLike): string {
  return typeof v === 'string' ? v : (v.label ?? v.name);
}

/** Everything that determines a run; stored as `spec.json` in its directory. */
export interface SceneRunSpec {
  model: {
    /** The registry name asked for (a label only: identity is kind + options). */
    name: string;
    kind: string;
    /** Normalised options (defaults omitted). */
    options: SceneVariantOptions;
    dim: number;
    classes: number;
  };
  train: TrainConfig;
  data: { hash: string; view: 'clip' | 'sequence'; source: string; description: string };
  code: { models: number; entry: number };
}

/** A spec and what is derived from it. */
export interface KeyedSpec {
  spec: SceneRunSpec;
  /** sha256 over the identifying fields, hex. */
  hash: string;
  /** The run directory's name: `<kind>-<hash[0:12]>`. */
  key: string;
}

/** Stable JSON: object keys sorted at every level. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const dataHashes = new WeakMap<SceneDataset, string>();

/**
 * sha256 of a data set's content: classes, and per split the clip ids, labels, shape and feature
 * bytes. Cached per data set object.
 */
export function sceneDataHash(data: SceneDataset): string {
  const cached = dataHashes.get(data);
  if (cached) return cached;
  const h = createHash('sha256');
  h.update(JSON.stringify(data.classes));
  for (const split of [data.train, data.val, data.test]) {
    h.update(JSON.stringify({ ids: split.ids, frames: split.frames, dim: split.dim }));
    for (const a of [split.labels, split.audio, split.video]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  const hash = h.digest('hex');
  dataHashes.set(data, hash);
  return hash;
}

const clipViews = new WeakMap<SceneDataset, SceneDataset>();

/** The data as a model reads it: the clip-level view (cached per data set) or the frames as they are. */
export function modelData(name: string, data: SceneDataset): SceneDataset {
  if (sceneModelEntry(name).view === 'sequence' || data.train.frames === 1) return data;
  let view = clipViews.get(data);
  if (!view) clipViews.set(data, (view = clipLevelDataset(data)));
  return view;
}

/** The run-directory key of training `variant` with `config` on `data` (in any view: the model's is taken). */
export function sceneRunKey(variant: SceneVariantLike, data: SceneDataset, config: TrainConfig, base: Partial<SceneModelOptions> = {}): string {
  return sceneRunSpec(variant, modelData(toVariant(variant).name, data), config, base).key;
}

/** The spec of training `variant` with `config` on `data` (already in the view the model reads). */
export function sceneRunSpec(variant: SceneVariantLike, data: SceneDataset, config: TrainConfig, base: Partial<SceneModelOptions> = {}): KeyedSpec {
  const v = toVariant(variant, base);
  const entry = sceneModelEntry(v.name);
  const spec: SceneRunSpec = {
    model: { name: v.name, kind: entry.kind, options: v.options, dim: data.train.dim, classes: data.classes.length },
    train: config,
    data: { hash: sceneDataHash(data), view: entry.view, source: data.source, description: data.description },
    code: { models: SCENE_MODEL_CODE_VERSION, entry: entry.version ?? 1 },
  };
  return keySpec(spec);
}

/** Hash and key of a spec (the model's name, the data's description and source are labels, not identity). */
export function keySpec(spec: SceneRunSpec): KeyedSpec {
  const identity = {
    model: { kind: spec.model.kind, options: spec.model.options, dim: spec.model.dim, classes: spec.model.classes },
    train: spec.train,
    data: { hash: spec.data.hash, view: spec.data.view },
    code: spec.code,
  };
  const hash = createHash('sha256').update(stableJson(identity)).digest('hex');
  return { spec, hash, key: `${spec.model.kind}-${hash.slice(0, 12)}` };
}

/** The options to build a spec's model with: every default spelled out, so no entry default can override them. */
export function specModelOptions(spec: SceneRunSpec): SceneModelOptions {
  const o = spec.model.options;
  return {
    ...SCENE_MODEL_DEFAULTS,
    attentionUnits: o.attentionUnits ?? o.lstmUnits ?? SCENE_MODEL_DEFAULTS.lstmUnits,
    ...o,
    dim: spec.model.dim,
    classes: spec.model.classes,
    seed: spec.train.seed,
  } as SceneModelOptions;
}

/** Reads a run directory's spec. */
export function readRunSpec(runDir: string): KeyedSpec {
  const file = path.join(runDir, 'spec.json');
  if (!fs.existsSync(file)) throw new Error(`${runDir}: no spec.json (not a run directory of this version)`);
  return keySpec(JSON.parse(fs.readFileSync(file, 'utf8')) as SceneRunSpec);
}

/**
 * Claims `runDir` for `keyed`: writes spec.json into a new directory, or checks that the one there
 * is the same spec. A directory never holds runs of two specs.
 */
export function claimRunDir(runDir: string, keyed: KeyedSpec): void {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'spec.json');
  if (fs.existsSync(file)) {
    const there = readRunSpec(runDir);
    if (there.hash !== keyed.hash) {
      throw new Error(`${runDir} holds a run of another specification (${there.key}, this one is ${keyed.key}); use a directory per spec`);
    }
    return;
  }
  writeFileAtomic(file, JSON.stringify(keyed.spec, null, 2));
}

/** Whether a process with this pid is running (EPERM: running, owned by someone else). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number {
  try {
    return Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return NaN;
  }
}

/**
 * Takes the exclusive training lock of a run directory: `train.lock` created with 'wx', holding
 * this process's pid. A lock whose pid is dead is stale and taken over; a live one (this process
 * included) is refused. Returns the release function.
 */
export function acquireRunLock(runDir: string): () => void {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'train.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = readPid(file);
    if (alive(pid)) throw new Error(`${runDir} is being trained by process ${pid} (${file}); wait for it or remove the lock if that process is not avlab`);
    // Stale: move it aside atomically, so that of two processes taking it over only one removes it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // someone else took it over first; try again
    }
    const moved = readPid(aside);
    if (moved !== pid && alive(moved)) {
      // We moved a fresh lock that replaced the stale one in between: put it back and give up.
      fs.renameSync(aside, file);
      throw new Error(`${runDir} is being trained by process ${moved} (${file})`);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`${runDir}: could not take the training lock ${file}`);
}
