/**
 * The AVTS encoders (Korbar, Tran & Torresani, 2018, Fig. 2), scaled down for two CPU cores:
 *
 *   video f_v   [F, H, W, C] frames → mixed convolutions ("MC": 3-D convolutions in the first
 *               `blocks3d` blocks, 2-D convolutions applied to every frame after; each block
 *               conv → BN → ReLU, stride 2 in space, the second 3-D block also stride 2 in time)
 *               → global average pooling over time and space → features → Linear → ℝᵈ
 *   audio f_a   [T_a, bands, mics] log spectrogram → 2-D convolutions (conv3×3 → BN → ReLU, stride 2)
 *               → global average pooling → features → Linear → ℝᵈ
 *   sync head   [f_a(a), f_v(v)] → Linear → ReLU → Linear → 2 logits (the cross-entropy variant)
 *
 * The 3-D convolutions are `Conv3dFrames` (lib/nn/conv3d): tfjs's own conv3d trains on wasm only
 * through slow generic loops, while this layer runs on the 2-D convolution kernels. A 2-D block is
 * the same layer with a temporal kernel of 1. Each BN → ReLU is one `BatchNorm` layer with
 * `activation: 'relu'` (on WebGPU the ReLU costs no dispatch of its own). Every weight is seeded;
 * `trunk` models share the layers of `net` and output the pooled features (the downstream task's
 * frozen features).
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from '../../nn/batchNorm';
import { Conv3dFrames } from '../../nn/conv3d';
import { LayerFactory } from '../../nn/layers';
import { Rng } from '../../util/rng';
import { InputError } from '../../util/errors';

/** Sizes of both encoders. */
export interface AvtsModelOptions {
  /** Video input [frames, height, width, channels]. */
  videoShape: [number, number, number, number];
  /** Audio input [spectrogram frames, bands, microphones]. */
  audioShape: [number, number, number];
  /** Channels of the video blocks; the first `blocks3d` are 3-D. */
  videoWidths: number[];
  blocks3d: number;
  /** Channels of the audio blocks. */
  audioWidths: number[];
  /** Embedding dimension d. */
  embedDim: number;
  /** Hidden units of the sync head (cross-entropy variant). */
  headHidden: number;
  seed: number;
}

export const DEFAULT_AVTS_MODEL: Omit<AvtsModelOptions, 'videoShape' | 'audioShape' | 'seed'> = {
  videoWidths: [8, 16, 32],
  blocks3d: 2,
  audioWidths: [16, 32, 32],
  embedDim: 32,
  headHidden: 32,
};

/** An encoder: input → embedding, and input → pooled features sharing its layers. */
export interface Encoder {
  net: tf.LayersModel;
  trunk: tf.LayersModel;
  featureDim: number;
}

/** The networks of one AVTS model. */
export interface AvtsModel {
  video: Encoder;
  audio: Encoder;
  /** [f_a, f_v] (2d) → 2 logits; trained only by the cross-entropy variant. */
  head: tf.LayersModel;
  options: AvtsModelOptions;
}

function check(o: AvtsModelOptions): void {
  const bad = (p: string) => new InputError('AvtsModelOptions', p);
  const pos = (v: number) => Number.isInteger(v) && v >= 1;
  if (o.videoShape.length !== 4 || !o.videoShape.every(pos)) throw bad(`videoShape must be 4 positive integers, got ${JSON.stringify(o.videoShape)}`);
  if (o.audioShape.length !== 3 || !o.audioShape.every(pos)) throw bad(`audioShape must be 3 positive integers, got ${JSON.stringify(o.audioShape)}`);
  if (!o.videoWidths.length || !o.videoWidths.every(pos) || !o.audioWidths.length || !o.audioWidths.every(pos)) throw bad('widths must be non-empty lists of positive integers');
  if (!Number.isInteger(o.blocks3d) || o.blocks3d < 0 || o.blocks3d > o.videoWidths.length) throw bad(`blocks3d must lie in [0, ${o.videoWidths.length}], got ${o.blocks3d}`);
  if (!pos(o.embedDim) || !pos(o.headHidden)) throw bad('embedDim and headHidden must be positive integers');
}

/** nn.Conv2d's default init, U(−1/√fan_in, 1/√fan_in), seeded. */
function conv2d(filters: number, fanIn: number, strides: number, seed: number, name: string): tf.layers.Layer {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed }), name });
}

/**
 * nn.BatchNorm then nn.ReLU as one layer (eps 1e-5, PyTorch's momentum 0.1): on WebGPU the ReLU and
 * its gradient ride in batch norm's kernels.
 */
function bnRelu(name: string): tf.layers.Layer {
  return new BatchNorm({ epsilon: 1e-5, momentum: 0.9, activation: 'relu', name });
}

