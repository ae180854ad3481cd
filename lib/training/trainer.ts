/**
 * The training loop shared by every model: Adam with PyTorch-style weight decay, reduce-on-plateau,
 * early stopping, best-checkpoint selection on cv loss, atomic checkpoints and resumption.
 *
 * Speed notes: the training data lives on the backend once and batches are gathered there; losses
 * are accumulated as tensors and read back once per epoch, so no batch waits for a download.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../nn/layers';
import { Rng, deriveSeed } from '../util/rng';
import { TrainConfig } from './config';
import { writeFileAtomic } from '../io/files';
import { loadCheckpoint, restoreWeights, saveCheckpoint, storeTensors } from './checkpoint';
import { makeAdam, StepOptimizer } from './optimizer';
import { EpochProgress, makeProgress } from './progress';

/** A network and its seeded dropout layers. */
export interface TrainableModel {
  net: tf.LayersModel;
  dropouts: SeededDropout[];
}

/** Inputs and integer labels already on the backend; the first axis of every tensor is the example. */
export interface TensorData {
  inputs: tf.Tensor[];
  labels: tf.Tensor1D;
  size: number;
}

/** One epoch's numbers, as written to train.log. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  cvLoss: number;
  cvAccuracy: number;
  lr: number;
  seconds: number;
}

/** Trainer state kept in checkpoints so an interrupted run resumes where it stopped. */
interface RunState {
  fingerprint: string;
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  bestCvLoss: number;
  plateauBest: number;
  plateauBad: number;
  lr: number;
  done: boolean;
}

/** The outcome of `trainModel`; the model holds the best epoch's weights afterwards. */
export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestCvLoss: number;
  /** True when early stopping ended the run before maxEpochs. */
  stoppedEarly: boolean;
  /** Epochs trained in this call (0 when a finished run was reused). */
  epochsRun: number;
  /** True when a finished run with the same fingerprint was found in runDir and reused. */
  reused: boolean;
  seconds: number;
}

/** Options of `trainModel`. */
export interface TrainOptions {
  /** Where train.log, checkpoints and history.json go; without it nothing is written. */
  runDir?: string;
  /** Identifies the run's config and data; a checkpoint with another fingerprint is not resumed. */
  fingerprint?: string;
  /** Receives each log line (default console.log). */
  log?: (line: string) => void;
  /** Show a per-batch progress bar (default: only in an interactive terminal). */
  progress?: boolean;
  /** Called after each epoch. */
  onEpoch?: (record: EpochRecord) => void;
}

/** Formats one epoch the way the course's train.log does. */
export function formatEpochLine(r: EpochRecord): string {
  return `| epoch ${r.epoch} | time ${r.seconds.toFixed(2)}s | train loss ${r.trainLoss.toFixed(4)} | cv loss ${r.cvLoss.toFixed(4)} | cv accuracy: ${r.cvAccuracy.toFixed(4)} | lr ${r.lr.toExponential(1)} |`;
}

function gatherBatch(data: TensorData, idx: tf.Tensor1D): { xs: tf.Tensor[]; y: tf.Tensor1D } {
  return { xs: data.inputs.map((t) => tf.gather(t, idx)), y: tf.gather(data.labels, idx) };
}

function forward(net: tf.LayersModel, xs: tf.Tensor[], training: boolean): tf.Tensor2D {
  return net.apply(xs.length === 1 ? xs[0] : xs, { training }) as tf.Tensor2D;
}

/** Mean cross-entropy of integer labels under logits. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Cv loss and accuracy in eval mode, read back once. */
export async function evaluate(net: tf.LayersModel, data: TensorData, batchSize = 1024): Promise<{ loss: number; accuracy: number }> {
  let lossSum = tf.scalar(0);
  let correct = tf.scalar(0);
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const [nextLoss, nextCorrect] = tf.tidy((): tf.Scalar[] => {
      const idx = tf.range(start, start + n, 1, 'int32') as tf.Tensor1D;
      const { xs, y } = gatherBatch(data, idx);
      const logits = forward(net, xs, false);
      const l = tf.add(lossSum, tf.mul(crossEntropy(logits, y), n));
      const c = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
      return [l as tf.Scalar, c as tf.Scalar];
    });
    lossSum.dispose();
    correct.dispose();
    lossSum = nextLoss;
    correct = nextCorrect;
  }
  const [l, c] = [(await lossSum.data())[0], (await correct.data())[0]];
  lossSum.dispose();
  correct.dispose();
  return { loss: l / data.size, accuracy: c / data.size };
}

