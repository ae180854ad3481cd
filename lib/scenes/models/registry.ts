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
 *
 * Every model is ONE entry of the registry below (`registerSceneModel`): its name, how to build it,
 * its default options, how to read its learned fusion weights, and the published numbers it is
 * compared with. Entries that share a `kind` share a builder and differ only in default options
 * (e.g. `weighted-late-class` is `weighted-late` with `lateWeighting: 'class'`).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory, SeededDropout } from '../../nn/layers';
import { FusionModelOptions, HybridFusion, hybridOutput, LATE_WEIGHTINGS, normaliseHybridWeights, WeightedLateFusion, weightedLateOutput } from './fusion';
import { registerModelOptions } from '../../training/config';
import { attention2Output, attentionOutput, SequenceModelOptions } from './attention';

export type Modality = 'audio' | 'video';

/** The built-in model families (builders) of the scene experiments. */
export const SCENE_MODEL_KINDS = ['audio-only', 'video-only', 'early', 'intermediate', 'late-average', 'late-linear', 'hybrid', 'weighted-late', 'attention', 'attention2'] as const;
export type SceneModelKind = (typeof SCENE_MODEL_KINDS)[number];

/** The kinds that read frame sequences `[batch, T, dim]` rather than clip-level features. */
export const SEQUENCE_MODEL_KINDS: readonly SceneModelKind[] = ['attention', 'attention2'];

/**
 * Bumped whenever a change to the model code changes what a trained run would contain; part of every
 * run's specification, so runs of older code are never reused. An entry can bump its own `version`.
 */
export const SCENE_MODEL_CODE_VERSION = 1;

/** A network plus what it needs to be fed and trained reproducibly. */
export interface SceneModel {
  /** The builder (layer-name prefix); equals `name` except for entries that vary another entry's options. */
  kind: string;
  /** The registry entry it was built from. */
  name: string;
  /** Modalities fed to `net`, in input order; each input is `[batch, dim]` (`[batch, T, dim]` for the sequence kinds). */
  inputs: Modality[];
  /** Maps the inputs to class logits (log-probabilities for `late-average` and `hybrid`). */
  net: tf.LayersModel;
  /** The seeded dropout layers (reseeded per epoch by the trainer). */
  dropouts: SeededDropout[];
}

/** Hyper-parameters shared by the clip-level models (the course's values by default). */
export interface SceneModelOptions extends FusionModelOptions, SequenceModelOptions {
  dim: number;
  classes: number;
  seed: number;
  hidden: number;
  embed: number;
  dropout: number;
}

/** Model options a variant may set: everything but what the data (dim, classes) and the training config (seed) decide. */
export type SceneVariantOptions = Partial<Omit<SceneModelOptions, 'dim' | 'classes' | 'seed'>>;

/** The default of every option: a variant that spells one out is the same variant. */
export const SCENE_MODEL_DEFAULTS: Required<Omit<SceneVariantOptions, 'attentionUnits'>> & SceneVariantOptions = {
  hidden: 512,
  embed: 128,
  dropout: 0.2,
  hybridWeights: [1 / 3, 1 / 3, 1 / 3],
  learnHybridWeights: false,
  lateWeighting: 'scalar',
  lstmUnits: 128,
  projection: 128,
};

// What a config's `model:` section may set (loadExperimentConfig checks it against this).
registerModelOptions('scenes', {
  hidden: { type: 'number', integer: true, gt: 0 },
  embed: { type: 'number', integer: true, gt: 0 },
  dropout: { type: 'number', ge: 0, lt: 1 },
  hybridWeights: { type: 'numbers', length: 3, item: { type: 'number', ge: 0 } },
  learnHybridWeights: { type: 'boolean' },
  lateWeighting: { type: 'string', oneOf: LATE_WEIGHTINGS },
  lstmUnits: { type: 'number', integer: true, gt: 0 },
  projection: { type: 'number', integer: true, ge: 0 },
  attentionUnits: { type: 'number', integer: true, gt: 0 },
});

/** A published result of an entry (real data, not ours). */
export interface PublishedNumbers {
  /** The name the report used. */
  reportedAs: string;
  source: string;
  accuracy: number;
  logLoss: number;
}

