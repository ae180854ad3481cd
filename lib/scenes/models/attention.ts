/**
 * The course report's attention models on frame sequences (report A, §3.6 and §3.7): LSTM
 * encoder–decoders whose decoder reads an additive (Bahdanau) attention context.
 *
 *   encoder (per modality)  x_t ∈ R^D → P x_t (a linear projection, 512 → 128 by default, so the
 *                           recurrence runs on 128-d inputs) → LSTM → outputs h_1..h_T, final (h_T, c_T)
 *   additive attention      e_t = vᵀ tanh(W h_t + U s), α = softmax(e), context = Σ_t α_t h_t
 *
 *   attention   The audio and video encoder outputs are concatenated along time (2T positions), as
 *               the report does ("将拼接后的编码器输出…输入注意力层"; its analysis blames exactly this
 *               for attention mass drifting to one modality). The decoder state s is the two
 *               encoders' final states side by side, s = [h_a; h_v] (cell [c_a; c_v]), so the
 *               decoder has 2H units. One decoder step reads the context and starts from s; a
 *               linear classifier maps its output to logits.
 *   attention2  Both encoders' final states are merged by a Child-Sum Tree-LSTM node (Tai et al.,
 *               2015) into the decoder's initial (h, c). The node's input x is the time average of
 *               both encoders' outputs, [mean_t h^a_t; mean_t h^v_t]: the report feeds "the encoder
 *               outputs and hidden states" to the Child-Sum layer, and the children carry the final
 *               states. Three attentions are queried with that h: audio (over the audio outputs),
 *               video (over the video outputs) and multimodal (over both, concatenated along time,
 *               as in `attention`); the report motivates the model as combining these three
 *               relations. Their contexts are concatenated (3H), one decoder step (H units) reads
 *               them from the Child-Sum state, and a linear output layer gives logits.
 *
 * The decoder takes a single step because a clip has one label, so there is one output to emit;
 * the attention weights are therefore one distribution per clip and attention layer. The step is
 * `LstmStep`, one cell update from the given state; the encoders are avlab's `LstmLayer` (lstm.ts),
 * tfjs's LSTM math as one native kernel on wasm. Dropout (`dropout`) acts on the decoder output.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng';
import { LayerFactory } from '../../nn/layers';
import { OnePassCache } from '../../nn/onePassCache';
import { lstmCell } from '../../nn/lstmCell';

/** Options of the sequence models (part of `SceneModelOptions`). */
export interface SequenceModelOptions {
  /** LSTM units per encoder (H); default 128. */
  lstmUnits?: number;
  /** Size of the linear projection before each encoder; 0 feeds the raw features. Default 128. */
  projection?: number;
  /** Size of the additive attention's hidden layer (W, U: → A); default `lstmUnits`. */
  attentionUnits?: number;
}

/** Weights of one additive attention: W [H_e, A] (keys), U [H_q, A] (query), v [A]. */
export interface AdditiveAttentionParams {
  W: tf.Tensor2D;
  U: tf.Tensor2D;
  v: tf.Tensor1D;
}

/**
 * Additive attention of a query s ([N, H_q]) over a sequence h ([N, L, H_e]):
 * e_t = vᵀ tanh(W h_t + U s), α = softmax_t(e), context = Σ_t α_t h_t. Returns the context
 * [N, H_e] and the weights α [N, L].
 */
export function additiveAttention(p: AdditiveAttentionParams, seq: tf.Tensor3D, query: tf.Tensor2D): { context: tf.Tensor2D; weights: tf.Tensor2D } {
  return tf.tidy(() => {
    const [n, len, he] = seq.shape;
    const units = p.v.shape[0];
    const keys = tf.reshape(tf.matMul(tf.reshape(seq, [n * len, he]), p.W), [n, len, units]);
    const q = tf.expandDims(tf.matMul(query, p.U), 1);
    const scores = tf.reshape(tf.matMul(tf.reshape(tf.tanh(tf.add(keys, q)), [n * len, units]), tf.reshape(p.v, [units, 1])), [n, len]);
    const weights = tf.softmax(scores) as tf.Tensor2D;
    const context = tf.reshape(tf.matMul(tf.expandDims(weights, 1), seq), [n, he]) as tf.Tensor2D;
    return { context, weights };
  });
}

