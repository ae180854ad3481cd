/**
 * The instance networks of the two modalities, small for two CPU cores. Each ends in the
 * proposal-scoring heads: a classification stream and (two-stream models) a localisation stream,
 * both linear maps of the instance embedding to C class scores.
 *
 *   audio   segment [32 mel × 24 frames × 1] → conv3×3(16) → ReLU → maxpool 2 → conv3×3(16) → ReLU
 *           → maxpool 2 → average over time → [8 bands × 16] → Linear(64)
 *           → ReLU → heads   (a VGGish-like stack, 960 ms per instance; the band axis is kept,
 *           since which bands sound is what tells the classes apart)
 *   visual  frame [32 × 32 × 3] → conv3×3(8, stride 2) → ReLU → conv3×3(16) → ReLU → 16 × 16 map
 *           → RoI average pooling of each proposal (2 × 2 cells) → [R, 64] → Linear(64) → ReLU → heads
 *           (Fast R-CNN style: the convolutions run once per frame, shared by its proposals)
 *
 * Every initialiser is seeded (Linear: PyTorch's U(±1/√fan_in); conv: Kaiming uniform, as torch).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../nn/layers';
import { RoiAveragePool } from './layers';

/** One instance network. */
export interface InstanceNet {
  /** Inputs → `[n, …, C]` classification scores, then (two streams) localisation scores. */
  net: tf.LayersModel;
  streams: 1 | 2;
}

function conv(f: LayerFactory, prefix: string, index: number, filters: number, fanIn: number, stride = 1): tf.layers.Layer {
  const bound = 1 / Math.sqrt(fanIn * 9);
  return tf.layers.conv2d({
    filters,
    kernelSize: 3,
    strides: stride,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: tf.initializers.randomUniform({ minval: -Math.sqrt(6) * bound / Math.SQRT2, maxval: (Math.sqrt(6) * bound) / Math.SQRT2, seed: f.nextSeed() }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: f.nextSeed() }),
    name: `${prefix}conv_${index}`,
  });
}

function heads(f: LayerFactory, prefix: string, h: tf.SymbolicTensor, inDim: number, classes: number, streams: 1 | 2): tf.SymbolicTensor[] {
  const cls = f.linear(classes, inDim, { name: `${prefix}cls_stream` }).apply(h) as tf.SymbolicTensor;
  if (streams === 1) return [cls];
  return [cls, f.linear(classes, inDim, { name: `${prefix}loc_stream` }).apply(h) as tf.SymbolicTensor];
}

/** The audio instance network: `[n, mels, frames, 1]` → `[n, C]` (× streams). */
export function buildAudioNet(mels: number, frames: number, classes: number, streams: 1 | 2, seed: number, hidden = 64): InstanceNet {
  const p = 'audio_';
  const f = new LayerFactory(seed, p);
  const input = tf.input({ shape: [mels, frames, 1], name: `${p}segment` });
  let h = conv(f, p, 1, 16, 1).apply(input) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2, name: `${p}pool_1` }).apply(h) as tf.SymbolicTensor;
  h = conv(f, p, 2, 16, 16).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2, name: `${p}pool_2` }).apply(h) as tf.SymbolicTensor;
  // Average over time only: which mel bands are active is what tells the classes apart.
  const [bands, steps] = [h.shape[1] as number, h.shape[2] as number];
  h = tf.layers.averagePooling2d({ poolSize: [1, steps], strides: [1, steps], name: `${p}time_pool` }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: `${p}flatten` }).apply(h) as tf.SymbolicTensor;
  h = f.linear(hidden, bands * 16, { activation: 'relu', name: `${p}embedding` }).apply(h) as tf.SymbolicTensor;
  return { net: tf.model({ inputs: input, outputs: heads(f, p, h, hidden, classes, streams), name: `${p}net` }), streams };
}

/** The visual instance network: frames `[n, S, S, 3]` and pooling matrices `[n, R·4, (S/2)²]` → `[n, R, C]` (× streams). */
export function buildVisualNet(frameSize: number, proposals: number, classes: number, streams: 1 | 2, seed: number, hidden = 64): InstanceNet {
  const p = 'visual_';
  const f = new LayerFactory(seed, p);
  const map = frameSize / 2;
  const frame = tf.input({ shape: [frameSize, frameSize, 3], name: `${p}frame` });
  const pool = tf.input({ shape: [proposals * 4, map * map], name: `${p}roi_matrix` });
  let h = conv(f, p, 1, 8, 3, 2).apply(frame) as tf.SymbolicTensor;
  h = conv(f, p, 2, 16, 8).apply(h) as tf.SymbolicTensor;
  let r = new RoiAveragePool({ name: `${p}roi_pool` }).apply([h, pool]) as tf.SymbolicTensor;
  r = tf.layers.reshape({ targetShape: [proposals, 4 * 16], name: `${p}roi_cells` }).apply(r) as tf.SymbolicTensor;
  r = f.linear(hidden, 64, { activation: 'relu', name: `${p}embedding` }).apply(r) as tf.SymbolicTensor;
  return { net: tf.model({ inputs: [frame, pool], outputs: heads(f, p, r, hidden, classes, streams), name: `${p}net` }), streams };
}