/** The MC video encoder (see the module comment). */
export function buildVideoEncoder(o: AvtsModelOptions): Encoder {
  check(o);
  const rng = new Rng(o.seed);
  const input = tf.input({ shape: o.videoShape, name: 'video_input' });
  let h: tf.SymbolicTensor = input;
  o.videoWidths.forEach((w, i) => {
    const is3d = i < o.blocks3d;
    const conv = new Conv3dFrames({
      filters: w,
      kernelSize: is3d ? [3, 3, 3] : [1, 3, 3],
      strides: [is3d && i === 1 ? 2 : 1, 2, 2],
      useBias: false,
      seed: rng.int(2 ** 31),
      name: `video_${is3d ? 'conv3d' : 'conv2d'}_${i + 1}`,
    });
    h = conv.apply(h) as tf.SymbolicTensor;
    // tfjs's batch norm handles rank ≤ 4: fold time into height (statistics are per channel anyway).
    const [, t, hh, ww, cc] = h.shape as number[];
    h = tf.layers.reshape({ targetShape: [t * hh, ww, cc], name: `video_fold_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    // The ReLU is elementwise: applying it before unfolding changes nothing but saves dispatches.
    h = bnRelu(`video_bn_${i + 1}`).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reshape({ targetShape: [t, hh, ww, cc], name: `video_unfold_${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  const c = o.videoWidths[o.videoWidths.length - 1];
  const flat = tf.layers.reshape({ targetShape: [-1, c], name: 'video_flatten_thw' }).apply(h) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d({ name: 'video_pool' }).apply(flat) as tf.SymbolicTensor;
  const embed = new LayerFactory(rng.int(2 ** 31), 'video_').linear(o.embedDim, c, { name: 'video_embedding' }).apply(pooled) as tf.SymbolicTensor;
  return { net: tf.model({ inputs: input, outputs: embed, name: 'video_encoder' }), trunk: tf.model({ inputs: input, outputs: pooled, name: 'video_trunk' }), featureDim: c };
}

/** The audio encoder (see the module comment). */
export function buildAudioEncoder(o: AvtsModelOptions): Encoder {
  check(o);
  const rng = new Rng(o.seed + 1);
  const input = tf.input({ shape: o.audioShape, name: 'audio_input' });
  let h: tf.SymbolicTensor = input;
  let cin = o.audioShape[2];
  o.audioWidths.forEach((w, i) => {
    h = conv2d(w, 9 * cin, 2, rng.int(2 ** 31), `audio_conv2d_${i + 1}`).apply(h) as tf.SymbolicTensor;
    h = bnRelu(`audio_bn_${i + 1}`).apply(h) as tf.SymbolicTensor;
    cin = w;
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'audio_pool' }).apply(h) as tf.SymbolicTensor;
  const embed = new LayerFactory(rng.int(2 ** 31), 'audio_').linear(o.embedDim, cin, { name: 'audio_embedding' }).apply(pooled) as tf.SymbolicTensor;
  return { net: tf.model({ inputs: input, outputs: embed, name: 'audio_encoder' }), trunk: tf.model({ inputs: input, outputs: pooled, name: 'audio_trunk' }), featureDim: cin };
}

/** The sync head of the cross-entropy variant: [f_a, f_v] → Linear → ReLU → Linear → 2 logits. */
export function buildSyncHead(o: AvtsModelOptions): tf.LayersModel {
  const f = new LayerFactory(o.seed + 2, 'sync_');
  const input = tf.input({ shape: [2 * o.embedDim], name: 'sync_input' });
  const out = f.chain(input, [f.linear(o.headHidden, 2 * o.embedDim), f.relu(), f.linear(2, o.headHidden)]);
  return tf.model({ inputs: input, outputs: out, name: 'sync_head' });
}

/** Both encoders and the sync head. */
export function buildAvtsModel(o: AvtsModelOptions): AvtsModel {
  return { video: buildVideoEncoder(o), audio: buildAudioEncoder(o), head: buildSyncHead(o), options: o };
}

/** Frees every network of the model. */
export function disposeAvtsModel(m: AvtsModel): void {
  m.video.net.dispose();
  m.audio.net.dispose();
  m.head.dispose();
}

/** A linear classifier on features: Linear(classes), seeded (the downstream probe). */
export function buildLinearHead(inDim: number, classes: number, seed: number, prefix = 'probe_'): tf.LayersModel {
  const f = new LayerFactory(seed, prefix);
  const input = tf.input({ shape: [inDim], name: `${prefix}input` });
  return tf.model({ inputs: input, outputs: f.linear(classes, inDim).apply(input) as tf.SymbolicTensor, name: `${prefix}net` });
}

/** An encoder's trunk followed by a fresh linear classifier, trained end to end (the scratch baseline). */
export function buildEncoderClassifier(enc: Encoder, classes: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: enc.trunk.inputs[0].shape.slice(1) as number[] });
  const feats = enc.trunk.apply(input) as tf.SymbolicTensor;
  const logits = new LayerFactory(seed, 'scratch_').linear(classes, enc.featureDim).apply(feats) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'scratch_classifier' });
}