/** Constructor arguments of `AdditiveAttention`. */
export interface AdditiveAttentionArgs {
  /** Size A of the hidden layer inside the score. */
  units: number;
  /** Seeds the PyTorch-style initialisation (each weight ~ U(±1/√fan_in)). */
  seed: number;
  name?: string;
}

/** `additiveAttention` as a layer: inputs [sequence, query], outputs [context, weights]. */
export class AdditiveAttention extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'AdditiveAttention';
  /** Size A of the score's hidden layer. */
  readonly units: number;
  /** Initialisation seed. */
  readonly seed: number;
  private params: { W: tf.LayerVariable; U: tf.LayerVariable; v: tf.LayerVariable } | null = null;
  private readonly pass = new OnePassCache();

  constructor(args: AdditiveAttentionArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [seqShape, queryShape] = inputShape as tf.Shape[];
    const he = seqShape[2] as number;
    const hq = queryShape[1] as number;
    const rng = new Rng(this.seed);
    const u = (fanIn: number) => tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed: rng.int(2 ** 31) });
    this.params = {
      W: this.addWeight('W', [he, this.units], 'float32', u(he)),
      U: this.addWeight('U', [hq, this.units], 'float32', u(hq)),
      v: this.addWeight('v', [this.units], 'float32', u(this.units)),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const [seq, query] = inputs as tf.Tensor[];
    const p = this.params!;
    return this.pass.outputsFor([seq, query], () => {
      const { context, weights } = additiveAttention(
        { W: p.W.read() as tf.Tensor2D, U: p.U.read() as tf.Tensor2D, v: p.v.read() as tf.Tensor1D },
        seq as tf.Tensor3D,
        query as tf.Tensor2D,
      );
      return [context, weights];
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [seqShape] = shape as tf.Shape[];
    return [
      [seqShape[0], seqShape[2]],
      [seqShape[0], seqShape[1]],
    ];
  }
}

/**
 * Weights of a Child-Sum Tree-LSTM node with H units, the four gates' blocks side by side in the
 * order i, f, o, u: W [X, 4H] (absent when the node has no input), U [H, 4H], b [4H].
 */
export interface ChildSumParams {
  W?: tf.Tensor2D;
  U: tf.Tensor2D;
  b: tf.Tensor1D;
}

/** One child's (or the node's) hidden and cell state, [N, H] each. */
export interface LstmState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * A Child-Sum Tree-LSTM node (Tai et al., 2015) over children (h_k, c_k) with input x ([N, X], or
 * null for none):
 *   h̃ = Σ_k h_k,  i = σ(W_i x + U_i h̃ + b_i),  f_k = σ(W_f x + U_f h_k + b_f),
 *   o = σ(W_o x + U_o h̃ + b_o),  u = tanh(W_u x + U_u h̃ + b_u),
 *   c = i ⊙ u + Σ_k f_k ⊙ c_k,  h = o ⊙ tanh(c).
 * Row vectors multiply from the left (x W, h U), as everywhere in tfjs.
 */
export function childSum(p: ChildSumParams, x: tf.Tensor2D | null, children: LstmState[]): LstmState {
  if (children.length === 0) throw new Error('childSum needs at least one child');
  if ((x === null) !== (p.W === undefined)) throw new Error('childSum: pass an input x exactly when the parameters have W');
  return tf.tidy(() => {
    const input = x && p.W ? tf.add(tf.matMul(x, p.W), p.b) : p.b;
    const [xi, xf, xo, xu] = tf.split(input, 4, -1);
    const [ui, uf, uo, uu] = tf.split(p.U, 4, 1);
    const hSum = children.slice(1).reduce((s: tf.Tensor, k) => tf.add(s, k.h), children[0].h);
    const i = tf.sigmoid(tf.add(xi, tf.matMul(hSum as tf.Tensor2D, ui)));
    const o = tf.sigmoid(tf.add(xo, tf.matMul(hSum as tf.Tensor2D, uo)));
    const u = tf.tanh(tf.add(xu, tf.matMul(hSum as tf.Tensor2D, uu)));
    const c = children.reduce((s: tf.Tensor, k) => tf.add(s, tf.mul(tf.sigmoid(tf.add(xf, tf.matMul(k.h, uf))), k.c)), tf.mul(i, u));
    const h = tf.mul(o, tf.tanh(c));
    return { h: h as tf.Tensor2D, c: c as tf.Tensor2D };
  });
}

/** Constructor arguments of `ChildSumCell`. */
export interface ChildSumCellArgs {
  /** H: the children's and the node's state size. */
  units: number;
  /** Whether the first input is the node's input x (otherwise all inputs are children's states). */
  withInput: boolean;
  /** Seeds the PyTorch-style initialisation (each weight ~ U(±1/√fan_in), b ~ U(±1/√H)). */
  seed: number;
  name?: string;
}

/**
 * `childSum` as a layer: inputs [x?, h_1, c_1, h_2, c_2, …], outputs [h, c].
 */
export class ChildSumCell extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'ChildSumCell';
  /** State size H. */
  readonly units: number;
  /** Whether the first input is x. */
  readonly withInput: boolean;
  /** Initialisation seed. */
  readonly seed: number;
  private params: { W?: tf.LayerVariable; U: tf.LayerVariable; b: tf.LayerVariable } | null = null;
  private readonly pass = new OnePassCache();

  constructor(args: ChildSumCellArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.withInput = args.withInput;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = inputShape as tf.Shape[];
    const h = this.units;
    const rng = new Rng(this.seed);
    const u = (fanIn: number) => tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed: rng.int(2 ** 31) });
    const xDim = shapes[0][1] as number;
    this.params = {
      W: this.withInput ? this.addWeight('W', [xDim, 4 * h], 'float32', u(xDim)) : undefined,
      U: this.addWeight('U', [h, 4 * h], 'float32', u(h)),
      b: this.addWeight('b', [4 * h], 'float32', u(h)),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const list = inputs as tf.Tensor2D[];
    const x = this.withInput ? list[0] : null;
    const states = this.withInput ? list.slice(1) : list;
    const children: LstmState[] = [];
    for (let k = 0; k < states.length; k += 2) children.push({ h: states[k], c: states[k + 1] });
    const p = this.params!;
    return this.pass.outputsFor(list, () => {
      const out = childSum({ W: p.W?.read() as tf.Tensor2D | undefined, U: p.U.read() as tf.Tensor2D, b: p.b.read() as tf.Tensor1D }, x, children);
      return [out.h, out.c];
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const batch = (shape as tf.Shape[])[0][0];
    return [
      [batch, this.units],
      [batch, this.units],
    ];
  }
}

/** Weights of one LSTM step with H units, gate blocks in PyTorch's (and tfjs's) order i, f, g, o: W [X, 4H], U [H, 4H], b [4H]. */
export interface LstmStepParams {
  W: tf.Tensor2D;
  U: tf.Tensor2D;
  b: tf.Tensor1D;
}

/**
 * One step of an LSTM from state (h, c) reading x:
 * [i, f, g, o] = x W + h U + b;  c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g);  h' = σ(o) ⊙ tanh(c').
 * The products are tfjs ops; the gates and the cell update are `lstmCell` (lib/nn/lstmCell.ts), one
 * kernel each way on WebGPU and wasm.
 */
export function lstmStep(p: LstmStepParams, x: tf.Tensor2D, state: LstmState): LstmState {
  return tf.tidy(() => {
    const z = tf.add(tf.add(tf.matMul(x, p.W), tf.matMul(state.h, p.U)), p.b) as tf.Tensor2D;
    return lstmCell(z, state.c);
  });
}

/** Constructor arguments of `LstmStep`. */
export interface LstmStepArgs {
  /** H: the state size. */
  units: number;
  /** Seeds the initialisation: every weight ~ U(±1/√H), as PyTorch's nn.LSTM. */
  seed: number;
  name?: string;
}

/** `lstmStep` as a layer: inputs [x, h, c], output the new h (a decoder step whose cell state is not needed further). */
export class LstmStep extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'LstmStep';
  /** State size H. */
  readonly units: number;
  /** Initialisation seed. */
  readonly seed: number;
  private params: { W: tf.LayerVariable; U: tf.LayerVariable; b: tf.LayerVariable } | null = null;

  constructor(args: LstmStepArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const xDim = (inputShape as tf.Shape[])[0][1] as number;
    const h = this.units;
    const rng = new Rng(this.seed);
    const u = () => tf.initializers.randomUniform({ minval: -1 / Math.sqrt(h), maxval: 1 / Math.sqrt(h), seed: rng.int(2 ** 31) });
    this.params = {
      W: this.addWeight('W', [xDim, 4 * h], 'float32', u()),
      U: this.addWeight('U', [h, 4 * h], 'float32', u()),
      b: this.addWeight('b', [4 * h], 'float32', u()),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [x, h, c] = inputs as tf.Tensor2D[];
    const p = this.params!;
    // Only h' leaves the layer; c' is disposed here (its gradient is the tape's zero).
    return tf.tidy(() => lstmStep({ W: p.W.read() as tf.Tensor2D, U: p.U.read() as tf.Tensor2D, b: p.b.read() as tf.Tensor1D }, x, { h, c }).h);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(shape as tf.Shape[])[0][0], this.units];
  }
}

