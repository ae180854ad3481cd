/**
 * "Look inside" a model from a notebook cell: its layers as a table (`layerTable`) and the shapes
 * one real batch takes on its way through (`traceShapes`). Both return plain row objects that
 * `nb.table` shows; neither keeps a tensor alive.
 */
import * as tf from '@tensorflow/tfjs';

/** One row of `layerTable`. */
export interface LayerRow {
  layer: string;
  class: string;
  /** The layers it reads from (empty for inputs). */
  inputs: string;
  /** Symbolic output shape, batch axis written `batch`, e.g. `[batch, 128]`. */
  'output shape': string;
  /** Weights of the layer (trainable and not, e.g. batch-norm running statistics). */
  params: number;
}

/** One row of `traceShapes`. */
export interface TraceRow {
  layer: string;
  class: string;
  /** The shape the batch actually took at this layer's output. */
  'output shape': string;
  /** Mean and standard deviation of that output over the batch (of the first output, for layers with several). */
  mean: number;
  std: number;
}

/**
 * `[null, 512]` → `[batch, 512]`: an open first axis is the batch, any other open axis (e.g. the
 * time axis of a sequence model) is `?`. Several outputs are joined with `, `.
 */
export function formatShape(shape: tf.Shape | tf.Shape[] | number[]): string {
  if (shape.length > 0 && Array.isArray(shape[0])) return (shape as tf.Shape[]).map((s) => formatShape(s)).join(', ');
  return `[${(shape as tf.Shape).map((d, i) => (d === null || d === undefined ? (i === 0 ? 'batch' : '?') : String(d))).join(', ')}]`;
}

function inboundNames(layer: tf.layers.Layer): string {
  const node = layer.inboundNodes[0];
  return node ? [...new Set(node.inboundLayers.map((l) => l.name))].join(', ') : '';
}

function outputShapeOf(layer: tf.layers.Layer): string {
  try {
    return formatShape(layer.outputShape);
  } catch {
    return 'several'; // a layer applied at several places with different shapes
  }
}

/** The layer's class, with the activation it applies itself where that is named (a fused batch norm + ReLU). */
function classWithActivation(layer: tf.layers.Layer): string {
  const activation = (layer as unknown as { activation?: unknown }).activation;
  return typeof activation === 'string' && activation !== 'linear' ? `${layer.getClassName()} + ${activation}` : layer.getClassName();
}

/**
 * Every layer of `model` in topological order: name, class, the layers it reads from, output shape
 * and parameter count, then a `total` row (its `class` cell says how many parameters are trainable).
 */
export function layerTable(model: tf.LayersModel): LayerRow[] {
  const rows: LayerRow[] = model.layers.map((l) => ({
    layer: l.name,
    class: classWithActivation(l),
    inputs: inboundNames(l),
    'output shape': outputShapeOf(l),
    params: l.countParams(),
  }));
  const total = rows.reduce((s, r) => s + r.params, 0);
  const trainable = model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  rows.push({ layer: 'total', class: `${trainable} trainable`, inputs: '', 'output shape': '', params: total });
  return rows;
}

/** What `traceShapes` accepts as the batch: one tensor, one per model input, or `{ inputs }` (a `TensorData`). */
export type BatchInput = tf.Tensor | tf.Tensor[] | { inputs: tf.Tensor[] };

/** Options of `traceShapes`. */
export interface TraceOptions {
  /** Use only the first `batchSize` rows of each input (default: all of them). */
  batchSize?: number;
}

/**
 * Pushes one batch through `model` (inference mode) and lists the shape every layer's output takes,
 * with its mean and standard deviation. Every tensor it makes is disposed; the caller's batch is not.
 */
export function traceShapes(model: tf.LayersModel, batch: BatchInput, options: TraceOptions = {}): TraceRow[] {
  const given = batch instanceof tf.Tensor ? [batch] : Array.isArray(batch) ? batch : batch.inputs;
  if (given.length !== model.inputs.length) {
    throw new Error(`traceShapes: ${model.name} takes ${model.inputs.length} input(s), got ${given.length}`);
  }
  // A second model over the same layers whose outputs are every layer's output. It shares the
  // weights, so it must not be disposed (that would dispose them); building it allocates no tensor.
  const inner = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const outputs = inner.map((l) => l.output);
  const flat = outputs.flatMap((o) => (Array.isArray(o) ? o : [o]));
  const probe = tf.model({ inputs: model.inputs, outputs: flat, name: `${model.name}_trace` });
  let rows: TraceRow[] = [];
  tf.tidy(() => {
    const xs = given.map((x) => (options.batchSize !== undefined ? x.slice(0, Math.min(options.batchSize, x.shape[0] ?? 0)) : x));
    const ys = probe.predict(xs) as tf.Tensor | tf.Tensor[];
    const values = Array.isArray(ys) ? ys : [ys];
    const stats = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t.toFloat());
      return { mean: mean.dataSync()[0], std: Math.sqrt(variance.dataSync()[0]) };
    };
    const produced = new Map<tf.layers.Layer, tf.Tensor[]>();
    let k = 0;
    inner.forEach((l, i) => {
      const n = Array.isArray(outputs[i]) ? (outputs[i] as tf.SymbolicTensor[]).length : 1;
      produced.set(l, values.slice(k, (k += n)));
    });
    model.inputs.forEach((s, i) => produced.set(s.sourceLayer as tf.layers.Layer, [xs[i]]));
    rows = model.layers.map((l): TraceRow => {
      const ts = produced.get(l) ?? [];
      return { layer: l.name, class: l.getClassName(), 'output shape': ts.map((t) => formatShape(t.shape)).join(', '), ...stats(ts[0]) };
    });
  });
  return rows;
}