/** One registry entry. */
export interface SceneModelEntry {
  /** The name notebooks, tables and run directories use. */
  name: string;
  /** The builder it uses; entries with the same kind must share `build`. Default: `name`. */
  kind?: string;
  /** One line for tables. */
  about: string;
  /** `clip` (frames averaged, `[batch, dim]`) or `sequence` (`[batch, T, dim]`). */
  view: 'clip' | 'sequence';
  inputs: Modality[];
  /** The output (logits, or log-probabilities) for the symbolic inputs, with layers named `<kind>/…`. */
  build: (f: LayerFactory, x: tf.SymbolicTensor[], o: SceneModelOptions, kind: string) => tf.SymbolicTensor;
  /** This entry's option values where they differ from `SCENE_MODEL_DEFAULTS`. */
  defaults?: SceneVariantOptions;
  /** The current learned fusion weights (for plots across epochs); absent for models without. */
  fusionWeights?: (net: tf.LayersModel) => Record<string, number[]>;
  /** Published numbers this entry is compared with. */
  published?: PublishedNumbers[];
  /** Named lists the entry belongs to (e.g. `seed-study`: notebook 05's methods). */
  groups?: string[];
  /** Bump when this entry's code changes what a trained run contains. Default 1. */
  version?: number;
}

const registry = new Map<string, Required<Pick<SceneModelEntry, 'kind'>> & SceneModelEntry>();

/** Adds an entry (adding a model is this one call); the name must be new. */
export function registerSceneModel(entry: SceneModelEntry): SceneModelEntry {
  if (registry.has(entry.name)) throw new Error(`scene model "${entry.name}" is already registered`);
  const kind = entry.kind ?? entry.name;
  const sibling = [...registry.values()].find((e) => e.kind === kind);
  if (sibling && sibling.build !== entry.build) throw new Error(`scene model "${entry.name}": kind "${kind}" is built by "${sibling.name}"'s builder; use another kind for another builder`);
  registry.set(entry.name, { ...entry, kind });
  return entry;
}

/** Removes an entry (for tests that register their own). */
export function unregisterSceneModel(name: string): void {
  registry.delete(name);
}

/** The entry of a name; throws with the known names otherwise. */
export function sceneModelEntry(name: string): SceneModelEntry & { kind: string } {
  const e = registry.get(name);
  if (!e) throw new Error(`unknown scene model kind "${name}"; expected one of ${[...registry.keys()].join(', ')}`);
  return e;
}

/** Every registered name, in registration order; with `group`, only that named list. */
export function sceneModelNames(group?: string): string[] {
  return [...registry.values()].filter((e) => group === undefined || (e.groups ?? []).includes(group)).map((e) => e.name);
}

/** The data view a model is fed: `clip` (frames averaged, `[batch, dim]`) or `sequence` (`[batch, T, dim]`). */
export function modelView(name: string): 'clip' | 'sequence' {
  return sceneModelEntry(name).view;
}

/**
 * A variant's options normalised: the entry's defaults applied, spelled-out defaults and options
 * its builder cannot see removed, hybrid weights scaled to sum to 1, keys sorted. Two variants with
 * the same kind and normalised options build the same model.
 */
export function normaliseSceneOptions(name: string, options: Record<string, unknown> = {}): SceneVariantOptions {
  const e = sceneModelEntry(name);
  const merged: Record<string, unknown> = { ...SCENE_MODEL_DEFAULTS, ...e.defaults };
  for (const [k, v] of Object.entries(options)) {
    if (k === 'dim' || k === 'classes' || k === 'seed') continue;
    if (v !== undefined) merged[k] = v;
  }
  if (Array.isArray(merged.hybridWeights)) merged.hybridWeights = normaliseHybridWeights(merged.hybridWeights as number[]);
  if (merged.attentionUnits === merged.lstmUnits) delete merged.attentionUnits;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(merged).sort()) {
    const d = (SCENE_MODEL_DEFAULTS as Record<string, unknown>)[k];
    if (JSON.stringify(merged[k]) !== JSON.stringify(d)) out[k] = merged[k];
  }
  return out as SceneVariantOptions;
}

