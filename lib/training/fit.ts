/**
 * `fit`: the one training loop of avlab. A task says what is trained and how it is scored; the
 * loop owns everything else:
 *
 * - Adam with PyTorch semantics (`makeAdam`: ε = 1e-8, L2 weight decay added to the gradients,
 *   the fused native step on wasm where the addon is built);
 * - the learning-rate schedule: ReduceLROnPlateau on the validation loss (PyTorch's semantics,
 *   mode min, relative threshold), or cosine decay, or constant;
 * - the selection rule (lowest validation loss, or the highest/lowest value of a named metric, ties
 *   going to the lower validation loss) and early stopping on it;
 * - with a run directory: atomic checkpoints after every epoch (`last.ckpt`, `best.ckpt`),
 *   `history.json` and `train.log` (lines formatted by the caller's `logLine`), resumption from
 *   `last.ckpt` and reuse of a finished run with the same fingerprint. The checkpoint is the one
 *   source of truth: it carries the log lines written so far, and `history.json` and `train.log`
 *   are rewritten from it (atomically) after every epoch and whenever the run directory is opened,
 *   so a run killed at any point and resumed ends with the same files as an uninterrupted run; a
 *   restart under another fingerprint starts both files (and best.ckpt) afresh, never appending;
 *   temporary files left by an interrupted atomic write are removed when the directory is opened;
 * - a per-batch progress bar in interactive terminals.
 *
 * Invariants (tested): every epoch reseeds the batch order and the dropout masks from the seed and
 * the epoch number, so a resumed run equals an uninterrupted one bit for bit; the training loss
 * stays a tensor until the epoch ends and is read back once; `tf.memory().numTensors` is unchanged
 * by an epoch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { SeededDropout } from '../nn/layers';
import { Rng, deriveSeed } from '../util/rng';
import { InputError } from '../util/errors';
import { writeFileAtomic } from '../io/files';
import type { TrainConfig } from './config';
import { loadCheckpoint, restoreWeights, saveCheckpoint, StoredTensor, storeTensors } from './checkpoint';
import { makeAdam, StepOptimizer } from './optimizer';
import { makeProgress } from './progress';

/** One epoch of any training run. `metrics` are the validation metrics the task reports. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  metrics: Record<string, number>;
  /** The learning rate used during the epoch. */
  lr: number;
  seconds: number;
}

/** A validation score: the loss and any named metrics (accuracy, recall@1, …). */
export interface Evaluation {
  loss: number;
  metrics: Record<string, number>;
}

/** One batch: its data (tensors, freed by `fit` after the step) and how many examples it holds. */
export interface Batch<B extends tf.TensorContainer> {
  data: B;
  size: number;
}

/**
 * Where training batches come from. `batches` is called once per epoch with a generator seeded by
 * the run's seed and the epoch number; it must draw every random choice (order, negatives, …) from
 * it, so an epoch is reproducible on its own. Batches are made lazily, one per step. `epoch` (1 for
 * the first) lets a source change with training, e.g. a curriculum of negatives; `trainEpoch`
 * always passes it.
 */
export interface BatchSource<B extends tf.TensorContainer> {
  /** Examples per epoch: the training loss is the size-weighted mean over batches. */
  readonly size: number;
  batches(rng: Rng, batchSize: number, epoch?: number): Iterable<Batch<B>>;
}

/** What is trained and how it is scored. */
export interface FitTask<B extends tf.TensorContainer, V> {
  /** The networks whose trainable weights are optimised and whose weights are checkpointed. */
  nets: tf.LayersModel[];
  /** Dropout layers reseeded every epoch. */
  dropouts?: SeededDropout[];
  /** The scalar loss of a batch (in training mode when `training`). */
  loss(batch: B, training: boolean): tf.Scalar;
  /** Loss and metrics on the validation data, in eval mode. */
  evaluate(val: V): Promise<Evaluation>;
}

/** How the epoch that is kept is chosen. */
export type Selection = 'valLoss' | { metric: string; mode?: 'max' | 'min' };

/** `TrainConfig` plus the schedule and the selection rule. */
export interface FitConfig extends TrainConfig {
  /** `plateau` (default): ReduceLROnPlateau on the val loss; `cosine`: η·½(1 + cos(π(e − 1)/E)); `constant`. */
  schedule?: 'plateau' | 'cosine' | 'constant';
  /** Default: lowest validation loss. Early stopping counts epochs without an improvement of it. */
  select?: Selection;
}

