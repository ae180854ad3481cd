/**
 * Training loops of the matching experiment:
 *
 * - `trainClassifier`: cross-entropy with SGD + momentum + weight decay, as the source report
 *   trained its ResNet (`torch.optim.SGD(momentum, weight_decay)`): g ← ∇L + λθ, b ← μb + g,
 *   θ ← θ − η·b (tfjs's momentum optimiser is the same update as PyTorch's, dampening 0), or Adam
 *   with the same L2 term. Optional cosine decay of η. The epoch with the best validation accuracy
 *   (ties: lower validation loss) is kept.
 * - `trainEncoders`: the audio and trajectory encoders jointly, with the contrastive loss on balanced
 *   pairs (lib/collisions/matching/pairs): every epoch each training audio is an anchor once, paired with its own
 *   trajectory (Y = 1) and with one negative trajectory (Y = 0). Audio is encoded once per anchor and
 *   both partners share that embedding, so a pair costs one trajectory-MLP pass, not a ResNet pass.
 *   The epoch with the lowest validation loss (on a fixed, seeded set of validation pairs) is kept.
 *
 * Both read their data from tensors already on the backend and gather batches there; per-batch
 * numbers stay tensors until the epoch ends, so no step waits for a download. Tensor counts are
 * unchanged by an epoch (tested).
 */
import * as tf from '@tensorflow/tfjs';
import { contrastiveLoss, pairDistance, weightedContrastiveLoss } from '../../losses/contrastive';
import { crossEntropy } from '../../training/trainer';
import { Rng, deriveSeed } from '../../util/rng';
import { InputError } from '../../util/errors';
import { sampleNegatives } from './pairs';

/** Optimiser and schedule of `trainClassifier`. */
export interface ClassifierTrainConfig {
  optimizer: 'sgd' | 'adam';
  lr: number;
  /** SGD momentum μ (ignored by Adam). */
  momentum: number;
  /** L2 coefficient λ added to every gradient (PyTorch's weight_decay). */
  weightDecay: number;
  batchSize: number;
  epochs: number;
  /** `cosine`: η_e = η·½(1 + cos(π(e − 1)/E)) for epoch e of E; `constant`: η throughout. */
  schedule: 'constant' | 'cosine';
  seed: number;
}

/** The report's task-1 setting, scaled to the small ResNet: SGD 0.05, momentum 0.9, weight decay 5e-4. */
export const DEFAULT_CLASSIFIER_CONFIG: ClassifierTrainConfig = {
  optimizer: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  batchSize: 32,
  epochs: 15,
  schedule: 'cosine',
  seed: 0,
};

/** Inputs and integer labels on the backend. */
export interface LabelledTensors {
  x: tf.Tensor;
  labels: tf.Tensor1D;
  size: number;
}

/** One epoch of `trainClassifier`. */
export interface ClassifierEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  lr: number;
  seconds: number;
}

/** What `trainClassifier` returns; the network holds the best epoch's weights afterwards. */
export interface ClassifierTrainResult {
  history: ClassifierEpoch[];
  bestEpoch: number;
  seconds: number;
}

/** Options shared by the loops. */
export interface LoopOptions {
  /** Receives one line per epoch (default: none). */
  log?: (line: string) => void;
  /** Called after each epoch with the tensor count, for leak tests. */
  onEpochTensors?: (numTensors: number) => void;
}