/** Class probabilities (softmax of the logits) for every example, row-major N × C. */
export async function predictProba(net: tf.LayersModel, data: TensorData, batchSize = 1024): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const p = tf.tidy(() => {
      const idx = tf.range(start, start + n, 1, 'int32') as tf.Tensor1D;
      return tf.softmax(forward(net, gatherBatch(data, idx).xs, false));
    });
    parts.push((await p.data()) as Float32Array);
    p.dispose();
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** One optimisation step; returns the batch loss as a tensor (kept, not downloaded). */
function trainStep(model: TrainableModel, optimizer: StepOptimizer, xs: tf.Tensor[], y: tf.Tensor1D): tf.Scalar {
  const vars = model.net.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => crossEntropy(forward(model.net, xs, true), y), vars);
  optimizer.step(vars, grads);
  Object.values(grads).forEach((g) => g.dispose());
  return value;
}

async function snapshot(model: TrainableModel, optimizer: StepOptimizer) {
  return {
    weights: await storeTensors(model.net.weights.map((w) => ({ name: w.originalName, tensor: w.read() }))),
    optimizer: await storeTensors(await optimizer.getWeights()),
  };
}

/**
 * One pass over the training data in a seeded order (the epoch number reseeds shuffling and
 * dropout, so a resumed run repeats the uninterrupted one). Returns the mean training loss, read
 * back once at the end of the epoch.
 */
export async function runEpoch(
  model: TrainableModel,
  optimizer: StepOptimizer,
  train: TensorData,
  config: Pick<TrainConfig, 'seed' | 'batchSize'>,
  epoch: number,
  onStep?: () => void,
): Promise<number> {
  const rng = new Rng(deriveSeed(config.seed, `epoch:${epoch}`));
  model.dropouts.forEach((d, i) => d.reseed(deriveSeed(config.seed, `dropout:${epoch}:${i}`)));
  // Batch indices are uploaded from JS: slicing a tensor on the wasm backend reads it back first.
  const order = Int32Array.from(rng.permutation(train.size));
  const steps = Math.ceil(train.size / config.batchSize);
  let lossSum = tf.scalar(0);
  for (let s = 0; s < steps; s++) {
    const start = s * config.batchSize;
    const n = Math.min(config.batchSize, train.size - start);
    const batchIdx = tf.tensor1d(order.subarray(start, start + n), 'int32');
    const { xs, y } = gatherBatch(train, batchIdx);
    const loss = trainStep(model, optimizer, xs, y);
    const next = tf.tidy(() => tf.add(lossSum, tf.mul(loss, n)) as tf.Scalar);
    [batchIdx, y, loss, lossSum, ...xs].forEach((t) => t.dispose());
    lossSum = next;
    onStep?.();
  }
  const mean = (await lossSum.data())[0] / train.size;
  lossSum.dispose();
  return mean;
}

/**
 * Trains `model` on `train`, selecting the epoch with the lowest cv loss on `val`. With a runDir,
 * every epoch is checkpointed atomically and a later call with the same fingerprint resumes from the
 * last checkpoint (or reuses a finished run). `tf.memory().numTensors` is unchanged by an epoch.
 */
