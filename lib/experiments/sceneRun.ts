/**
 * One scene-classification run end to end: build the model, train it with the course schedule,
 * score the test split and write the course's files (train.log, result.txt, prediction.csv).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SceneDataset } from '../data/scenes/types';
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
} from '../metrics';
import { buildSceneModel, countParams, SceneModelKind, SceneModelOptions } from '../models/scene';
import { TrainConfig } from '../train/config';
import { disposeTensorData, sceneTensors } from '../train/sceneData';
import { predictProba, trainModel, TrainResult } from '../train/trainer';

/** What `runSceneModel` needs. */
export interface SceneRunOptions {
  kind: SceneModelKind;
  /** A clip-level data set (frames = 1). */
  data: SceneDataset;
  config: TrainConfig;
  /** Where the course files and checkpoints go; resumable. Omit to keep everything in memory. */
  runDir?: string;
  model?: Partial<SceneModelOptions>;
  log?: (line: string) => void;
  /** Identifies the data (part of the resume fingerprint). */
  dataKey?: string;
}

/** Test-set outcome of one run. */
export interface SceneRunResult {
  kind: SceneModelKind;
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
}

/** Trains and evaluates one scene model; see the module comment. */
export async function runSceneModel(o: SceneRunOptions): Promise<SceneRunResult> {
  const { data } = o;
  if (data.train.frames !== 1) throw new Error('runSceneModel expects a clip-level data set: pass clipLevelDataset(ds)');
  const model = buildSceneModel(o.kind, { dim: data.train.dim, classes: data.classes.length, seed: o.config.seed, ...o.model });
  const train = sceneTensors(data.train, model.inputs);
  const val = sceneTensors(data.val, model.inputs);
  const test = sceneTensors(data.test, model.inputs);
  try {
    const fingerprint = JSON.stringify({ kind: o.kind, config: o.config, model: o.model ?? {}, data: o.dataKey ?? data.description, backend: tf.getBackend() });
    const trained = await trainModel(model, train, val, o.config, { runDir: o.runDir, fingerprint, log: o.log });
    const probs = await predictProba(model.net, test);
    const C = data.classes.length;
    const yTrue = data.test.labels;
    const yPred = argmax(probs, C);
    const report = classificationReport(yTrue, yPred, C);
    const acc = accuracy(yTrue, yPred);
    const ll = logLoss(yTrue, probs);
    const resultText = formatResultTxt(report, acc, ll, data.classes);
    if (o.runDir) {
      writeResultTxt(path.join(o.runDir, 'result.txt'), resultText);
      writePredictionCsv(path.join(o.runDir, 'prediction.csv'), toPredictionRows(data.test.ids, yTrue, probs, data.classes), data.classes);
    }
    return { kind: o.kind, params: countParams(model), train: trained, probs, yTrue, yPred, accuracy: acc, logLoss: ll, report, confusion: confusionMatrix(yTrue, yPred, C), resultText };
  } finally {
    [train, val, test].forEach(disposeTensorData);
    model.net.dispose();
  }
}

/** Per-class accuracy (recall) from a confusion matrix. */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[i] / total;
  });
}
