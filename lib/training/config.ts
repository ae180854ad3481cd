/**
 * Training configuration: plain data with the course's values as defaults, overridable from YAML
 * files (see notebooks/configs/).
 *
 * A config file is validated as a whole against a schema before anything uses it: every section
 * and key is checked, an unknown key anywhere is an error naming the file, the key's path
 * (`train.plateau.factr`) and the nearest valid key, and types and ranges are checked at load
 * (`plateau.factor` in (0, 1), `lr` finite and > 0, …). The `model:` section is checked against the
 * model options the experiment families register (`registerModelOptions`; the scene family
 * registers its models' options), and may never set what the data decides (`dim`, `classes`).
 */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { InputError } from '../util/errors';

/** Everything that controls one training run. */
export interface TrainConfig {
  /** Seeds initialisation, shuffling and dropout. */
  seed: number;
  /** Adam learning rate. */
  lr: number;
  /** L2 penalty added to the gradients, as PyTorch's Adam(weight_decay) does. */
  weightDecay: number;
  batchSize: number;
  /** Upper bound on epochs. */
  maxEpochs: number;
  /** ReduceLROnPlateau on the validation loss (PyTorch semantics: relative threshold, mode min). */
  plateau: { patience: number; factor: number; threshold: number; minLr: number };
  /** Stop after this many epochs without an improvement of the selection (`fit`: lowest val loss by default). */
  earlyStop: number;
}

/** The course baseline: Adam 1e-4, weight decay 1e-4, batch 128, plateau 3 × 0.1, ≤100 epochs, early stop 7. */
export const COURSE_TRAIN_CONFIG: TrainConfig = {
  seed: 0,
  lr: 1e-4,
  weightDecay: 1e-4,
  batchSize: 128,
  maxEpochs: 100,
  plateau: { patience: 3, factor: 0.1, threshold: 1e-4, minLr: 0 },
  earlyStop: 7,
};

// ---------------------------------------------------------------------------------------------
// Schemas.

/** A number: finite, optionally an integer, within bounds (`gt`/`lt` exclusive, `ge`/`le` inclusive). */
export interface NumberSpec {
  type: 'number';
  integer?: boolean;
  gt?: number;
  ge?: number;
  lt?: number;
  le?: number;
}
/** What a schema can say about a value. */
export type ConfigSpec =
  | NumberSpec
  | { type: 'boolean' }
  | { type: 'string'; oneOf?: readonly string[] }
  | { type: 'numbers'; length?: number; item: NumberSpec }
  | { type: 'section'; keys: Record<string, ConfigSpec> };

const num = (o: Omit<NumberSpec, 'type'> = {}): NumberSpec => ({ type: 'number', ...o });

/** The schema of the `train:` section (every key of `TrainConfig`). */
export const TRAIN_SCHEMA: { type: 'section'; keys: Record<string, ConfigSpec> } = {
  type: 'section',
  keys: {
    seed: num({ integer: true }),
    lr: num({ gt: 0 }),
    weightDecay: num({ ge: 0 }),
    batchSize: num({ integer: true, gt: 0 }),
    maxEpochs: num({ integer: true, gt: 0 }),
    plateau: {
      type: 'section',
      keys: { patience: num({ integer: true, ge: 0 }), factor: num({ gt: 0, lt: 1 }), threshold: num({ ge: 0, lt: 1 }), minLr: num({ ge: 0 }) },
    },
    earlyStop: num({ integer: true, gt: 0 }),
  },
};

/** Keys that the data decides; a config's `model:` section may never set them. */
export const DATA_OWNED_MODEL_KEYS = ['dim', 'classes'] as const;

const modelOptions = new Map<string, Record<string, ConfigSpec>>();

/**
 * Declares the model options an experiment family reads from a config's `model:` section (called
 * by the family's model registry when it loads). `loadExperimentConfig` accepts a key that some
 * registered family declares, with that family's type and range.
 */
export function registerModelOptions(family: string, keys: Record<string, ConfigSpec>): void {
  for (const k of DATA_OWNED_MODEL_KEYS) if (k in keys) throw new Error(`registerModelOptions(${family}): "${k}" is decided by the data, not a config`);
  modelOptions.set(family, keys);
}

/** The `model:` schema: the union of every registered family's options. */
export function registeredModelSchema(): { type: 'section'; keys: Record<string, ConfigSpec> } {
  const keys: Record<string, ConfigSpec> = {};
  for (const family of modelOptions.values()) Object.assign(keys, family);
  return { type: 'section', keys };
}

/** Levenshtein distance (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The valid key nearest to `key` (by edit distance), if any is reasonably near. */
export function nearestKey(key: string, valid: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(key, v);
    if (d < bestD) {
      bestD = d;
      best = v;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.ceil(key.length / 2)) ? best : undefined;
}

