/**
 * Benchmark workloads: the models avlab trains, on fixed random data of the real shapes, timed
 * per training epoch. `scripts/bench/reference_torch.py` builds the same networks in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import { buildSceneModel } from '../scenes/models/registry';
import { buildResNet } from '../collisions/models/resnet';
import { buildAudioEncoder, buildVideoEncoder, DEFAULT_AVTS_MODEL } from '../avts/models/encoders';
import { avtsContrastiveLoss } from '../losses/contrastive';
import { classificationBatches, classificationTask, TrainableModel, TensorData } from '../training/classification';
import { trainEpoch, type BatchSource, type FitTask } from '../training/fit';
import { makeAdam } from '../training/optimizer';
import { taskProbe } from '../training/probe';
import { disposeTensorData } from '../scenes/data/tensors';
import type { BackendProbe } from '../backend/probe';
import { TrainConfig, COURSE_TRAIN_CONFIG } from '../training/config';
import { Rng } from '../util/rng';

/** A workload: a model, its training data and the optimiser settings. */
export interface Workload {
  name: string;
  /** One line for the results table. */
  description: string;
  model: TrainableModel;
  data: TensorData;
  config: TrainConfig;
  /** The classification task and batch source `fit` would train (time one epoch with `trainEpoch`). */
  task: FitTask<tf.Tensor[], TensorData>;
  batches: BatchSource<tf.Tensor[]>;
}

function workload(w: Omit<Workload, 'task' | 'batches'>): Workload {
  return { ...w, task: classificationTask(w.model), batches: classificationBatches(w.data) };
}

/** Shapes of every workload (the PyTorch reference reads the same numbers). */
export const WORKLOAD_SHAPES = {
  mlp: { samples: 4096, batch: 64, dim: 512, classes: 10 },
  lstm: { samples: 1024, batch: 128, frames: 16, dim: 512, classes: 10 },
  conv: { samples: 512, batch: 32, height: 64, width: 64, channels: 4, classes: 10 },
  avts: { samples: 256, batch: 16, frames: 10, size: 32, specFrames: 40, bands: 32, mics: 4, embed: 32 },
} as const;

export type WorkloadName = keyof typeof WORKLOAD_SHAPES;

/** Small versions of every workload for tests: each kernel of the real step runs, in seconds. */
export const SMALL_WORKLOAD_SHAPES: { [N in WorkloadName]: Partial<WorkloadShape<N>> } = {
  mlp: { samples: 96, batch: 32, dim: 24 },
  lstm: { samples: 48, batch: 16, frames: 5, dim: 12 },
  conv: { samples: 24, batch: 8, height: 16, width: 12 },
  avts: { samples: 12, batch: 6, frames: 4, size: 8, specFrames: 16, bands: 8 },
};

function randomData(rng: Rng, n: number, shapes: number[][], classes: number): TensorData {
  return {
    inputs: shapes.map((s) => tf.tensor(rng.fillNormal(new Float32Array(n * s.reduce((a, b) => a * b, 1))), [n, ...s])),
    labels: tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(classes)), 'int32'),
    size: n,
  };
}

/** Shapes of one workload, for overriding (smaller ones in tests). */
export type WorkloadShape<N extends WorkloadName> = { -readonly [K in keyof (typeof WORKLOAD_SHAPES)[N]]: number };