/** Options of `fit`. */
export interface FitOptions {
  /** Where train.log, checkpoints and history.json go; without it nothing is written. */
  runDir?: string;
  /** Identifies the run's task, config and data; a checkpoint with another fingerprint is not resumed. */
  fingerprint?: string;
  /** Receives each log line (default console.log). */
  log?: (line: string) => void;
  /** Formats an epoch's line of the log and of train.log (default `plainLogLine`). */
  logLine?: (record: EpochRecord) => string;
  /** Show a per-batch progress bar (default: only in an interactive terminal). */
  progress?: boolean;
  /** Called after each epoch is scored, before it is checkpointed. */
  onEpoch?: (record: EpochRecord) => void;
  /** Milliseconds now, for the epoch times (default `Date.now`; tests inject a fixed clock). */
  clock?: () => number;
}

/** The outcome of `fit`; the task's networks hold the selected epoch's weights afterwards. */
export interface FitResult {
  history: EpochRecord[];
  bestEpoch: number;
  /** Validation loss of the selected epoch. */
  bestValLoss: number;
  /** True when early stopping ended the run before maxEpochs. */
  stoppedEarly: boolean;
  /** Epochs trained in this call (0 when a finished run was reused). */
  epochsRun: number;
  /** True when a finished run with the same fingerprint was found in runDir and reused. */
  reused: boolean;
  seconds: number;
}

/** Loop state kept in checkpoints so an interrupted run resumes where it stopped. */
interface RunState {
  version: 2;
  fingerprint: string;
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  /** Selection score of the best epoch, oriented so that lower is better. */
  bestScore: number;
  bestValLoss: number;
  plateauBest: number;
  plateauBad: number;
  lr: number;
  done: boolean;
  /** The lines of train.log so far (absent in checkpoints written before they were kept). */
  log?: string[];
}

/** A temporary file of `writeFileAtomic` (`.<name>.<pid>.<random>.tmp`). */
const ATOMIC_TEMP = /^\..+\.\d+\.[a-z0-9]+\.tmp$/;

/** Removes temporary files an interrupted atomic write left in `dir`; returns their names. */
export function removeStrayTemps(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const stray = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && ATOMIC_TEMP.test(e.name));
  for (const e of stray) fs.rmSync(path.join(dir, e.name), { force: true });
  return stray.map((e) => e.name);
}

/** A plain log line: epoch, time, losses, every metric and the learning rate. */
export function plainLogLine(r: EpochRecord): string {
  const metrics = Object.entries(r.metrics).map(([k, v]) => ` | ${k} ${v.toFixed(4)}`).join('');
  return `| epoch ${r.epoch} | time ${r.seconds.toFixed(2)}s | train loss ${r.trainLoss.toFixed(4)} | val loss ${r.valLoss.toFixed(4)}${metrics} | lr ${r.lr.toExponential(1)} |`;
}

/** Batches of rows gathered by index from tensors whose first axis is the example, in a seeded order. */
export function rowBatches(tensors: tf.Tensor[]): BatchSource<tf.Tensor[]> {
  const size = tensors[0].shape[0];
  if (tensors.some((t) => t.shape[0] !== size)) throw new InputError('rowBatches', `tensors disagree on the number of rows: ${tensors.map((t) => t.shape[0]).join(', ')}`);
  return {
    size,
    *batches(rng: Rng, batchSize: number) {
      // Indices are uploaded from JS: slicing a tensor on the wasm backend reads it back first.
      const order = Int32Array.from(rng.permutation(size));
      for (let start = 0; start < size; start += batchSize) {
        const n = Math.min(batchSize, size - start);
        const idx = tf.tensor1d(order.subarray(start, start + n), 'int32');
        const data = tensors.map((t) => tf.gather(t, idx));
        idx.dispose();
        yield { data, size: n };
      }
    },
  };
}

/** The variables a task trains, in a fixed order (the native optimiser keys its moments by position). */
export function trainableVariables(nets: tf.LayersModel[]): tf.Variable[] {
  return nets.flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
}

/** One optimiser update of `vars` from the gradients of `loss`; returns the loss (the caller disposes it). */
export function trainStep(loss: () => tf.Scalar, vars: tf.Variable[], optimizer: StepOptimizer): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, vars);
  optimizer.step(vars, grads);
  tf.dispose(grads);
  return value;
}

/**
 * One pass over `source` in the epoch's seeded order (batch order and dropout masks are derived
 * from `seed` and `epoch`). Returns the mean training loss, read back once at the end.
 */