/** A value as a message shows it: numbers as JavaScript prints them (Infinity, NaN), others as JSON. */
function show(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function describeNumber(s: NumberSpec): string {
  const parts: string[] = [];
  if (s.gt !== undefined) parts.push(`> ${s.gt}`);
  if (s.ge !== undefined) parts.push(`≥ ${s.ge}`);
  if (s.lt !== undefined) parts.push(`< ${s.lt}`);
  if (s.le !== undefined) parts.push(`≤ ${s.le}`);
  if (s.gt !== undefined && s.lt !== undefined) return `a finite ${s.integer ? 'integer' : 'number'} in (${s.gt}, ${s.lt})`;
  return `a finite ${s.integer ? 'integer' : 'number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

function checkNumber(v: unknown, s: NumberSpec): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (s.integer && !Number.isInteger(v)) return false;
  if (s.gt !== undefined && !(v > s.gt)) return false;
  if (s.ge !== undefined && !(v >= s.ge)) return false;
  if (s.lt !== undefined && !(v < s.lt)) return false;
  if (s.le !== undefined && !(v <= s.le)) return false;
  return true;
}

/**
 * Checks `value` against `spec`; errors name `source`, the key path (`prefix` + key) and, for an
 * unknown key, the nearest valid one. Sections may omit keys (defaults fill them).
 */
export function validateConfigValue(value: unknown, spec: ConfigSpec, source: string, keyPath: string): void {
  const name = keyPath.split('.').pop() ?? keyPath;
  const bad = (expected: string): never => {
    throw new InputError(source, `${name} must be ${expected}, got ${show(value)}`, keyPath);
  };
  switch (spec.type) {
    case 'number':
      if (!checkNumber(value, spec)) bad(describeNumber(spec));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad('true or false');
      return;
    case 'string':
      if (typeof value !== 'string' || (spec.oneOf && !spec.oneOf.includes(value))) bad(spec.oneOf ? `one of ${spec.oneOf.map((o) => `"${o}"`).join(', ')}` : 'a string');
      return;
    case 'numbers':
      if (!Array.isArray(value) || (spec.length !== undefined && value.length !== spec.length) || !value.every((x) => checkNumber(x, spec.item))) {
        bad(`a list of ${spec.length ?? 'any number of'} values, each ${describeNumber(spec.item)}`);
      }
      return;
    case 'section': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('a mapping of keys to values');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const path = keyPath ? `${keyPath}.${k}` : k;
        const sub = spec.keys[k];
        if (!sub) {
          const valid = Object.keys(spec.keys);
          const near = nearestKey(k, valid);
          throw new InputError(
            source,
            `unknown key "${path}"${near ? ` (did you mean "${keyPath ? keyPath + '.' : ''}${near}"?)` : ''}; valid keys${keyPath ? ` of ${keyPath}` : ''}: ${valid.join(', ') || 'none'}`,
            path,
          );
        }
        validateConfigValue(v, sub, source, path);
      }
    }
  }
}

/**
 * Merges overrides into a config, validating every key against `TRAIN_SCHEMA` (unknown keys,
 * types, ranges). `source` names where they came from; key paths are prefixed with `prefix`.
 */
export function makeTrainConfig(overrides: Record<string, unknown> = {}, source = 'config', base: TrainConfig = COURSE_TRAIN_CONFIG, prefix = 'train'): TrainConfig {
  validateConfigValue(overrides, TRAIN_SCHEMA, source, prefix);
  const plateau = { ...base.plateau, ...((overrides.plateau as object | undefined) ?? {}) };
  const c: TrainConfig = { ...base, ...(overrides as Partial<TrainConfig>), plateau };
  // The merged result (base included) must satisfy the schema too.
  validateConfigValue(c, TRAIN_SCHEMA, source, prefix);
  return c;
}

/** A YAML config file: `train:` holds TrainConfig overrides, `model:` model options (see the module comment). */
export interface ExperimentConfig {
  train: TrainConfig;
  model: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** Options of `loadExperimentConfig`. */
export interface LoadConfigOptions {
  /** The `model:` schema (default: the options every loaded family registered). */
  modelSchema?: { type: 'section'; keys: Record<string, ConfigSpec> };
  /** Further top-level sections and their schemas (default: only `train` and `model`). */
  sections?: Record<string, ConfigSpec>;
}

/** Reads a YAML experiment config and validates it as a whole; errors name the file and the key path. */
export function loadExperimentConfig(file: string, options: LoadConfigOptions = {}): ExperimentConfig {
  if (!fs.existsSync(file)) throw new InputError(file, 'config file does not exist');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, 'must be a YAML mapping');
  const r = raw as Record<string, unknown>;
  const model = r.model ?? {};
  if (model !== null && typeof model === 'object' && !Array.isArray(model)) {
    for (const k of DATA_OWNED_MODEL_KEYS) {
      if (k in model) {
        throw new InputError(file, `model.${k} cannot be set in a config: the data decides it (${k === 'dim' ? 'the feature dimension' : 'the number of classes'})`, `model.${k}`);
      }
    }
  }
  const modelSchema = options.modelSchema ?? registeredModelSchema();
  validateConfigValue(r, { type: 'section', keys: { train: TRAIN_SCHEMA, model: modelSchema, ...options.sections } }, file, '');
  return {
    train: makeTrainConfig((r.train as Record<string, unknown>) ?? {}, file),
    model: model as Record<string, unknown>,
    raw: r,
  };
}