/** Builds a registered scene model with PyTorch-style seeded initialisation. */
export function buildSceneModel(name: string, options: Partial<SceneModelOptions> & { dim: number; classes: number }): SceneModel {
  const e = sceneModelEntry(name);
  const o = { ...SCENE_MODEL_DEFAULTS, seed: 0, ...e.defaults, ...options } as SceneModelOptions;
  const kind = e.kind;
  const f = new LayerFactory(o.seed, `${kind}/`);
  // Sequence inputs leave T open, so one model takes clips of any length.
  const ins = e.inputs.map((m) => tf.input({ shape: e.view === 'sequence' ? [null, o.dim] : [o.dim], name: `${kind}/${m}` }));
  const out = e.build(f, ins, o, kind);
  const net = tf.model({ inputs: ins, outputs: out, name: kind });
  return { kind, name, inputs: e.inputs.slice(), net, dropouts: f.dropouts };
}

/**
 * The current fusion weights of a model with learned (or fixed) fusion weights, for plotting them
 * across epochs; `{}` for models without. See the entries' `fusionWeights`.
 */
export function fusionWeights(model: SceneModel): Record<string, number[]> {
  return sceneModelEntry(model.name).fusionWeights?.(model.net) ?? {};
}

/** Number of trainable parameters. */
export function countParams(model: SceneModel): number {
  return model.net.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/** log(½(softmax(a) + softmax(b))): averaging probabilities while keeping a logit-like output. */
class LogMeanSoftmax extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
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

// ---- builders -------------------------------------------------------------------------------------

const unimodal = (f: LayerFactory, x: tf.SymbolicTensor, o: SceneModelOptions) => f.head(f.embedding(x, o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);

const buildUnimodal: SceneModelEntry['build'] = (f, [x], o) => unimodal(f, x, o);

const buildEarly: SceneModelEntry['build'] = (f, ins, o, kind) => {
  const x = tf.layers.concatenate({ name: `${kind}/concat` }).apply(ins) as tf.SymbolicTensor;
  return f.head(f.embedding(x, 2 * o.dim, o.hidden, o.embed, o.dropout), o.embed, o.classes);
};

const buildIntermediate: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => {
  const ha = f.embedding(xa, o.dim, o.hidden, o.embed, o.dropout);
  const hv = f.embedding(xv, o.dim, o.hidden, o.embed, o.dropout);
  const h = tf.layers.concatenate({ name: `${kind}/concat` }).apply([ha, hv]) as tf.SymbolicTensor;
  return f.head(h, 2 * o.embed, o.classes);
};

const buildLateAverage: SceneModelEntry['build'] = (f, [xa, xv], o, kind) =>
  new LogMeanSoftmax({ name: `${kind}/average` }).apply([unimodal(f, xa, o), unimodal(f, xv, o)]) as tf.SymbolicTensor;

const buildLateLinear: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => {
  const z = tf.layers.concatenate({ name: `${kind}/concat` }).apply([unimodal(f, xa, o), unimodal(f, xv, o)]) as tf.SymbolicTensor;
  return f.linear(o.classes, 2 * o.classes).apply(z) as tf.SymbolicTensor;
};

const buildHybrid: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => hybridOutput(f, xa, xv, o, kind);
const buildWeightedLate: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => weightedLateOutput(f, xa, xv, o, kind);
const buildAttention: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => attentionOutput(f, xa, xv, o, kind);
const buildAttention2: SceneModelEntry['build'] = (f, [xa, xv], o, kind) => attention2Output(f, xa, xv, o, kind);

/** Reads the weights of the layer named `<kind>/fusion`. */
const fusionLayerWeights = (net: tf.LayersModel) => (net.getLayer(`${net.name}/fusion`) as HybridFusion | WeightedLateFusion).currentWeights();

// ---- the entries ----------------------------------------------------------------------------------

const AV: Modality[] = ['audio', 'video'];
const A = 'report A';
const B = 'report B';

registerSceneModel({ name: 'audio-only', about: 'audio MLP (course embedding + head)', view: 'clip', inputs: ['audio'], build: buildUnimodal, groups: ['seed-study'],
  published: [{ reportedAs: 'Audio Only', source: A, accuracy: 0.701, logLoss: 0.788 }, { reportedAs: 'Audio-Only', source: B, accuracy: 0.706, logLoss: 0.808 }] });
registerSceneModel({ name: 'video-only', about: 'video MLP (course embedding + head)', view: 'clip', inputs: ['video'], build: buildUnimodal, groups: ['seed-study'],
  published: [{ reportedAs: 'Video Only', source: A, accuracy: 0.671, logLoss: 0.894 }, { reportedAs: 'Video-Only', source: B, accuracy: 0.674, logLoss: 0.854 }] });
registerSceneModel({ name: 'early', about: 'concatenated raw features, one MLP', view: 'clip', inputs: AV, build: buildEarly, groups: ['seed-study'],
  published: [{ reportedAs: 'Early', source: B, accuracy: 0.797, logLoss: 0.528 }] });
registerSceneModel({ name: 'intermediate', about: 'per-modality embeddings, concatenated, shared head (course baseline)', view: 'clip', inputs: AV, build: buildIntermediate, groups: ['seed-study', 'weighted-study'],
  published: [{ reportedAs: 'Early Fusion', source: A, accuracy: 0.815, logLoss: 0.503 }, { reportedAs: 'Intermediate (baseline)', source: B, accuracy: 0.798, logLoss: 0.541 }] });
registerSceneModel({ name: 'late-average', about: 'average of the two classifiers\' probabilities', view: 'clip', inputs: AV, build: buildLateAverage, groups: ['seed-study', 'weighted-study'],
  published: [{ reportedAs: 'Late Fusion', source: A, accuracy: 0.798, logLoss: 0.529 }] });
registerSceneModel({ name: 'late-linear', about: 'a linear layer over the two classifiers\' logits', view: 'clip', inputs: AV, build: buildLateLinear, groups: ['seed-study'],
  published: [{ reportedAs: 'Late', source: B, accuracy: 0.792, logLoss: 0.54 }] });
registerSceneModel({ name: 'hybrid', about: 'fixed-weight mixture of fused, audio and video heads', view: 'clip', inputs: AV, build: buildHybrid, fusionWeights: fusionLayerWeights, groups: ['seed-study', 'weighted-study'],
  published: [{ reportedAs: 'Hybrid Fusion', source: A, accuracy: 0.803, logLoss: 0.537 }] });
registerSceneModel({ name: 'hybrid-learned', kind: 'hybrid', about: 'hybrid with softmax-normalised learned weights', view: 'clip', inputs: AV, build: buildHybrid, defaults: { learnHybridWeights: true }, fusionWeights: fusionLayerWeights, groups: ['weighted-study'] });
registerSceneModel({ name: 'weighted-late', about: 'z_a + w·z_v, one learned weight', view: 'clip', inputs: AV, build: buildWeightedLate, fusionWeights: fusionLayerWeights, groups: ['seed-study', 'weighted-study'],
  published: [{ reportedAs: 'Weighted', source: B, accuracy: 0.816, logLoss: 0.507 }] });
registerSceneModel({ name: 'weighted-late-class', kind: 'weighted-late', about: 'z_a + w ⊙ z_v, one weight per class', view: 'clip', inputs: AV, build: buildWeightedLate, defaults: { lateWeighting: 'class' }, fusionWeights: fusionLayerWeights, groups: ['weighted-study'] });
registerSceneModel({ name: 'weighted-late-softmax', kind: 'weighted-late', about: 'α_a z_a + α_v z_v, α = softmax(s)', view: 'clip', inputs: AV, build: buildWeightedLate, defaults: { lateWeighting: 'softmax' }, fusionWeights: fusionLayerWeights, groups: ['weighted-study'] });
registerSceneModel({ name: 'weighted-late-softmax-class', kind: 'weighted-late', about: 'softmax weights per class', view: 'clip', inputs: AV, build: buildWeightedLate, defaults: { lateWeighting: 'softmax-class' }, fusionWeights: fusionLayerWeights, groups: ['weighted-study'] });
registerSceneModel({ name: 'attention', about: 'LSTM encoders, additive attention over both modalities\' frames, LSTM decoder', view: 'sequence', inputs: AV, build: buildAttention, groups: ['seed-study'],
  published: [{ reportedAs: 'Attention', source: A, accuracy: 0.759, logLoss: 0.637 }] });
registerSceneModel({ name: 'attention2', about: 'Child-Sum merge, audio, video and multimodal attention', view: 'sequence', inputs: AV, build: buildAttention2, groups: ['seed-study'],
  published: [{ reportedAs: 'Attention2', source: A, accuracy: 0.725, logLoss: 0.734 }] });

/** Notebook 05's methods: every entry in the `seed-study` group. */
export const SEED_STUDY_MODELS: readonly string[] = sceneModelNames('seed-study');
/** Notebook 03's variants: every entry in the `weighted-study` group. */
export const WEIGHTED_STUDY_MODELS: readonly string[] = sceneModelNames('weighted-study');
