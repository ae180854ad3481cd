import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { simulateInstances, fitAudioNorm } from '../lib/mil/features/instances';
import { buildMilModel, milBatches, milTask, MIL_VARIANTS, predictMil } from '../lib/mil/models/milModel';
import { fit } from '../lib/training/fit';
async function main() {
  const info = await initBackend((process.env.B as any) ?? 'auto');
  console.log(info.detail);
  let t0 = Date.now();
  const train = simulateInstances({ seed: 11 }, Number(process.env.N ?? 160));
  const val = simulateInstances({ seed: 12 }, 60);
  console.log('data', (Date.now() - t0) / 1000);
  const norm = fitAudioNorm(train);
  for (const v of MIL_VARIANTS.filter((v) => !process.env.V || v.id === process.env.V)) {
    const m = buildMilModel(v, train, norm, 1);
    t0 = Date.now();
    const before = tf.memory().numTensors;
    const r = await fit(milTask(m), milBatches(train, norm), { features: val }, { seed: 1, lr: Number(process.env.LR ?? 3e-3), weightDecay: 1e-4, batchSize: 16, maxEpochs: Number(process.env.E ?? 4), plateau: { patience: 3, factor: 0.5, threshold: 1e-4, minLr: 0 }, earlyStop: 100, select: { metric: 'f1' }, schedule: 'constant' });
    console.log(v.id, 'sec', (Date.now() - t0) / 1000, 'best', r.bestEpoch, r.history.map((h) => `${h.trainLoss.toFixed(3)}/${h.valLoss.toFixed(3)}/${h.metrics.f1.toFixed(3)}`).join(' '), 'tensors', tf.memory().numTensors - before);
  }
}
main();
