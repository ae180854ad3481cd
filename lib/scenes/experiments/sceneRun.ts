/**
 * One scene-classification run end to end: build the model, train it with the course schedule,
 * score the test split and write the course's files (train.log, result.txt, prediction.csv).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clipLevel, SceneDataset, SceneSplit } from '../data/types';
import { writeFileAtomic } from '../../io/files';
import {
  accuracy,
  argmax,
  classificationReport,
  ClassificationReport,
  confusionMatrix,
} from '../../metrics';
import { courseLogLoss, courseTrainLogLine, formatResultTxt, toPredictionRows, writePredictionCsv, writeResultTxt } from '../courseFiles';
import { buildSceneModel, countParams, fusionWeights, modelView, SceneModel, SceneModelOptions } from '../models/registry';
import { acquireRunLock, claimRunDir, modelData, readRunSpec, sceneRunSpec, SceneRunSpec, SceneVariantLike, specModelOptions, toVariant, variantLabel } from './runSpec';
import { TrainConfig } from '../../training/config';
import { disposeTensorData, sceneTensors } from '../data/tensors';
import { predictProba, trainModel } from '../../training/classification';
import type { EpochRecord, FitResult as TrainResult } from '../../training/fit';
import { loadCheckpoint, restoreWeights } from '../../training/checkpoint';

/** What `runSceneModel` needs. */
export interface SceneRunOptions {
  /** The model: a registry name, or a registry name with option overrides (see runSpec.ts). */
  variant?: SceneVariantLike;
  /** A registry name; the same as `variant: kind`. */
  kind?: string;
  /** The data; clip-level models average a sequence view themselves, sequence models need frames > 1. */
  data: SceneDataset;
  config: TrainConfig;
  /**
   * Where runs go: each run in `<runsRoot>/<key>`, its key derived from its full specification
   * (see runSpec.ts), so equal specs share a run and different ones never do.
   */
  runsRoot?: string;
  /** An explicit run directory (instead of `runsRoot`); it must hold no run of another spec. Omit both to keep everything in memory. */
  runDir?: string;
  /** Options under the variant's own (e.g. the config file's `model:`). */
  model?: Partial<SceneModelOptions>;
  log?: (line: string) => void;
  /** Called after each epoch with the model, e.g. to record learned fusion weights. */
  onEpoch?: (record: EpochRecord, model: SceneModel) => void;
}

/** Test-set outcome of one run. */
export interface SceneRunResult {
  /** The registry name of the model. */
  kind: string;
  /** A display name (the variant's label); defaults to `kind`. */
  name?: string;
  /** Its full specification (stored as spec.json in the run directory). */
  spec?: SceneRunSpec;
  /** The run directory, when stored. */
  runDir?: string;
  params: number;
  train: TrainResult;
  /** Test probabilities, N × C row-major. */
  probs: Float32Array;
  yTrue: Int32Array;
  yPred: Int32Array;
  accuracy: number;
  logLoss: number;
  report: ClassificationReport;
  confusion: number[][];
  /** The course's result.txt text. */
  resultText: string;
  /** Learned fusion weights after each epoch (fusion models with learnable weights only). */
  fusionHistory?: FusionSnapshot[];
}

/** The learned fusion weights after one epoch. */
export interface FusionSnapshot {
  epoch: number;
  weights: Record<string, number[]>;
}

/** The part of a run that is stored beside the course files (summary.json + test_probs.f32). */
interface StoredRun {
  kind: string;
  params: number;
  train: TrainResult;
  classes: number;
  testIds: string[];
  fusionHistory?: FusionSnapshot[];
}

