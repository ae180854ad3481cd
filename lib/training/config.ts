/**
 * Training configuration: plain data with the course's values as defaults, overridable from YAML
 * files (see notebooks/configs/).
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

/** Merges overrides into a config, validating every field. `source` names where they came from. */
export function makeTrainConfig(overrides: Record<string, unknown> = {}, source = 'config', base: TrainConfig = COURSE_TRAIN_CONFIG): TrainConfig {
  const known = new Set(Object.keys(base));
  for (const k of Object.keys(overrides)) {
    if (!known.has(k)) throw new InputError(source, `unknown training option "${k}" (known: ${[...known].join(', ')})`, k);
  }
  const plateau = { ...base.plateau, ...((overrides.plateau as object | undefined) ?? {}) };
  const c: TrainConfig = { ...base, ...(overrides as Partial<TrainConfig>), plateau };
  const positive = (v: unknown, key: string, integer = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new InputError(source, `must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`, key);
    }
  };
  positive(c.lr, 'lr');
  positive(c.batchSize, 'batchSize', true);
  positive(c.maxEpochs, 'maxEpochs', true);
  positive(c.earlyStop, 'earlyStop', true);
  positive(c.plateau.patience + 1, 'plateau.patience', true);
  positive(c.plateau.factor, 'plateau.factor');
  if (!(c.weightDecay >= 0)) throw new InputError(source, 'must be ≥ 0', 'weightDecay');
  if (!Number.isInteger(c.seed)) throw new InputError(source, 'must be an integer', 'seed');
  return c;
}

/** A YAML config file: `train:` holds TrainConfig overrides, `model:` model options, other keys are free. */
export interface ExperimentConfig {
  train: TrainConfig;
  model: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** Reads a YAML experiment config; errors name the file and the key. */
export function loadExperimentConfig(file: string): ExperimentConfig {
  if (!fs.existsSync(file)) throw new InputError(file, 'config file does not exist');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, 'must be a YAML mapping');
  const r = raw as Record<string, unknown>;
  return {
    train: makeTrainConfig((r.train as Record<string, unknown>) ?? {}, file),
    model: (r.model as Record<string, unknown>) ?? {},
    raw: r,
  };
}