export async function trainEpoch<B extends tf.TensorContainer>(
  task: Pick<FitTask<B, unknown>, 'nets' | 'dropouts' | 'loss'>,
  optimizer: StepOptimizer,
  source: BatchSource<B>,
  config: Pick<TrainConfig, 'seed' | 'batchSize'>,
  epoch: number,
  onStep?: () => void,
): Promise<number> {
  const rng = new Rng(deriveSeed(config.seed, `epoch:${epoch}`));
  (task.dropouts ?? []).forEach((d, i) => d.reseed(deriveSeed(config.seed, `dropout:${epoch}:${i}`)));
  const vars = trainableVariables(task.nets);
  let lossSum = tf.scalar(0);
  // One weight tensor per batch size, not one per step: on a GPU each new constant is an upload.
  const weights = new Map<number, tf.Scalar>();
  for (const batch of source.batches(rng, config.batchSize, epoch)) {
    const value = trainStep(() => task.loss(batch.data, true), vars, optimizer);
    let weight = weights.get(batch.size);
    if (!weight) weights.set(batch.size, (weight = tf.scalar(batch.size)));
    const next = tf.tidy(() => tf.add(lossSum, tf.mul(value, weight!)) as tf.Scalar);
    tf.dispose([value, lossSum, batch.data]);
    lossSum = next;
    onStep?.();
  }
  const mean = (await lossSum.data())[0] / source.size;
  tf.dispose([lossSum, ...weights.values()]);
  return mean;
}

function checkConfig(c: FitConfig): void {
  const positive = (v: number, key: string, integer = false) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) throw new InputError('fit', `${key} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`, key);
  };
  positive(c.lr, 'lr');
  positive(c.batchSize, 'batchSize', true);
  positive(c.maxEpochs, 'maxEpochs', true);
  positive(c.earlyStop, 'earlyStop', true);
  if (!(c.weightDecay >= 0)) throw new InputError('fit', `weightDecay must be ≥ 0, got ${c.weightDecay}`, 'weightDecay');
}

/** Lower is better: the val loss, or a metric (negated when higher is better). */
function selectionScore(select: Selection, e: Evaluation): number {
  if (select === 'valLoss') return e.loss;
  const v = e.metrics[select.metric];
  if (v === undefined) throw new Error(`fit: selection metric "${select.metric}" is not among the task's metrics (${Object.keys(e.metrics).join(', ') || 'none'})`);
  return (select.mode ?? 'max') === 'max' ? -v : v;
}

function describeSelection(select: Selection): string {
  return select === 'valLoss' ? 'val loss' : select.metric;
}

function netWeights(nets: tf.LayersModel[]): { name: string; tensor: tf.Tensor }[] {
  return nets.flatMap((net, k) => net.weights.map((w) => ({ name: nets.length === 1 ? w.originalName : `${k}/${w.originalName}`, tensor: w.read() })));
}

function restoreNets(nets: tf.LayersModel[], stored: StoredTensor[], file: string): void {
  const total = nets.reduce((s, n) => s + n.weights.length, 0);
  if (stored.length !== total) throw new InputError(file, `holds ${stored.length} weight tensors but the task's networks have ${total}`);
  let off = 0;
  for (const net of nets) {
    restoreWeights(net, stored.slice(off, off + net.weights.length), file);
    off += net.weights.length;
  }
}

/**
 * Trains `task` on batches from `train`, scoring every epoch on `val` and keeping the epoch chosen
 * by `config.select` (see the module comment). With `options.runDir`, every epoch is checkpointed
 * atomically and a later call with the same fingerprint resumes (or reuses a finished run).
 */