/** Trains and evaluates one scene model; see the module comment. */
export async function runSceneModel(o: SceneRunOptions): Promise<SceneRunResult> {
  const asked = o.variant ?? o.kind;
  if (asked === undefined) throw new Error('runSceneModel: pass a variant (a registry name or { name, options })');
  const variant = toVariant(asked);
  const view = modelView(variant.name);
  if (view === 'sequence' && o.data.train.frames === 1) throw new Error(`${variant.name} reads frame sequences: pass loadScenes({ view: 'sequence' })`);
  const data = modelData(variant.name, o.data);
  const keyed = sceneRunSpec(asked, data, o.config, o.model);
  const runDir = o.runDir ?? (o.runsRoot ? path.join(o.runsRoot, keyed.key) : undefined);
  let release = () => {};
  if (runDir) {
    release = acquireRunLock(runDir);
    try {
      claimRunDir(runDir, keyed);
    } catch (e) {
      release();
      throw e;
    }
  }
  let model: SceneModel;
  try {
    model = buildSceneModel(variant.name, specModelOptions(keyed.spec));
  } catch (e) {
    release();
    throw e;
  }
  const train = sceneTensors(data.train, model.inputs);
  const val = sceneTensors(data.val, model.inputs);
  const test = sceneTensors(data.test, model.inputs);
  try {
    const fingerprint = keyed.hash;
    // Learned fusion weights are recorded every epoch and kept beside the checkpoints, so a
    // resumed or reused run still has its whole history.
    const fusionFile = runDir && path.join(runDir, 'fusion_weights.json');
    let fusionHistory: FusionSnapshot[] = fusionFile && fs.existsSync(fusionFile) ? JSON.parse(fs.readFileSync(fusionFile, 'utf8')) : [];
    const trained = await trainModel(model, train, val, o.config, {
      runDir,
      fingerprint,
      log: o.log,
      logLine: courseTrainLogLine,
      onEpoch: (r) => {
        checkFinite(r);
        const weights = fusionWeights(model);
        if (Object.keys(weights).length > 0) {
          fusionHistory = fusionHistory.filter((f) => f.epoch < r.epoch).concat({ epoch: r.epoch, weights });
          if (fusionFile) writeFileAtomic(fusionFile, JSON.stringify(fusionHistory));
        }
        o.onEpoch?.(r, model);
      },
    });
    // A reused or resumed run may hold a diverged epoch from before this check existed.
    trained.history.forEach(checkFinite);
    const probs = await predictProba(model.net, test);
    const result = scoreRun(variant.name, countParams(model), trained, probs, data);
    result.name = variantLabel(asked);
    result.spec = keyed.spec;
    if (fusionHistory.length > 0) result.fusionHistory = fusionHistory;
    if (runDir) {
      result.runDir = runDir;
      writeResultTxt(path.join(runDir, 'result.txt'), result.resultText);
      writePredictionCsv(path.join(runDir, 'prediction.csv'), toPredictionRows(data.test.ids, data.test.labels, probs, data.classes), data.classes);
      const stored: StoredRun = { kind: variant.name, params: result.params, train: trained, classes: data.classes.length, testIds: data.test.ids, fusionHistory: result.fusionHistory };
      writeFileAtomic(path.join(runDir, 'test_probs.f32'), new Uint8Array(probs.buffer, probs.byteOffset, probs.byteLength));
      writeFileAtomic(path.join(runDir, 'summary.json'), JSON.stringify(stored));
    }
    return result;
  } finally {
    [train, val, test].forEach(disposeTensorData);
    model.net.dispose();
    release();
  }
}

/**
 * Fails a run whose losses stopped being finite: "training diverged at epoch N". Thrown from the
 * epoch callback, before that epoch is checkpointed, so no older checkpoint is reported instead.
 */
function checkFinite(record: { epoch: number }): void {
  const bad = Object.entries(record).filter(([k, v]) => /loss/i.test(k) && typeof v === 'number' && !Number.isFinite(v));
  if (bad.length > 0) throw new Error(`training diverged at epoch ${record.epoch} (${bad.map(([k, v]) => `${k} ${v}`).join(', ')})`);
}

/** Scores test probabilities: predictions, report, accuracy, log loss, confusion, result.txt. */
function scoreRun(kind: string, params: number, trained: TrainResult, probs: Float32Array, data: SceneDataset): SceneRunResult {
  const C = data.classes.length;
  const yTrue = data.test.labels;
  const yPred = argmax(probs, C);
  const report = classificationReport(yTrue, yPred, C);
  const acc = accuracy(yTrue, yPred);
  // As the course's evaluate.py scores the model's float32 softmax (scikit-learn clips at float32 eps).
  const ll = courseLogLoss(yTrue, probs);
  const resultText = formatResultTxt(report, acc, ll, data.classes);
  return { kind, params, train: trained, probs, yTrue, yPred, accuracy: acc, logLoss: ll, report, confusion: confusionMatrix(yTrue, yPred, C), resultText };
}

