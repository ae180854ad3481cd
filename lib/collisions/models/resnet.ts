/**
 * A small ResNet (He et al., 2016) for 4-channel spectrograms, channels last: input
 * `[N, F, T, C]` (frequency bins × frames × microphones). The source report fed 513 × 196 × 4 STFT
 * magnitudes to a torchvision-style ResNet; on two CPU cores that is far too slow, so spectrograms are
 * downsized (64 × 64 by default, see `resizeSpectrograms`) and the network is narrow:
 *
 *   stem   conv3×3 (stride `stemStride`) → BN → ReLU
 *   stage  BasicBlock × blocks[s], width widths[s], first block of stages after the first stride 2
 *   pool   global average pooling → features (widths[last])              (`pooling: 'global'`)
 *          or an average over frequency only, then flatten → (T'·widths[last]) (`pooling: 'frequency'`)
 *   head   Linear(classes): class logits (task 1) or an embedding (the audio encoder)
 *
 * Why two poolings: a class is the same wherever the impact falls in the window, so the classifier
 * averages over time too; the matching encoder must keep *when* the impact happened (that is what
 * ties a sound to its trajectory), so it averages over frequency only and keeps the time axis.
 *
 * BasicBlock: y = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)), the shortcut being the
 * identity or, when the shape changes, conv1×1 (stride 2) → BN, as in the paper's option B.
 * Every BN → ReLU is one layer (`LayerFactory.batchNormRelu`: on WebGPU the ReLU and its gradient
 * ride in batch norm's kernels); the block's last ReLU follows the residual sum, so it stays a layer.
 * Weights follow torchvision's ResNet initialisation (Kaiming normal, fan-out, ReLU gain), seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../nn/layers';
import { InputError } from '../../util/errors';

/** Shape and width of the audio ResNet. */
export interface ResNetOptions {
  /** Input height (frequency bins), width (frames) and channels (microphones). */
  inputShape: [number, number, number];
  /** Output classes of the classification head (0: no head, the features are the output). */
  classes: number;
  /** Channels per stage. */
  widths: number[];
  /** BasicBlocks per stage (same length as widths). */
  blocks: number[];
  /** Stride of the stem convolution (2 halves the input before the first stage). */
  stemStride: number;
  /** `global`: average over frequency and time; `frequency`: over frequency only (see the module comment). */
  pooling: 'global' | 'frequency';
  /**
   * Which axes the strided convolutions shrink: `both` (the usual ResNet) or `frequency` only, so the
   * time axis keeps the input's resolution (the audio encoder: an impact's time is the cue).
   */
  downsample: 'both' | 'frequency';
  seed: number;
}

/** Defaults: 64 × 64 × 4 input, three stages of one block (16, 32, 64 channels), ten classes. */
export const DEFAULT_RESNET_OPTIONS: ResNetOptions = {
  inputShape: [64, 64, 4],
  classes: 10,
  widths: [16, 32, 64],
  blocks: [1, 1, 1],
  stemStride: 2,
  pooling: 'global',
  downsample: 'both',
  seed: 1,
};

/** The trunk and heads of a built ResNet. */
export interface ResNet {
  /** Input `[N, F, T, C]` → class logits `[N, classes]` (or the features when classes is 0). */
  net: tf.LayersModel;
  /** Input → globally pooled features `[N, widths[last]]`, sharing the trunk's layers with `net`. */
  trunk: tf.LayersModel;
  /** Dimension of the pooled features. */
  featureDim: number;
  options: ResNetOptions;
}

function checkOptions(o: ResNetOptions): void {
  const bad = (problem: string) => new InputError('ResNetOptions', problem);
  if (o.inputShape.length !== 3 || o.inputShape.some((d) => !Number.isInteger(d) || d < 1)) throw bad(`inputShape must be three positive integers, got ${JSON.stringify(o.inputShape)}`);
  if (o.widths.length === 0 || o.widths.length !== o.blocks.length) throw bad(`widths (${o.widths.length}) and blocks (${o.blocks.length}) must be non-empty and of equal length`);
  if ([...o.widths, ...o.blocks].some((d) => !Number.isInteger(d) || d < 1)) throw bad('widths and blocks must be positive integers');
  if (!Number.isInteger(o.classes) || o.classes < 0) throw bad(`classes must be a non-negative integer, got ${o.classes}`);
  if (!Number.isInteger(o.stemStride) || o.stemStride < 1) throw bad(`stemStride must be a positive integer, got ${o.stemStride}`);
  if (o.pooling !== 'global' && o.pooling !== 'frequency') throw bad(`pooling must be 'global' or 'frequency', got ${String(o.pooling)}`);
  if (o.downsample !== 'both' && o.downsample !== 'frequency') throw bad(`downsample must be 'both' or 'frequency', got ${String(o.downsample)}`);
}