/** Builds a workload by name, at the benchmark's shapes or with some of them overridden. */
export function buildWorkload<N extends WorkloadName>(name: N, seed = 0, shape: Partial<WorkloadShape<N>> = {}): Workload {
  const rng = new Rng(seed);
  const sized = <M extends WorkloadName>(m: M): WorkloadShape<M> => ({ ...WORKLOAD_SHAPES[m], ...(shape as object) }) as WorkloadShape<M>;
  switch (name as WorkloadName) {
    case 'mlp': {
      const s = sized('mlp');
      const m = buildSceneModel('early', { dim: s.dim, classes: s.classes, seed });
      return workload({
        name,
        description: `scene MLP (early fusion 1024→512→128→128→10, BN, dropout), ${s.samples} clips, batch ${s.batch}, Adam`,
        model: m,
        data: randomData(rng, s.samples, [[s.dim], [s.dim]], s.classes),
        config: { ...COURSE_TRAIN_CONFIG, batchSize: s.batch, seed },
      });
    }
    case 'lstm': {
      const s = sized('lstm');
      const m = buildSceneModel('attention', { dim: s.dim, classes: s.classes, seed });
      return workload({
        name,
        description: `LSTM attention (projection 512→128, LSTM 128 per modality, additive attention, decoder step), ${s.samples} clips of ${s.frames}×${s.dim}, batch ${s.batch}, Adam`,
        model: m,
        data: randomData(rng, s.samples, [[s.frames, s.dim], [s.frames, s.dim]], s.classes),
        config: { ...COURSE_TRAIN_CONFIG, batchSize: s.batch, seed },
      });
    }
    case 'conv': {
      const s = sized('conv');
      const r = buildResNet({ inputShape: [s.height, s.width, s.channels], classes: s.classes, seed });
      return workload({
        name,
        description: `ResNet (stem + 3 BasicBlocks, 16/32/64 channels) on ${s.height}×${s.width}×${s.channels} spectrograms, ${s.samples} clips, batch ${s.batch}, Adam`,
        model: { net: r.net, dropouts: [] },
        data: randomData(rng, s.samples, [[s.height, s.width, s.channels]], s.classes),
        config: { ...COURSE_TRAIN_CONFIG, batchSize: s.batch, seed },
      });
    }
    case 'avts': {
      // The AVTS encoders' training step: each row is a (video window, audio window, sync label)
      // pair, the loss the contrastive loss on ‖f_v(v) − f_a(a)‖₂ (margin 1).
      const s = sized('avts');
      const opts = { ...DEFAULT_AVTS_MODEL, embedDim: s.embed, videoShape: [s.frames, s.size, s.size, 3] as [number, number, number, number], audioShape: [s.specFrames, s.bands, s.mics] as [number, number, number], seed };
      const video = buildVideoEncoder(opts).net;
      const audio = buildAudioEncoder(opts).net;
      const vIn = tf.input({ shape: opts.videoShape });
      const aIn = tf.input({ shape: opts.audioShape });
      const net = tf.model({ inputs: [vIn, aIn], outputs: [video.apply(vIn) as tf.SymbolicTensor, audio.apply(aIn) as tf.SymbolicTensor], name: 'avts_pair' });
      const data = randomData(rng, s.samples, [opts.videoShape, opts.audioShape], 2);
      const model: TrainableModel = { net, dropouts: [] };
      const task: FitTask<tf.Tensor[], TensorData> = {
        nets: [net],
        loss: (batch, training) =>
          tf.tidy(() => {
            const [fv, fa] = net.apply(batch.slice(0, 2), { training }) as tf.Tensor2D[];
            return avtsContrastiveLoss(fv, fa, batch[2] as tf.Tensor1D, 1);
          }),
        evaluate: async () => ({ loss: 0, metrics: {} }),
      };
      return {
        name,
        description: `AVTS encoders (MC video: 2 conv3d + 1 per-frame conv2d blocks, ${DEFAULT_AVTS_MODEL.videoWidths.join('/')} channels, on ${s.frames}×${s.size}×${s.size}×3; audio: 3 conv2d blocks on ${s.specFrames}×${s.bands}×${s.mics}), contrastive loss, ${s.samples} pairs, batch ${s.batch}, Adam`,
        model,
        data,
        config: { ...COURSE_TRAIN_CONFIG, batchSize: s.batch, seed },
        task,
        batches: classificationBatches(data),
      };
    }
    default:
      throw new Error(`unknown workload ${name as string}`);
  }
}

/**
 * Trains a workload for a few epochs on the active backend: the training losses and the tensor count
 * after each epoch. Backends are compared on these (same seed, same losses within float error).
 */
export async function trainWorkload<N extends WorkloadName>(
  name: N,
  opts: { seed?: number; shape?: Partial<WorkloadShape<N>>; epochs?: number } = {},
): Promise<{ losses: number[]; tensors: number[] }> {
  const w = buildWorkload(name, opts.seed ?? 3, opts.shape ?? SMALL_WORKLOAD_SHAPES[name]);
  const optimizer = makeAdam(w.config.lr, w.config.weightDecay);
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let e = 0; e < (opts.epochs ?? 3); e++) {
    losses.push(await trainEpoch(w.task, optimizer, w.batches, w.config, e));
    tensors.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  disposeTensorData(w.data);
  w.model.net.dispose();
  return { losses, tensors };
}

/** Updates per timed round of each workload's probe: fewer where a step is long on the CPU. */
const PROBE_STEPS: { [N in WorkloadName]: number } = { mlp: 8, lstm: 4, conv: 4, avts: 2 };

/**
 * A workload's training step as the probe `initBackend('auto', { probe })` times on each backend
 * (two batches of random data at the benchmark's shapes, or `shape`).
 */
export function workloadProbe<N extends WorkloadName>(name: N, shape: Partial<WorkloadShape<N>> = {}): BackendProbe {
  const batch = (shape as { batch?: number }).batch ?? WORKLOAD_SHAPES[name].batch;
  const sized = { ...shape, samples: 2 * batch } as Partial<WorkloadShape<N>>;
  const dims = { ...WORKLOAD_SHAPES[name], ...sized };
  return taskProbe(
    `workload ${name} ${Object.entries(dims).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    () => {
      const w = buildWorkload(name, 0, sized);
      return { task: w.task, batches: w.batches, batchSize: w.config.batchSize, dispose: () => (disposeTensorData(w.data), w.model.net.dispose()) };
    },
    PROBE_STEPS[name],
  );
}