/** What the sequence builders need from `SceneModelOptions`. */
export interface SequenceBuildOptions extends SequenceModelOptions {
  dim: number;
  classes: number;
  dropout: number;
}

interface Encoded {
  seq: tf.SymbolicTensor;
  h: tf.SymbolicTensor;
  c: tf.SymbolicTensor;
}

function sizes(o: SequenceBuildOptions): { units: number; projection: number; attention: number } {
  const units = o.lstmUnits ?? 128;
  const projection = o.projection ?? 128;
  const attention = o.attentionUnits ?? units;
  const ok = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!ok(units, 1) || !ok(projection, 0) || !ok(attention, 1)) {
    throw new Error(`sequence model sizes must be integers (lstmUnits ≥ 1, projection ≥ 0, attentionUnits ≥ 1), got ${JSON.stringify({ units, projection, attention })}`);
  }
  return { units, projection, attention };
}

function encode(f: LayerFactory, x: tf.SymbolicTensor, o: SequenceBuildOptions, name: string): Encoded {
  const { units, projection } = sizes(o);
  const input = projection > 0 ? (f.linear(projection, o.dim, { name: `${name}-projection` }).apply(x) as tf.SymbolicTensor) : x;
  const [seq, h, c] = f.lstm(units, { returnSequences: true, returnState: true, name: `${name}-encoder` }).apply(input) as tf.SymbolicTensor[];
  return { seq, h, c };
}