export async function fit<B extends tf.TensorContainer, V>(task: FitTask<B, V>, train: BatchSource<B>, val: V, config: FitConfig, options: FitOptions = {}): Promise<FitResult> {
  checkConfig(config);
  if (train.size < 1) throw new InputError('fit', 'needs at least one training example');
  const log = options.log ?? ((line: string) => console.log(line));
  const logLine = options.logLine ?? plainLogLine;
  const select = config.select ?? 'valLoss';
  const schedule = config.schedule ?? 'plateau';
  const clock = options.clock ?? Date.now;
  const started = clock();
  const fingerprint = options.fingerprint ?? '';
  const runDir = options.runDir;
  const lastFile = runDir && path.join(runDir, 'last.ckpt');
  const bestFile = runDir && path.join(runDir, 'best.ckpt');
  const optimizer = makeAdam(config.lr, config.weightDecay);

  let state: RunState = { version: 2, fingerprint, epoch: 0, history: [], bestEpoch: 0, bestScore: Infinity, bestValLoss: Infinity, plateauBest: Infinity, plateauBad: 0, lr: config.lr, done: false };
  const result = (epochsRun: number, stoppedEarly: boolean, reused: boolean): FitResult => ({
    history: state.history,
    bestEpoch: state.bestEpoch,
    bestValLoss: state.bestValLoss,
    stoppedEarly,
    epochsRun,
    reused,
    seconds: (clock() - started) / 1000,
  });
  // train.log and history.json as the checkpointed state says they are.
  const writeRunFiles = () => {
    if (!runDir) return;
    const lines = state.log ?? state.history.map((r) => logLine(r));
    writeFileAtomic(path.join(runDir, 'history.json'), JSON.stringify(state.history, null, 2));
    writeFileAtomic(path.join(runDir, 'train.log'), lines.length > 0 ? lines.join('\n') + '\n' : '');
  };

  if (runDir) {
    const stray = removeStrayTemps(runDir);
    if (stray.length > 0) log(`removed ${stray.length} temporary file(s) left by an interrupted write in ${runDir}`);
  }
  let resumed = false;
  if (lastFile && fs.existsSync(lastFile)) {
    const ck = loadCheckpoint<RunState>(lastFile);
    if (ck.state.version === 2 && ck.state.fingerprint === fingerprint) {
      state = ck.state;
      resumed = true;
      if (state.done && bestFile && fs.existsSync(bestFile)) {
        restoreNets(task.nets, loadCheckpoint(bestFile).weights, bestFile);
        writeRunFiles();
        log(`reusing finished run in ${runDir} (best epoch ${state.bestEpoch}, val loss ${state.bestValLoss.toFixed(4)})`);
        optimizer.dispose();
        return result(0, state.epoch < config.maxEpochs, true);
      }
      restoreNets(task.nets, ck.weights, lastFile);
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
  if (runDir) {
    fs.mkdirSync(runDir, { recursive: true });
    // A fresh start (no checkpoint, or another configuration's) owns nothing of what is there.
    if (!resumed) fs.rmSync(bestFile!, { force: true });
    state.log ??= state.history.map((r) => logLine(r));
    writeRunFiles();
  }
  const appendLog = (line: string) => {
    log(line);
    (state.log ??= []).push(line);
  };

  // Without a runDir the best weights are kept in memory instead of best.ckpt.
  let bestWeights: tf.Tensor[] | null = null;
  const steps = Math.ceil(train.size / config.batchSize);
  let epochsRun = 0;
  let stoppedEarly = false;
  try {
    while (state.epoch < config.maxEpochs) {
      const epoch = state.epoch + 1;
      const t0 = clock();
      if (schedule === 'cosine') state.lr = config.lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / config.maxEpochs));
      else if (schedule === 'constant') state.lr = config.lr;
      optimizer.learningRate = state.lr;
      const bar = makeProgress(options.progress, `epoch ${epoch}`, steps);
      const trainLoss = await trainEpoch(task, optimizer, train, config, epoch, () => bar.tick());
      bar.stop();
      const v = await task.evaluate(val);
      const record: EpochRecord = { epoch, trainLoss, valLoss: v.loss, metrics: v.metrics, lr: state.lr, seconds: (clock() - t0) / 1000 };
      state.history.push(record);
      state.epoch = epoch;
      epochsRun++;
      appendLog(logLine(record));
      options.onEpoch?.(record);

      const score = selectionScore(select, v);
      const improved = score < state.bestScore || (score === state.bestScore && select !== 'valLoss' && v.loss < state.bestValLoss);
      if (improved) {
        state.bestScore = score;
        state.bestValLoss = v.loss;
        state.bestEpoch = epoch;
      }
      // ReduceLROnPlateau (mode min, relative threshold), as in torch.optim.lr_scheduler.
      if (schedule === 'plateau') {
        if (v.loss < state.plateauBest * (1 - config.plateau.threshold)) {
          state.plateauBest = v.loss;
          state.plateauBad = 0;
        } else if (++state.plateauBad > config.plateau.patience) {
          state.lr = Math.max(state.lr * config.plateau.factor, config.plateau.minLr);
          state.plateauBad = 0;
        }
      }
      stoppedEarly = epoch - state.bestEpoch >= config.earlyStop;
      state.done = stoppedEarly || epoch >= config.maxEpochs;
      // The early-stop line goes into the checkpointed log with its epoch.
      if (stoppedEarly) appendLog(`early stop: no ${describeSelection(select)} improvement for ${config.earlyStop} epochs; best epoch ${state.bestEpoch}`);

      if (runDir) {
        const weights = await storeTensors(netWeights(task.nets));
        if (improved) saveCheckpoint(bestFile!, { weights, optimizer: [], state });
        saveCheckpoint(lastFile!, { weights, optimizer: await storeTensors(await optimizer.getWeights()), state });
        writeRunFiles();
      } else if (improved) {
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = task.nets.flatMap((n) => n.getWeights().map((w) => w.clone()));
      }
      if (stoppedEarly) break;
    }
    if (bestFile && fs.existsSync(bestFile)) {
      restoreNets(task.nets, loadCheckpoint(bestFile).weights, bestFile);
    } else if (bestWeights) {
      let off = 0;
      for (const net of task.nets) {
        net.setWeights(bestWeights.slice(off, off + net.weights.length));
        off += net.weights.length;
      }
    }
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
  return result(epochsRun, stoppedEarly, false);
}
