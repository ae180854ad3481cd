/**
 * Scene-classification models on clip-level features, in the course's PyTorch style.
 *
 * Naming differs between the two reports we reproduce: report A calls "early fusion" what the
 * course baseline and report B call "intermediate fusion" (per-modality embeddings, concatenated,
 * then a shared head). Here the names follow the taxonomy of Baltrušaitis et al.:
 *   early         concatenate the raw features [x_a; x_v], then one MLP
 *   intermediate  h = [f_a(x_a); f_v(x_v)], then a head g(h)   (the course baseline)
 *   late-average  p = ½ (softmax(g_a(f_a(x_a))) + softmax(g_v(f_v(x_v))))
 *   late-linear   z = W [z_a; z_v] + b over the two classifiers' logits   (report B's late fusion)
 *   hybrid        log Σ_k w_k softmax(z_k) over a fused, an audio and a video head  (report A §3.5; fusion.ts)
 *   weighted-late z = z_a + w·z_v and variants, w learned                   (report B §3.3; fusion.ts)
 *   attention     LSTM encoders, additive attention, LSTM decoder on frames (report A §3.6; attention.ts)
 *   attention2    the same with Child-Sum state merging and three attentions (report A §3.7; attention.ts)
 * The two attention models read frame sequences `[batch, T, dim]`; the others read clip-level
 * features `[batch, dim]` (see `modelView`).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory, SeededDropout } from '../../nn/layers';
import { FusionModelOptions, hybridOutput, weightedLateOutput } from './fusion';
import { attention2Output, attentionOutput, SequenceModelOptions } from './attention';

export type Modality = 'audio' | 'video';

/** The model families of the scene experiments. */
export const SCENE_MODEL_KINDS = ['audio-only', 'video-only', 'early', 'intermediate', 'late-average', 'late-linear', 'hybrid', 'weighted-late', 'attention', 'attention2'] as const;
export type SceneModelKind = (typeof SCENE_MODEL_KINDS)[number];

/** The kinds that read frame sequences `[batch, T, dim]` rather than clip-level features. */
export const SEQUENCE_MODEL_KINDS: readonly SceneModelKind[] = ['attention', 'attention2'];

/** The data view a model kind is fed: `clip` (frames averaged, `[batch, dim]`) or `sequence` (`[batch, T, dim]`). */
export function modelView(kind: SceneModelKind): 'clip' | 'sequence' {
  return SEQUENCE_MODEL_KINDS.includes(kind) ? 'sequence' : 'clip';
}

/** A network plus what it needs to be fed and trained reproducibly. */
export interface SceneModel {
  kind: SceneModelKind;
  /** Modalities fed to `net`, in input order; each input is `[batch, dim]` (`[batch, T, dim]` for the sequence kinds). */
  inputs: Modality[];
  /** Maps the inputs to class logits (log-probabilities for `late-average` and `hybrid`). */
  net: tf.LayersModel;
  /** The seeded dropout layers (reseeded per epoch by the trainer). */
  dropouts: SeededDropout[];
}

/**
 * Hyper-parameters of the scene models (the course's values by default). The fusion and sequence
 * options only affect the kinds that use them.
 */
export interface SceneModelOptions extends FusionModelOptions, SequenceModelOptions {
  dim: number;
  classes: number;
  seed: number;
  hidden: number;
  embed: number;
  dropout: number;
}

/** log(½(softmax(a) + softmax(b))): averaging probabilities while keeping a logit-like output. */
class LogMeanSoftmax extends tf.layers.Layer {
  static readonly className = 'LogMeanSoftmax';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      // log ½(eᵃ/Σeᵃ + eᵇ/Σeᵇ) computed from log-softmaxes for stability.
      const la = tf.logSoftmax(a);
      const lb = tf.logSoftmax(b);
      return tf.sub(tf.logSumExp(tf.stack([la, lb], 0), 0), Math.log(2));
    });
  }
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return (shape as tf.Shape[])[0];
  }
}
tf.serialization.registerClass(LogMeanSoftmax);

/** Builds one of the scene models with PyTorch-style seeded initialisation. */
export function buildSceneModel(kind: SceneModelKind, options: Partial<SceneModelOptions> & { dim: number; classes: number }): SceneModel {
  const o: SceneModelOptions = { seed: 0, hidden: 512, embed: 128, dropout: 0.2, ...options };
  const f = new LayerFactory(o.seed, `${kind}/`);
  // Sequence inputs leave T open, so one model takes clips of any length.
  const input = (m: Modality) => tf.input({ shape: modelView(kind) === 'sequence' ? [null, o.dim] : [o.dim], name: `${kind}/${m}` });
  const unimodal = (x: tf.SymbolicTensor) => f.head(f.embedding(x, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);

  let inputs: Modality[];
  let ins: tf.SymbolicTensor[];
  let out: tf.SymbolicTensor;
  switch (kind) {
    case 'audio-only':
    case 'video-only': {
      inputs = [kind === 'audio-only' ? 'audio' : 'video'];
      ins = [input(inputs[0])];
      out = unimodal(ins[0]);
      break;
    }
    case 'early': {
      inputs = ['audio', 'video'];
      ins = inputs.map(input);
      const x = tf.layers.concatenate({ name: `${kind}/concat` }).apply(ins) as tf.SymbolicTensor;
      out = f.head(f.embedding(x, 2 * o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);
      break;
    }
    case 'intermediate': {
      inputs = ['audio', 'video'];
      ins = inputs.map(input);
      const ha = f.embedding(ins[0], o.dim, o.hidden, o.embed, o.dropout);
      const hv = f.embedding(ins[1], o.dim, o.hidden, o.embed, o.dropout);
      const h = tf.layers.concatenate({ name: `${kind}/concat` }).apply([ha, hv]) as tf.SymbolicTensor;
      out = f.head(h, 2 * o.embed, o.classes);
      break;
    }
    case 'late-average':
    case 'late-linear': {
      inputs = ['audio', 'video'];
      ins = inputs.map(input);
      const za = unimodal(ins[0]);
      const zv = unimodal(ins[1]);
      if (kind === 'late-average') {
        out = new LogMeanSoftmax({ name: `${kind}/average` }).apply([za, zv]) as tf.SymbolicTensor;
      } else {
        const z = tf.layers.concatenate({ name: `${kind}/concat` }).apply([za, zv]) as tf.SymbolicTensor;
        out = f.linear(o.classes, 2 * o.classes).apply(z) as tf.SymbolicTensor;
      }
      break;
    }
    case 'hybrid':
    case 'weighted-late':
    case 'attention':
    case 'attention2': {
      inputs = ['audio', 'video'];
      ins = inputs.map(input);
      const build = { hybrid: hybridOutput, 'weighted-late': weightedLateOutput, attention: attentionOutput, attention2: attention2Output }[kind];
      out = build(f, ins[0], ins[1], o, kind);
      break;
    }
    default:
      throw new Error(`unknown scene model kind "${kind as string}"; expected one of ${SCENE_MODEL_KINDS.join(', ')}`);
  }
  const net = tf.model({ inputs: ins, outputs: out, name: kind });
  return { kind, inputs, net, dropouts: f.dropouts };
}

/** Number of trainable parameters. */
export function countParams(model: SceneModel): number {
  return model.net.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
