/**
 * Layer builders shared by every model, made to match PyTorch's defaults (the course code is
 * PyTorch) and to be reproducible: every random initialiser and dropout mask draws from a seed.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { LstmLayer } from './lstm';
import { BatchNorm } from './batchNorm';
import { counterDropout } from './dropout';

/**
 * Dropout whose masks come from a seeded stream. tfjs's own Dropout either draws from Math.random
 * (not reproducible) or, given a seed, reuses one mask for every step. Each call draws a seed and
 * applies the counter-based mask of lib/nn/dropout.ts, the same bits on every backend.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  private rng: Rng;

  constructor(readonly rate: number, seed: number, name?: string) {
    super({ name });
    this.rng = new Rng(seed);
  }

  /** Restarts the mask stream, e.g. at the start of an epoch so a resumed run repeats its masks. */
  reseed(seed: number): void {
    this.rng = new Rng(seed);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    return counterDropout(x, this.rate, this.rng.int(2 ** 31));
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }
}

/** Everything a model builder needs to create reproducible layers. */
export class LayerFactory {
  private rng: Rng;
  private count = 0;
  /** Every dropout layer made, so the trainer can reseed them per epoch. */
  readonly dropouts: SeededDropout[] = [];

  constructor(seed: number, readonly prefix = '') {
    this.rng = new Rng(seed);
  }

  private seed(): number {
    return this.rng.int(2 ** 31);
  }

  private name(kind: string): string {
    return `${this.prefix}${kind}_${++this.count}`;
  }

  /** A seed drawn from this factory's stream, for custom layers that make their own initialisers. */
  nextSeed(): number {
    return this.seed();
  }

  /** nn.Linear: weights and bias ~ U(-1/√fan_in, 1/√fan_in), PyTorch's default. */
  linear(units: number, fanIn: number, opts: { activation?: 'relu' | 'linear'; name?: string } = {}): tf.layers.Layer {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.layers.dense({
      units,
      activation: opts.activation ?? 'linear',
      kernelInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed() }),
      biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed() }),
      name: opts.name ?? this.name('linear'),
    });
  }

  /**
   * nn.LSTM (one layer, batch first): input kernel, recurrent kernel and bias ~ U(-1/√units, 1/√units),
   * PyTorch's default. PyTorch adds two such biases (b_ih + b_hh); tfjs keeps one, drawn from the same
   * U. The forget-gate bias is not forced to 1 (tfjs's default) because PyTorch does not do it. The
   * layer is avlab's `LstmLayer` (tfjs's LSTM math, one native kernel on wasm).
   */
  lstm(units: number, opts: { returnSequences?: boolean; returnState?: boolean; name?: string } = {}): tf.layers.Layer {
    const bound = 1 / Math.sqrt(units);
    const init = () => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed() });
    return new LstmLayer({
      units,
      returnSequences: opts.returnSequences ?? false,
      returnState: opts.returnState ?? false,
      kernelInitializer: init(),
      recurrentInitializer: init(),
      biasInitializer: init(),
      name: opts.name ?? this.name('lstm'),
    });
  }

  /**
   * nn.BatchNorm1d: eps 1e-5 and running-average momentum 0.1 (tfjs counts momentum the other way).
   * tfjs's layer, with its training step on fused kernels on wasm and WebGPU (`BatchNorm`).
   */
  batchNorm(): tf.layers.Layer {
    return new BatchNorm({ epsilon: 1e-5, momentum: 0.9, name: this.name('batchnorm') });
  }

  /**
   * nn.BatchNorm1d then nn.ReLU as one layer (`BatchNorm` with `activation: 'relu'`): on WebGPU the
   * ReLU and its gradient ride in batch norm's kernels, three dispatches fewer per step. Same
   * weights as `batchNorm()`; the ReLU's layer number is still taken, so that every later layer
   * (and weight) keeps the name it had when the two were separate layers.
   */
  batchNormRelu(): tf.layers.Layer {
    const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.9, activation: 'relu', name: this.name('batchnorm') });
    this.name('relu');
    return layer;
  }

  /** nn.ReLU. */
  relu(): tf.layers.Layer {
    return tf.layers.activation({ activation: 'relu', name: this.name('relu') });
  }

  /** nn.Dropout with a seeded mask stream. */
  dropout(rate: number): SeededDropout {
    const d = new SeededDropout(rate, this.seed(), this.name('dropout'));
    this.dropouts.push(d);
    return d;
  }

  /** Applies layers in order to a symbolic tensor. */
  chain(x: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
    return layers.reduce((h, l) => l.apply(h) as tf.SymbolicTensor, x);
  }

  /**
   * The course's embedding block: Linear(in, hidden) → BatchNorm → ReLU → Dropout(p) → Linear(hidden, out),
   * batch norm and ReLU as one layer (`batchNormRelu`).
   */
  embedding(x: tf.SymbolicTensor, inDim: number, hidden = 512, out = 128, dropout = 0.2): tf.SymbolicTensor {
    return this.chain(x, [this.linear(hidden, inDim), this.batchNormRelu(), this.dropout(dropout), this.linear(out, hidden)]);
  }

  /** The course's output head: Linear(in, 128) → Linear(128, classes), returning logits. */
  head(x: tf.SymbolicTensor, inDim: number, classes: number, hidden = 128): tf.SymbolicTensor {
    return this.chain(x, [this.linear(hidden, inDim), this.linear(classes, hidden)]);
  }
}
