import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import * as x from '../lib/avts/experiment';
(async () => {
  await initBackend('auto');
  const p = x.avtsProfile((process.env.AVLAB_PROFILE as any) ?? 'quick');
  let t = Date.now();
  const data = x.simulateAvtsData(p, 7);
  console.log(data.description, Date.now() - t, 'ms');
  const e = await x.runAvtsExperiment(data, p, { log: (l) => console.log(l) });
  console.log('experiment', e.seconds, 's; tensors', tf.memory().numTensors);
  console.table(x.syncResultRows(e, p.pairs.superHard));
  console.table(x.curriculumGainRows(e));
  console.table(x.downstreamRows(e.downstream));
  require('fs').writeFileSync('/tmp/avts_exp.json', JSON.stringify({ ...e, runs: Object.fromEntries(Object.entries(e.runs).map(([k, rs]) => [k, rs.map((r) => ({ ...r, scores: undefined }))])) }));
})();
