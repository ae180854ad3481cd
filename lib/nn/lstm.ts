/**
 * The LSTM layer of avlab's sequence models. The math is tfjs's (and Keras's) LSTM with logistic
 * gates: z_t = x_t W + h_{t-1} U + b, blocks [i | f | g | o] of H columns,
 *   i, f, o = σ(·),  g = tanh(·),  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t),
 * from a zero initial state. On the wasm backend with the native addon the whole sequence, and its
 * gradient, is one kernel (lib/backend/nativeLstm.ts), on WebGPU a few dispatches
 * (lib/backend/webgpu/lstm.ts); elsewhere it runs as tfjs ops. Weights are
 * named and laid out as tfjs's LSTM layer names them (kernel, recurrent_kernel, bias).
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_GRAD_KERNEL, LSTM_KERNEL, nativeLstmActive } from '../backend/nativeLstm';
import { webgpuLstmActive } from '../backend/webgpu/lstm';
import { lstmCellOps } from './lstmCell';
import { OnePassCache } from './onePassCache';
import { tapeOp } from './tapeOp';

/** The outputs of an LSTM over a sequence: every hidden state and the final (h, c). */
export interface LstmOutputs {
  /** h_1..h_T, [N, T, H]. */
  seq: tf.Tensor3D;
  /** h_T, [N, H]. */
  h: tf.Tensor2D;
  /** c_T, [N, H]. */
  c: tf.Tensor2D;
}

/** The LSTM as tfjs ops, one step at a time (any backend; the reference for the native kernel). */
export function lstmSequenceOps(x: tf.Tensor3D, W: tf.Tensor2D, U: tf.Tensor2D, b: tf.Tensor1D): LstmOutputs {
  return tf.tidy(() => {
    const [n, t, d] = x.shape;
    const units = U.shape[0];
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [n * t, d]), W), b), [n, t, 4 * units]);
    // tfjs cannot take the gradient of unstacking a single step; one step is a reshape.
    const steps = (t === 1 ? [tf.reshape(projected, [n, 4 * units])] : tf.unstack(projected, 1)) as tf.Tensor2D[];
    let h: tf.Tensor2D = tf.zeros([n, units]);
    let c: tf.Tensor2D = tf.zeros([n, units]);
    const hs: tf.Tensor2D[] = [];
    steps.forEach((zx) => {
      // Also at the first step (h = 0), so that U always has a gradient, zero for one-step sequences.
      ({ h, c } = lstmCellOps(tf.add(zx, tf.matMul(h, U)) as tf.Tensor2D, c));
      hs.push(h);
    });
    return { seq: tf.stack(hs, 1) as tf.Tensor3D, h, c };
  });
}

/** The LSTM over x [N, T, D] with W [D, 4H], U [H, 4H], b [4H]: fused kernel where available. */
export function lstmSequence(x: tf.Tensor3D, W: tf.Tensor2D, U: tf.Tensor2D, b: tf.Tensor1D): LstmOutputs {
  const [n, t, d] = x.shape;
  const units = U.shape[0];
  if (W.shape[0] !== d || W.shape[1] !== 4 * units || U.shape[1] !== 4 * units || b.shape[0] !== 4 * units) {
    throw new Error(`lstmSequence: weights [${W.shape}], [${U.shape}], [${b.shape}] do not fit inputs [${x.shape}] and ${units} units`);
  }
  if (t < 1 || n < 1) throw new Error(`lstmSequence: input [${x.shape}] has no time steps or no samples`);
  if (!nativeLstmActive() && !webgpuLstmActive(units)) return lstmSequenceOps(x, W, U, b);
  // Gates and cells are saved for the gradient, not outputs (see tapeOp).
  const [seq, h, c] = tapeOp(
    { x, W, U, b },
    (save) => {
      const [seq, h, c, gates, cells] = tf.engine().runKernel(LSTM_KERNEL, { x, W, U, b }, {}) as tf.Tensor[];
      save([x, W, U, seq, gates, cells]);
      return [seq, h, c];
    },
    ([dSeq, dhT, dcT], [xs, Ws, Us, seqs, gates, cells]) => {
      const [dx, dW, dU, db] = tf.engine().runKernel(LSTM_GRAD_KERNEL, { x: xs, W: Ws, U: Us, seq: seqs, gates, cells, dSeq, dhT, dcT }, {}) as tf.Tensor[];
      return { x: dx, W: dW, U: dU, b: db };
    },
  );
  return { seq: seq as tf.Tensor3D, h: h as tf.Tensor2D, c: c as tf.Tensor2D };
}

type Initializer = ReturnType<typeof tf.initializers.randomUniform>;

/** Constructor arguments of `LstmLayer`. */
export interface LstmLayerArgs {
  units: number;
  /** Output every h_t ([N, T, H]) rather than h_T only. */
  returnSequences?: boolean;
  /** Also output the final h and c (after the main output). */
  returnState?: boolean;
  kernelInitializer: Initializer;
  recurrentInitializer: Initializer;
  biasInitializer: Initializer;
  name?: string;
}

/**
 * `lstmSequence` as a layer, a drop-in for `tf.layers.lstm` with logistic gates and no masking: same
 * outputs ([sequence or h_T, h_T, c_T]), same weight names, shapes and creation order.
 */
export class LstmLayer extends tf.layers.Layer {
  /** tfjs's `getClassName()`: default layer names and `model.summary()`. */
  static readonly className = 'AvlabLstm';
  /** H. */
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  private readonly inits: [Initializer, Initializer, Initializer];
  private params: { W: tf.LayerVariable; U: tf.LayerVariable; b: tf.LayerVariable } | null = null;
  private readonly pass = new OnePassCache();

  constructor(args: LstmLayerArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.inits = [args.kernelInitializer, args.recurrentInitializer, args.biasInitializer];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[2] as number;
    const g = 4 * this.units;
    this.params = {
      W: this.addWeight('kernel', [d, g], 'float32', this.inits[0]),
      U: this.addWeight('recurrent_kernel', [this.units, g], 'float32', this.inits[1]),
      b: this.addWeight('bias', [g], 'float32', this.inits[2]),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const p = this.params!;
    const outputs = this.pass.outputsFor([x], () => {
      const { seq, h, c } = lstmSequence(x, p.W.read() as tf.Tensor2D, p.U.read() as tf.Tensor2D, p.b.read() as tf.Tensor1D);
      if (!this.returnSequences) seq.dispose();
      return [this.returnSequences ? seq : h, h, c];
    });
    return this.returnState ? outputs : outputs[0];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const main = this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
    return this.returnState ? [main, [shape[0], this.units], [shape[0], this.units]] : main;
  }
}
