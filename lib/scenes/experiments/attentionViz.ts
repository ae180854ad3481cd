/** Picks example clips and reads a sequence model's attention weights for them. */
import * as tf from '@tensorflow/tfjs';
import { SceneSplit } from '../data/types';
import { attentionWeights } from '../models/attention';
import { SceneModel } from '../models/registry';
import type { AttentionRow } from '../figures/attention';

/** Indices of the first clip of each of the first `count` classes present in the split. */
export function exampleClips(split: SceneSplit, count: number): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  split.labels.forEach((c, i) => {
    if (!seen.has(c) && out.length < count) {
      seen.add(c);
      out.push(i);
    }
  });
  return out;
}

/**
 * Attention rows for the given clips of a sequence split: one entry per attention the model has
 * (`multimodal` for `attention`; `audio`, `video` and `multimodal` for `attention2`), each row
 * labelled with the clip's class and the model's prediction.
 */
export function clipAttention(model: SceneModel, split: SceneSplit, clips: number[], classes: string[]): Record<string, AttentionRow[]> {
  const { frames: T, dim: D } = split;
  const pick = (src: Float32Array) => {
    const out = new Float32Array(clips.length * T * D);
    clips.forEach((c, i) => out.set(src.subarray(c * T * D, (c + 1) * T * D), i * T * D));
    return tf.tensor3d(out, [clips.length, T, D]);
  };
  const inputs = model.inputs.map((m) => pick(m === 'audio' ? split.audio : split.video));
  const weights = attentionWeights(model, inputs);
  const logits = model.net.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
  const predicted = Array.from(tf.tidy(() => tf.argMax(logits, 1)).dataSync());
  const out: Record<string, AttentionRow[]> = {};
  for (const [name, w] of Object.entries(weights)) {
    const values = w.arraySync();
    out[name] = clips.map((c, i) => ({ label: `${classes[split.labels[c]]} → ${classes[predicted[i]]}`, weights: values[i] }));
    w.dispose();
  }
  [...inputs, logits].forEach((t) => t.dispose());
  return out;
}
