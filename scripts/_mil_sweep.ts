import { initBackend } from '../lib/backend';
import * as mil from '../lib/mil';
async function main() {
  await initBackend('auto');
  const p = { ...mil.milProfile((process.env.P as any) ?? 'quick') };
  if (process.env.SEEDS) p.seeds = process.env.SEEDS.split(',').map(Number);
  let t0 = Date.now();
  const data = mil.simulateMilData(p, 2018);
  console.log('data', (Date.now() - t0) / 1000, data.description);
  t0 = Date.now();
  const runs = await mil.runMilSweep(data, p, { log: console.log });
  console.log('sweep', (Date.now() - t0) / 1000);
  console.table(mil.milResultRows(runs));
  console.table(mil.milSyncRows(runs));
  console.table(mil.milChanceRows(runs));
  console.log(JSON.stringify(mil.perClassF1(runs)));
}
main();