export async function trainModel(
  model: TrainableModel,
  train: TensorData,
  val: TensorData,
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const fingerprint = options.fingerprint ?? '';
  const runDir = options.runDir;
  const lastFile = runDir && path.join(runDir, 'last.ckpt');
  const bestFile = runDir && path.join(runDir, 'best.ckpt');
  const optimizer = makeAdam(config.lr, config.weightDecay);

  let state: RunState = {
    fingerprint,
    epoch: 0,
    history: [],
    bestEpoch: 0,
    bestCvLoss: Infinity,
    plateauBest: Infinity,
    plateauBad: 0,
    lr: config.lr,
    done: false,
  };

  if (lastFile && fs.existsSync(lastFile)) {
    const ck = loadCheckpoint<RunState>(lastFile);
    if (ck.state.fingerprint === fingerprint) {
      state = ck.state;
      if (state.done && bestFile && fs.existsSync(bestFile)) {
        restoreWeights(model.net, loadCheckpoint(bestFile).weights, bestFile);
        log(`reusing finished run in ${runDir} (best epoch ${state.bestEpoch}, cv loss ${state.bestCvLoss.toFixed(4)})`);
        optimizer.dispose();
        return { history: state.history, bestEpoch: state.bestEpoch, bestCvLoss: state.bestCvLoss, stoppedEarly: state.epoch < config.maxEpochs, epochsRun: 0, reused: true, seconds: (Date.now() - started) / 1000 };
      }
      restoreWeights(model.net, ck.weights, lastFile);
      if (ck.optimizer.length > 0) {
        const tensors = ck.optimizer.map((t) => ({ name: t.name, tensor: tf.tensor(t.values, t.shape) }));
        await optimizer.setWeights(tensors);
        tensors.forEach((t) => t.tensor.dispose());
      }
      log(`resuming ${runDir} after epoch ${state.epoch}`);
    } else {
      log(`${lastFile} belongs to another configuration; starting afresh`);
    }
  }
  optimizer.learningRate = state.lr;
  if (runDir) fs.mkdirSync(runDir, { recursive: true });
  const appendLog = (line: string) => {
    log(line);
    if (runDir) fs.appendFileSync(path.join(runDir, 'train.log'), line + '\n');
  };

  // Without a runDir the best weights are kept in memory instead of best.ckpt.
  let bestWeights: tf.Tensor[] | null = null;
  const steps = Math.ceil(train.size / config.batchSize);
  let epochsRun = 0;
  let stoppedEarly = false;
  while (state.epoch < config.maxEpochs) {
    const epoch = state.epoch + 1;
    const t0 = Date.now();
    const bar: EpochProgress = makeProgress(options.progress, `epoch ${epoch}`, steps);
    const trainLoss = await runEpoch(model, optimizer, train, config, epoch, () => bar.tick());
    bar.stop();
    const cv = await evaluate(model.net, val);
    const record: EpochRecord = { epoch, trainLoss, cvLoss: cv.loss, cvAccuracy: cv.accuracy, lr: state.lr, seconds: (Date.now() - t0) / 1000 };
    state.history.push(record);
    state.epoch = epoch;
    epochsRun++;
    appendLog(formatEpochLine(record));
    options.onEpoch?.(record);

    const improved = cv.loss < state.bestCvLoss;
    if (improved) {
      state.bestCvLoss = cv.loss;
      state.bestEpoch = epoch;
    }
    // ReduceLROnPlateau (mode min, relative threshold), as in torch.optim.lr_scheduler.
    if (cv.loss < state.plateauBest * (1 - config.plateau.threshold)) {
      state.plateauBest = cv.loss;
      state.plateauBad = 0;
    } else if (++state.plateauBad > config.plateau.patience) {
      state.lr = Math.max(state.lr * config.plateau.factor, config.plateau.minLr);
      optimizer.learningRate = state.lr;
      state.plateauBad = 0;
    }
    stoppedEarly = epoch - state.bestEpoch >= config.earlyStop;
    state.done = stoppedEarly || epoch >= config.maxEpochs;

    if (runDir) {
      const snap = await snapshot(model, optimizer);
      if (improved) saveCheckpoint(bestFile!, { ...snap, optimizer: [], state });
      saveCheckpoint(lastFile!, { ...snap, state });
      writeFileAtomic(path.join(runDir, 'history.json'), JSON.stringify(state.history, null, 2));
    } else if (improved) {
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = model.net.getWeights().map((w) => w.clone());
    }
    if (stoppedEarly) {
      appendLog(`early stop: no cv-loss improvement for ${config.earlyStop} epochs; best epoch ${state.bestEpoch}`);
      break;
    }
  }
  if (bestFile && fs.existsSync(bestFile)) {
    restoreWeights(model.net, loadCheckpoint(bestFile).weights, bestFile);
  } else if (bestWeights) {
    model.net.setWeights(bestWeights);
  }
  bestWeights?.forEach((t) => t.dispose());
  bestWeights = null;
  optimizer.dispose();
  return { history: state.history, bestEpoch: state.bestEpoch, bestCvLoss: state.bestCvLoss, stoppedEarly, epochsRun, reused: false, seconds: (Date.now() - started) / 1000 };
}
