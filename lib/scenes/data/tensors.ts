/** Moves scene splits onto the backend in the layout the models take. */
import * as tf from '@tensorflow/tfjs';
import { SceneSplit } from './types';
import { Modality } from '../models/registry';
import { TensorData } from '../../training/classification';

/**
 * The split's features for the given modalities as `[N, dim]` (frames = 1) or `[N, T, dim]`
 * tensors, with int32 labels. Dispose with `disposeTensorData`.
 */
export function sceneTensors(split: SceneSplit, inputs: Modality[]): TensorData {
  const n = split.ids.length;
  const shape = split.frames === 1 ? [n, split.dim] : [n, split.frames, split.dim];
  return {
    inputs: inputs.map((m) => tf.tensor(m === 'audio' ? split.audio : split.video, shape, 'float32')),
    labels: tf.tensor1d(split.labels, 'int32'),
    size: n,
  };
}

/** Frees the tensors of a TensorData. */
export function disposeTensorData(data: TensorData): void {
  data.inputs.forEach((t) => t.dispose());
  data.labels.dispose();
}