/**
 * Reads a finished run back from its directory (written by `runSceneModel` with a runDir), e.g.
 * after a worker process trained it. `data` must be the data set it was trained on.
 */
export function readSceneRun(runDir: string, data: SceneDataset): SceneRunResult {
  const summaryFile = path.join(runDir, 'summary.json');
  if (!fs.existsSync(summaryFile)) throw new Error(`${summaryFile}: no finished run here`);
  const stored = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as StoredRun;
  const bytes = fs.readFileSync(path.join(runDir, 'test_probs.f32'));
  const probs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (stored.testIds.length !== data.test.ids.length || stored.testIds.some((id, i) => id !== data.test.ids[i])) {
    throw new Error(`${runDir}: the run was scored on other test clips than the data given`);
  }
  const result = scoreRun(stored.kind, stored.params, stored.train, probs, data);
  if (stored.fusionHistory) result.fusionHistory = stored.fusionHistory;
  if (fs.existsSync(path.join(runDir, 'spec.json'))) result.spec = readRunSpec(runDir).spec;
  result.runDir = runDir;
  return result;
}

/**
 * Rebuilds a run's model with its best checkpoint's weights from the run directory alone (its
 * spec.json names the model, its options, the data's shape and the seed).
 *
 * The older call `restoreSceneModel(dir, kind, data, model, seed)` with a directory that holds no
 * spec.json looks for the finished run of that model, options, seed and data among the keyed run
 * directories beside it (`<dir>-<hash>`), the newest if several training configs match.
 */
export function restoreSceneModel(runDir: string, kind?: string, data?: SceneDataset, model: Partial<SceneModelOptions> = {}, seed = 0): SceneModel {
  const dir = fs.existsSync(path.join(runDir, 'spec.json')) || kind === undefined || data === undefined ? runDir : findKeyedRun(runDir, kind, data, model, seed);
  const { spec } = readRunSpec(dir);
  const best = path.join(dir, 'best.ckpt');
  if (!fs.existsSync(best)) throw new Error(`${dir}: no best.ckpt (the run has not finished an epoch)`);
  const m = buildSceneModel(spec.model.name, specModelOptions(spec));
  restoreWeights(m.net, loadCheckpoint(best).weights, best);
  return m;
}

/** The keyed run directory beside `base` (`<base>-<hash>`) of this model, options, seed and data. */
function findKeyedRun(base: string, kind: string, data: SceneDataset, model: Partial<SceneModelOptions>, seed: number): string {
  const parent = path.dirname(base);
  const view = modelData(kind, data);
  const want = sceneRunSpec({ name: kind }, view, { seed } as TrainConfig, model).spec;
  const candidates = (fs.existsSync(parent) ? fs.readdirSync(parent) : [])
    .filter((d) => d.startsWith(`${path.basename(base)}-`) && fs.existsSync(path.join(parent, d, 'spec.json')) && fs.existsSync(path.join(parent, d, 'best.ckpt')))
    .map((d) => ({ dir: path.join(parent, d), spec: readRunSpec(path.join(parent, d)).spec }))
    .filter(({ spec }) => spec.model.kind === want.model.kind && JSON.stringify(spec.model.options) === JSON.stringify(want.model.options) && spec.train.seed === seed && spec.data.hash === want.data.hash)
    .sort((a, b) => fs.statSync(path.join(b.dir, 'best.ckpt')).mtimeMs - fs.statSync(path.join(a.dir, 'best.ckpt')).mtimeMs);
  if (candidates.length === 0) throw new Error(`${base}: no spec.json here, and no finished run of ${kind} (seed ${seed}) on this data beside it`);
  return candidates[0].dir;
}

/** A model's class probabilities and accuracy on one split (the clip view is taken when the model needs it). */
export async function scoreSplit(model: SceneModel, split: SceneSplit): Promise<{ probs: Float32Array; accuracy: number }> {
  const view = modelView(model.name) === 'clip' ? clipLevel(split) : split;
  const t = sceneTensors(view, model.inputs);
  try {
    const probs = await predictProba(model.net, t);
    return { probs, accuracy: accuracy(split.labels, argmax(probs, probs.length / split.labels.length)) };
  } finally {
    disposeTensorData(t);
  }
}

/** Per-class accuracy (recall) from a confusion matrix. */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[i] / total;
  });
}