function attend(f: LayerFactory, seq: tf.SymbolicTensor, query: tf.SymbolicTensor, units: number, name: string): tf.SymbolicTensor {
  return (new AdditiveAttention({ units, seed: f.nextSeed(), name }).apply([seq, query]) as tf.SymbolicTensor[])[0];
}

/** One decoder step from `state` reading `context`, then dropout and a linear layer to logits. */
function decode(f: LayerFactory, context: tf.SymbolicTensor, state: tf.SymbolicTensor[], units: number, o: SequenceBuildOptions, kind: string): tf.SymbolicTensor {
  const out = new LstmStep({ units, seed: f.nextSeed(), name: `${kind}/decoder` }).apply([context, ...state]) as tf.SymbolicTensor;
  return f.chain(out, [f.dropout(o.dropout), f.linear(o.classes, units, { name: `${kind}/classifier` })]);
}

/** The `attention` model's logits for audio and video inputs `[batch, T, dim]` (see the module comment). */
export function attentionOutput(f: LayerFactory, xa: tf.SymbolicTensor, xv: tf.SymbolicTensor, o: SequenceBuildOptions, kind = 'attention'): tf.SymbolicTensor {
  const { units, attention } = sizes(o);
  const a = encode(f, xa, o, `${kind}/audio`);
  const v = encode(f, xv, o, `${kind}/video`);
  const seq = tf.layers.concatenate({ axis: 1, name: `${kind}/concat-time` }).apply([a.seq, v.seq]) as tf.SymbolicTensor;
  const h = tf.layers.concatenate({ name: `${kind}/concat-h` }).apply([a.h, v.h]) as tf.SymbolicTensor;
  const c = tf.layers.concatenate({ name: `${kind}/concat-c` }).apply([a.c, v.c]) as tf.SymbolicTensor;
  const context = attend(f, seq, h, attention, `${kind}/multimodal-attention`);
  return decode(f, context, [h, c], 2 * units, o, kind);
}

