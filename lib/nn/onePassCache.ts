import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-layers' executor applies a layer once for each of its output tensors (it walks the graph's
 * tensors, not its nodes), so a layer with three outputs computed everything three times per forward
 * pass. Layers with several outputs compute through a `OnePassCache`: a call with the same input
 * tensors inside the same engine scope (one application of the model) returns the first call's
 * outputs. Outside any scope, or once those outputs are disposed, it computes afresh.
 */
export class OnePassCache {
  private key: string | null = null;
  private outputs: tf.Tensor[] = [];

  /** The outputs of `compute` for these inputs, computed once per model application. */
  outputsFor(inputs: tf.Tensor[], compute: () => tf.Tensor[]): tf.Tensor[] {
    const scope = (tf.engine().state as unknown as { activeScope: { id: number } | null }).activeScope;
    const key = scope ? `${scope.id}:${inputs.map((t) => t.id).join(',')}` : null;
    if (key !== null && key === this.key && this.outputs.every((t) => !t.isDisposed)) return this.outputs;
    this.outputs = compute();
    this.key = key;
    return this.outputs;
  }
}