/** Seeded conv layers in torchvision's ResNet style (no bias: a BN follows every conv). */
class ConvFactory {
  private count = 0;
  constructor(readonly layers: LayerFactory, readonly prefix: string) {}

  /** A unique layer name with this network's prefix. */
  name(kind: string): string {
    return `${this.prefix}${kind}_${++this.count}`;
  }

  conv(filters: number, kernel: number, stride: number | [number, number]): tf.layers.Layer {
    return tf.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: 'same',
      useBias: false,
      // kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2 / (k² · filters)).
      kernelInitializer: tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: this.layers.nextSeed() }),
      name: this.name('conv'),
    });
  }
}

function basicBlock(x: tf.SymbolicTensor, inWidth: number, width: number, stride: [number, number], f: LayerFactory, c: ConvFactory): tf.SymbolicTensor {
  const main = f.chain(x, [c.conv(width, 3, stride), f.batchNormRelu(), c.conv(width, 3, 1), f.batchNorm()]);
  const strided = stride[0] !== 1 || stride[1] !== 1;
  const shortcut = strided || inWidth !== width ? f.chain(x, [c.conv(width, 1, stride), f.batchNorm()]) : x;
  const sum = tf.layers.add({ name: c.name('add') }).apply([main, shortcut]) as tf.SymbolicTensor;
  return f.relu().apply(sum) as tf.SymbolicTensor;
}

/**
 * Builds the audio ResNet. `prefix` makes layer names unique when several networks live in one
 * program (the matching model holds two ResNets: the classifier and the audio encoder).
 */
export function buildResNet(options: Partial<ResNetOptions> = {}, prefix = 'resnet_'): ResNet {
  const o: ResNetOptions = { ...DEFAULT_RESNET_OPTIONS, ...options };
  checkOptions(o);
  const f = new LayerFactory(o.seed, prefix);
  const c = new ConvFactory(f, prefix);
  const input = tf.input({ shape: o.inputShape, name: `${prefix}input` });
  const stride = (k: number): [number, number] => [k, o.downsample === 'both' ? k : 1];
  let h = f.chain(input, [c.conv(o.widths[0], 3, stride(o.stemStride)), f.batchNormRelu()]);
  let inWidth = o.widths[0];
  o.widths.forEach((width, s) => {
    for (let b = 0; b < o.blocks[s]; b++) {
      h = basicBlock(h, inWidth, width, stride(s > 0 && b === 0 ? 2 : 1), f, c);
      inWidth = width;
    }
  });
  const width = o.widths[o.widths.length - 1];
  let features: tf.SymbolicTensor;
  let featureDim: number;
  if (o.pooling === 'global') {
    features = tf.layers.globalAveragePooling2d({ name: `${prefix}gap` }).apply(h) as tf.SymbolicTensor;
    featureDim = width;
  } else {
    const [fOut, tOut] = [h.shape[1] as number, h.shape[2] as number];
    const pooled = tf.layers.averagePooling2d({ poolSize: [fOut, 1], strides: [fOut, 1], padding: 'valid', name: `${prefix}freqpool` }).apply(h) as tf.SymbolicTensor;
    features = tf.layers.flatten({ name: `${prefix}flatten` }).apply(pooled) as tf.SymbolicTensor;
    featureDim = tOut * width;
  }
  const trunk = tf.model({ inputs: input, outputs: features, name: `${prefix}trunk` });
  const logits = o.classes > 0 ? (f.linear(o.classes, featureDim, { name: `${prefix}fc` }).apply(features) as tf.SymbolicTensor) : features;
  const net = tf.model({ inputs: input, outputs: logits, name: `${prefix}net` });
  return { net, trunk, featureDim, options: o };
}
