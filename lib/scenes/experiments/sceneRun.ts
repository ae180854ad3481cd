/**
 * One scene-classification run end to end: build the model, train it with the course schedule,
 * score the test split and write the course's files (train.log, result.txt, prediction.csv).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendInfo } from '../../backend';
import { clipLevel, clipLevelDataset, SceneDataset, SceneSplit } from '../data/types';
import { writeFileAtomic } from '../../io/files';
import {
  accuracy,
  argmax,
  classificationReport,
  ClassificationReport,
  confusionMatrix,
  formatResultTxt,
  logLoss,
  toPredictionRows,
  writePredictionCsv,
  writeResultTxt,
} from '../../metrics';
import { buildSceneModel, countParams, modelView, SceneModel, SceneModelKind, SceneModelOptions } from '../models/registry';
import { fusionWeights } from '../models/fusion';
import { TrainConfig } from '../../training/config';
import { disposeTensorData, sceneTensors } from '../data/tensors';
import { EpochRecord, predictProba, trainModel, TrainResult } from '../../training/trainer';
import { loadCheckpoint, restoreWeights } from '../../training/checkpoint';

/** What `runSceneModel` needs. */
export interface SceneRunOptions {
  kind: SceneModelKind;
  /** The data; clip-level models average a sequence view themselves, sequence models need frames > 1. */
  data: SceneDataset;
  config: TrainConfig;
  /** Where the course files and checkpoints go; resumable. Omit to keep everything in memory. */
  runDir?: string;
  model?: Partial<SceneModelOptions>;
  log?: (line: string) => void;
  /** Identifies the data (part of the resume fingerprint). */
  dataKey?: string;
  /** Called after each epoch with the model, e.g. to record learned fusion weights. */
  onEpoch?: (record: EpochRecord, model: SceneModel) => void;
}

/** Test-set outcome of one run. */
export interface SceneRunResult {
  kind: SceneModelKind;
  /** A display name for variants of one kind (e.g. `weighted-late-class`); defaults to the kind. */
  name?: string;
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
  kind: SceneModelKind;
  params: number;
  train: TrainResult;
  classes: number;
  testIds: string[];
  fusionHistory?: FusionSnapshot[];
}

/** Trains and evaluates one scene model; see the module comment. */
export async function runSceneModel(o: SceneRunOptions): Promise<SceneRunResult> {
  const view = modelView(o.kind);
  if (view === 'sequence' && o.data.train.frames === 1) throw new Error(`${o.kind} reads frame sequences: pass loadScenes({ view: 'sequence' })`);
  const data = view === 'clip' ? clipLevelDataset(o.data) : o.data;
  const model = buildSceneModel(o.kind, { dim: data.train.dim, classes: data.classes.length, seed: o.config.seed, ...o.model });
  const train = sceneTensors(data.train, model.inputs);
  const val = sceneTensors(data.val, model.inputs);
  const test = sceneTensors(data.test, model.inputs);
  try {
    const fingerprint = JSON.stringify({ kind: o.kind, config: o.config, model: o.model ?? {}, data: o.dataKey ?? data.description, backend: backendInfo()?.detail ?? tf.getBackend() });
    // Learned fusion weights are recorded every epoch and kept beside the checkpoints, so a
    // resumed or reused run still has its whole history.
    const fusionFile = o.runDir && path.join(o.runDir, 'fusion_weights.json');
    let fusionHistory: FusionSnapshot[] = fusionFile && fs.existsSync(fusionFile) ? JSON.parse(fs.readFileSync(fusionFile, 'utf8')) : [];
    const trained = await trainModel(model, train, val, o.config, {
      runDir: o.runDir,
      fingerprint,
      log: o.log,
      onEpoch: (r) => {
        const weights = fusionWeights(model);
        if (Object.keys(weights).length > 0) {
          fusionHistory = fusionHistory.filter((f) => f.epoch < r.epoch).concat({ epoch: r.epoch, weights });
          if (fusionFile) writeFileAtomic(fusionFile, JSON.stringify(fusionHistory));
        }
        o.onEpoch?.(r, model);
      },
    });
    const probs = await predictProba(model.net, test);
    const result = scoreRun(o.kind, countParams(model), trained, probs, data);
    if (fusionHistory.length > 0) result.fusionHistory = fusionHistory;
    if (o.runDir) {
      writeResultTxt(path.join(o.runDir, 'result.txt'), result.resultText);
      writePredictionCsv(path.join(o.runDir, 'prediction.csv'), toPredictionRows(data.test.ids, data.test.labels, probs, data.classes), data.classes);
      const stored: StoredRun = { kind: o.kind, params: result.params, train: trained, classes: data.classes.length, testIds: data.test.ids, fusionHistory: result.fusionHistory };
      writeFileAtomic(path.join(o.runDir, 'test_probs.f32'), new Uint8Array(probs.buffer, probs.byteOffset, probs.byteLength));
      writeFileAtomic(path.join(o.runDir, 'summary.json'), JSON.stringify(stored));
    }
    return result;
  } finally {
    [train, val, test].forEach(disposeTensorData);
    model.net.dispose();
  }
}

/** Scores test probabilities: predictions, report, accuracy, log loss, confusion, result.txt. */
function scoreRun(kind: SceneModelKind, params: number, trained: TrainResult, probs: Float32Array, data: SceneDataset): SceneRunResult {
  const C = data.classes.length;
  const yTrue = data.test.labels;
  const yPred = argmax(probs, C);
  const report = classificationReport(yTrue, yPred, C);
  const acc = accuracy(yTrue, yPred);
  const ll = logLoss(yTrue, probs);
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
  return result;
}

/** Rebuilds a run's model with its best checkpoint's weights, for analysis on other inputs. */
export function restoreSceneModel(runDir: string, kind: SceneModelKind, data: SceneDataset, model: Partial<SceneModelOptions> = {}, seed = 0): SceneModel {
  const m = buildSceneModel(kind, { dim: data.train.dim, classes: data.classes.length, seed, ...model });
  restoreWeights(m.net, loadCheckpoint(path.join(runDir, 'best.ckpt')).weights, path.join(runDir, 'best.ckpt'));
  return m;
}

/** A model's class probabilities and accuracy on one split (the clip view is taken when the model needs it). */
export async function scoreSplit(model: SceneModel, split: SceneSplit): Promise<{ probs: Float32Array; accuracy: number }> {
  const view = modelView(model.kind) === 'clip' ? clipLevel(split) : split;
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