/** The `attention2` model's logits for audio and video inputs `[batch, T, dim]` (see the module comment). */
export function attention2Output(f: LayerFactory, xa: tf.SymbolicTensor, xv: tf.SymbolicTensor, o: SequenceBuildOptions, kind = 'attention2'): tf.SymbolicTensor {
  const { units, attention } = sizes(o);
  const a = encode(f, xa, o, `${kind}/audio`);
  const v = encode(f, xv, o, `${kind}/video`);
  const mean = (e: Encoded, m: string) => tf.layers.globalAveragePooling1d({ name: `${kind}/${m}-mean` }).apply(e.seq) as tf.SymbolicTensor;
  const x = tf.layers.concatenate({ name: `${kind}/child-sum-input` }).apply([mean(a, 'audio'), mean(v, 'video')]) as tf.SymbolicTensor;
  const cell = new ChildSumCell({ units, withInput: true, seed: f.nextSeed(), name: `${kind}/child-sum` });
  const [h, c] = cell.apply([x, a.h, a.c, v.h, v.c]) as tf.SymbolicTensor[];
  const both = tf.layers.concatenate({ axis: 1, name: `${kind}/concat-time` }).apply([a.seq, v.seq]) as tf.SymbolicTensor;
  const contexts = [
    attend(f, a.seq, h, attention, `${kind}/audio-attention`),
    attend(f, v.seq, h, attention, `${kind}/video-attention`),
    attend(f, both, h, attention, `${kind}/multimodal-attention`),
  ];
  const context = tf.layers.concatenate({ name: `${kind}/context` }).apply(contexts) as tf.SymbolicTensor;
  return decode(f, context, [h, c], units, o, kind);
}

const probes = new WeakMap<tf.LayersModel, { names: string[]; model: tf.LayersModel }>();

/**
 * The attention weights α of a sequence model for the given inputs (the model's inputs, in order),
 * in eval mode: `attention` gives `{multimodal: [N, 2T]}` (audio positions first, then video);
 * `attention2` gives `{audio: [N, T], video: [N, T], multimodal: [N, 2T]}`. Each row is
 * non-negative and sums to 1. The caller disposes the returned tensors.
 */
export function attentionWeights(model: { net: tf.LayersModel } | tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): Record<string, tf.Tensor2D> {
  const net = model instanceof tf.LayersModel ? model : model.net;
  let probe = probes.get(net);
  if (!probe) {
    const layers = net.layers.filter((l): l is AdditiveAttention => l instanceof AdditiveAttention);
    if (layers.length === 0) throw new Error(`model "${net.name}" has no attention layers`);
    // A second graph over the same layers: it adds no weights, so the model's own outputs stay
    // plain logits for the trainer.
    const outputs = layers.map((l) => (l.output as tf.SymbolicTensor[])[1]);
    probe = { names: layers.map((l) => l.name.replace(/^.*\//, '').replace(/-attention$/, '')), model: tf.model({ inputs: net.inputs, outputs }) };
    probes.set(net, probe);
  }
  const p = probe;
  return tf.tidy(() => {
    const out = p.model.apply(inputs, { training: false }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    return Object.fromEntries(p.names.map((name, i) => [name, list[i] as tf.Tensor2D]));
  });
}