function checkConfig(c: { lr: number; batchSize: number; epochs: number; weightDecay: number }, where: string): void {
  if (!(c.lr > 0)) throw new InputError(where, `lr must be positive, got ${c.lr}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new InputError(where, `batchSize must be a positive integer, got ${c.batchSize}`);
  if (!Number.isInteger(c.epochs) || c.epochs < 1) throw new InputError(where, `epochs must be a positive integer, got ${c.epochs}`);
  if (!(c.weightDecay >= 0)) throw new InputError(where, `weightDecay must be ≥ 0, got ${c.weightDecay}`);
}

function learningRate(c: { lr: number; schedule: 'constant' | 'cosine'; epochs: number }, epoch: number): number {
  return c.schedule === 'cosine' ? c.lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / c.epochs)) : c.lr;
}

function makeOptimizer(c: ClassifierTrainConfig): tf.Optimizer {
  return c.optimizer === 'adam' ? tf.train.adam(c.lr) : tf.train.momentum(c.lr, c.momentum);
}

function setLr(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

/** g ← g + λθ for every variable (PyTorch's weight_decay), inside the caller's tidy. */
function addWeightDecay(grads: tf.NamedTensorMap, vars: tf.Variable[], weightDecay: number): void {
  if (weightDecay <= 0) return;
  for (const v of vars) grads[v.name] = tf.add(grads[v.name], tf.mul(v, weightDecay));
}

function trainableVariables(nets: tf.LayersModel[]): tf.Variable[] {
  return nets.flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
}

/** Applies `net` in eval mode to `x` in batches and returns the outputs row-major. */
export async function predictRows(net: tf.LayersModel, x: tf.Tensor, batchSize = 128): Promise<Float32Array> {
  const n = x.shape[0];
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const out = tf.tidy(() => net.apply(tf.slice(x, start, size), { training: false }) as tf.Tensor);
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const rows = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    rows.set(p, off);
    off += p.length;
  }
  return rows;
}

/** Mean cross-entropy and accuracy in eval mode. */
export async function evaluateClassifier(net: tf.LayersModel, data: LabelledTensors, batchSize = 128): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const [l, c] = tf.tidy(() => {
      const logits = net.apply(tf.slice(data.x, start, n), { training: false }) as tf.Tensor2D;
      const y = tf.slice(data.labels, start, n);
      return [tf.mul(crossEntropy(logits, y), n), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))];
    });
    loss += (await l.data())[0];
    correct += (await c.data())[0];
    tf.dispose([l, c]);
  }
  return { loss: loss / data.size, accuracy: correct / data.size };
}

/**
 * Trains a classifier `net` (input → logits) on `train`, keeping the epoch with the best accuracy
 * on `val` (see the module comment).
 */
export async function trainClassifier(net: tf.LayersModel, train: LabelledTensors, val: LabelledTensors, config: ClassifierTrainConfig, options: LoopOptions = {}): Promise<ClassifierTrainResult> {
  checkConfig(config, 'trainClassifier');
  if (train.size < 1 || val.size < 1) throw new InputError('trainClassifier', 'needs at least one training and one validation example');
  const started = Date.now();
  const optimizer = makeOptimizer(config);
  const vars = trainableVariables([net]);
  const history: ClassifierEpoch[] = [];
  let best: { epoch: number; acc: number; loss: number; weights: tf.Tensor[] } | null = null;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = Date.now();
    const lr = learningRate(config, epoch);
    setLr(optimizer, lr);
    const rng = new Rng(deriveSeed(config.seed, `classifier-epoch:${epoch}`));
    const order = rng.permutation(train.size);
    let lossSum = tf.scalar(0);
    let correctSum = tf.scalar(0);
    for (let start = 0; start < train.size; start += config.batchSize) {
      const idx = order.slice(start, start + config.batchSize);
      const [nextLoss, nextCorrect] = tf.tidy(() => {
        const ix = tf.tensor1d(idx, 'int32');
        const x = tf.gather(train.x, ix);
        const y = tf.gather(train.labels, ix);
        // variableGrads disposes every tensor its function made but the loss: keep the correct count.
        let correct: tf.Tensor | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const logits = net.apply(x, { training: true }) as tf.Tensor2D;
          correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
          return crossEntropy(logits, y);
        }, vars);
        addWeightDecay(grads, vars, config.weightDecay);
        optimizer.applyGradients(grads);
        const out = [tf.add(lossSum, tf.mul(value, idx.length)), tf.add(correctSum, correct!)];
        correct!.dispose();
        return out;
      });
      tf.dispose([lossSum, correctSum]);
      lossSum = nextLoss as tf.Scalar;
      correctSum = nextCorrect as tf.Scalar;
    }
    const trainLoss = (await lossSum.data())[0] / train.size;
    const trainAccuracy = (await correctSum.data())[0] / train.size;
    tf.dispose([lossSum, correctSum]);
    const v = await evaluateClassifier(net, val);
    const record: ClassifierEpoch = { epoch, trainLoss, trainAccuracy, valLoss: v.loss, valAccuracy: v.accuracy, lr, seconds: (Date.now() - t0) / 1000 };
    history.push(record);
    options.log?.(`| epoch ${epoch} | time ${record.seconds.toFixed(2)}s | train loss ${trainLoss.toFixed(4)} | train accuracy ${trainAccuracy.toFixed(4)} | val loss ${v.loss.toFixed(4)} | val accuracy ${v.accuracy.toFixed(4)} | lr ${lr.toExponential(2)} |`);
    if (!best || v.accuracy > best.acc || (v.accuracy === best.acc && v.loss < best.loss)) {
      best?.weights.forEach((t) => t.dispose());
      best = { epoch, acc: v.accuracy, loss: v.loss, weights: net.getWeights().map((w) => w.clone()) };
    }
    options.onEpochTensors?.(tf.memory().numTensors - (best ? best.weights.length : 0));
  }
  net.setWeights(best!.weights);
  best!.weights.forEach((t) => t.dispose());
  optimizer.dispose();
  return { history, bestEpoch: best!.epoch, seconds: (Date.now() - started) / 1000 };
}

/** Loss and optimiser of `trainEncoders`. */
export interface EncoderTrainConfig {
  /** Margin m of the contrastive loss. */
  margin: number;
  /** `contrastive`: eq. (1); `weighted`: the λ form (with `lambda`, `squaredHinge`). */
  loss: 'contrastive' | 'weighted';
  lambda: number;
  squaredHinge: boolean;
  /** Adam learning rate (the report trained its matching networks with Adam). */
  lr: number;
  weightDecay: number;
  /** Anchors (audio samples) per batch; each brings one positive and one negative pair. */
  batchSize: number;
  epochs: number;
  /** Fraction of negatives drawn from the anchor's class (see pairs.ts). */
  sameClassNegatives: number;
  schedule: 'constant' | 'cosine';
  seed: number;
}

/**
 * Defaults: margin 1, eq. (1), Adam 2e-3 with weight decay 1e-3, 32 anchors per batch, same-class
 * negatives. Without the weight decay the encoders fit the training pairs (positive-pair accuracy
 * ~0.9) while validation pairs stayed near 0.3; with it, ~0.65 on the quick profile.
 */
export const DEFAULT_ENCODER_CONFIG: EncoderTrainConfig = {
  margin: 1,
  loss: 'contrastive',
  lambda: 0.5,
  squaredHinge: false,
  lr: 2e-3,
  weightDecay: 1e-3,
  batchSize: 32,
  epochs: 15,
  sameClassNegatives: 1,
  schedule: 'cosine',
  seed: 0,
};

/** Paired inputs for the encoders: row i of `audio` and row i of `trajectory` are one impact. */
export interface PairedTensors {
  audio: tf.Tensor;
  trajectory: tf.Tensor2D;
  /** Class of each sample (negatives are drawn by class). */
  objects: Int32Array;
  size: number;
}

/** One epoch of `trainEncoders`: losses and pair accuracies on training and validation pairs. */
export interface EncoderEpoch {
  epoch: number;
  trainLoss: number;
  /** Fraction of positive (matching) training pairs with D < m/2, and of negative ones with D ≥ m/2. */
  trainPosAccuracy: number;
  trainNegAccuracy: number;
  valLoss: number;
  valPosAccuracy: number;
  valNegAccuracy: number;
  /** Mean D over positive and over negative validation pairs. */
  valPosDistance: number;
  valNegDistance: number;
  lr: number;
  seconds: number;
}

/** What `trainEncoders` returns; the encoders hold the best epoch's weights afterwards. */
export interface EncoderTrainResult {
  history: EncoderEpoch[];
  bestEpoch: number;
  seconds: number;
}

function pairLoss(d: tf.Tensor1D, y: tf.Tensor1D, c: EncoderTrainConfig): tf.Scalar {
  return c.loss === 'weighted' ? weightedContrastiveLoss(d, y, c.margin, c.lambda, { squaredHinge: c.squaredHinge }) : contrastiveLoss(d, y, c.margin);
}

/** Distances and labels of the pairs (anchor, own trajectory) and (anchor, negative trajectory). */
function pairDistances(audioEnc: tf.LayersModel, trajEnc: tf.LayersModel, data: PairedTensors, anchors: number[], negatives: Int32Array, training: boolean): { d: tf.Tensor1D; y: tf.Tensor1D } {
  const ia = tf.tensor1d(anchors, 'int32');
  const iv = tf.concat([ia, tf.tensor1d(negatives, 'int32')]);
  const fa = audioEnc.apply(tf.gather(data.audio, ia), { training }) as tf.Tensor2D;
  const gv = trajEnc.apply(tf.gather(data.trajectory, iv), { training }) as tf.Tensor2D;
  const d = pairDistance(tf.concat([fa, fa]) as tf.Tensor2D, gv);
  const y = tf.concat([tf.ones([anchors.length]), tf.zeros([anchors.length])]) as tf.Tensor1D;
  return { d, y };
}

/** Sums of [loss·n, positives below m/2, negatives at or above m/2, positive D, negative D] as one tensor. */
function pairStats(d: tf.Tensor1D, y: tf.Tensor1D, loss: tf.Scalar, margin: number): tf.Tensor1D {
  const n = d.shape[0];
  const close = tf.cast(tf.less(d, margin / 2), 'float32');
  const pos = tf.sum(tf.mul(y, close));
  const neg = tf.sum(tf.mul(tf.sub(1, y), tf.sub(1, close)));
  return tf.stack([tf.mul(loss, n), pos, neg, tf.sum(tf.mul(y, d)), tf.sum(tf.mul(tf.sub(1, y), d))]) as tf.Tensor1D;
}

/** Loss and pair statistics of fixed pairs, in eval mode. */
async function evaluatePairs(audioEnc: tf.LayersModel, trajEnc: tf.LayersModel, data: PairedTensors, negatives: Int32Array, c: EncoderTrainConfig, batchSize = 128): Promise<{ loss: number; pos: number; neg: number; posD: number; negD: number }> {
  const sums = new Float64Array(5);
  for (let start = 0; start < data.size; start += batchSize) {
    const anchors = Array.from({ length: Math.min(batchSize, data.size - start) }, (_, k) => start + k);
    const s = tf.tidy(() => {
      const { d, y } = pairDistances(audioEnc, trajEnc, data, anchors, negatives.subarray(start, start + anchors.length), false);
      return pairStats(d, y, pairLoss(d, y, c), c.margin);
    });
    (await s.data()).forEach((v, k) => (sums[k] += v));
    s.dispose();
  }
  const n = data.size;
  return { loss: sums[0] / (2 * n), pos: sums[1] / n, neg: sums[2] / n, posD: sums[3] / n, negD: sums[4] / n };
}

/**
 * Trains the audio encoder f and the trajectory encoder g jointly with the contrastive loss (see
 * the module comment). Validation pairs are drawn once (seeded) and reused every epoch.
 */
export async function trainEncoders(audioEnc: tf.LayersModel, trajEnc: tf.LayersModel, train: PairedTensors, val: PairedTensors, config: EncoderTrainConfig, options: LoopOptions = {}): Promise<EncoderTrainResult> {
  checkConfig(config, 'trainEncoders');
  if (!(config.margin > 0)) throw new InputError('trainEncoders', `margin must be positive, got ${config.margin}`);
  if (train.size < 2 || val.size < 2) throw new InputError('trainEncoders', 'needs at least two training and two validation samples');
  const started = Date.now();
  const optimizer: tf.Optimizer = tf.train.adam(config.lr);
  const vars = trainableVariables([audioEnc, trajEnc]);
  const valNegatives = sampleNegatives(val.objects, Array.from({ length: val.size }, (_, i) => i), new Rng(deriveSeed(config.seed, 'val-pairs')), { sameClass: config.sameClassNegatives });
  const history: EncoderEpoch[] = [];
  let best: { epoch: number; loss: number; weights: tf.Tensor[][] } | null = null;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = Date.now();
    const lr = learningRate(config, epoch);
    setLr(optimizer, lr);
    const rng = new Rng(deriveSeed(config.seed, `encoder-epoch:${epoch}`));
    const order = rng.permutation(train.size);
    const negatives = sampleNegatives(train.objects, order, rng, { sameClass: config.sameClassNegatives });
    let sums = tf.zeros([5]);
    for (let start = 0; start < train.size; start += config.batchSize) {
      const anchors = order.slice(start, start + config.batchSize);
      const next = tf.tidy(() => {
        // variableGrads disposes every tensor its function made but the loss: keep the statistics.
        let stats: tf.Tensor | null = null;
        const { grads } = tf.variableGrads(() => {
          const { d, y } = pairDistances(audioEnc, trajEnc, train, anchors, negatives.subarray(start, start + anchors.length), true);
          const loss = pairLoss(d, y, config);
          stats = tf.keep(pairStats(d, y, loss, config.margin));
          return loss;
        }, vars);
        addWeightDecay(grads, vars, config.weightDecay);
        optimizer.applyGradients(grads);
        const out = tf.add(sums, stats!);
        stats!.dispose();
        return out;
      });
      sums.dispose();
      sums = next;
    }
    const s = await sums.data();
    sums.dispose();
    const n = train.size;
    const v = await evaluatePairs(audioEnc, trajEnc, val, valNegatives, config);
    const record: EncoderEpoch = {
      epoch,
      trainLoss: s[0] / (2 * n),
      trainPosAccuracy: s[1] / n,
      trainNegAccuracy: s[2] / n,
      valLoss: v.loss,
      valPosAccuracy: v.pos,
      valNegAccuracy: v.neg,
      valPosDistance: v.posD,
      valNegDistance: v.negD,
      lr,
      seconds: (Date.now() - t0) / 1000,
    };
    history.push(record);
    options.log?.(
      `| epoch ${epoch} | time ${record.seconds.toFixed(2)}s | train loss ${record.trainLoss.toFixed(4)} | pair accuracy +${record.trainPosAccuracy.toFixed(3)} −${record.trainNegAccuracy.toFixed(3)} | val loss ${v.loss.toFixed(4)} | val pair accuracy +${v.pos.toFixed(3)} −${v.neg.toFixed(3)} | val D +${v.posD.toFixed(3)} −${v.negD.toFixed(3)} |`,
    );
    if (!best || v.loss < best.loss) {
      best?.weights.flat().forEach((t) => t.dispose());
      best = { epoch, loss: v.loss, weights: [audioEnc, trajEnc].map((net) => net.getWeights().map((w) => w.clone())) };
    }
    options.onEpochTensors?.(tf.memory().numTensors - best.weights.flat().length);
  }
  audioEnc.setWeights(best!.weights[0]);
  trajEnc.setWeights(best!.weights[1]);
  best!.weights.flat().forEach((t) => t.dispose());
  optimizer.dispose();
  return { history, bestEpoch: best!.epoch, seconds: (Date.now() - started) / 1000 };
}
