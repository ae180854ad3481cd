import { simulateMilClips } from '../lib/mil/data/simulator';
import { proposeRegions, DEFAULT_PROPOSAL_OPTIONS } from '../lib/mil/features/proposals';
const clips = simulateMilClips({ seed: 1, clips: 20 });
const S = 32;
console.log('windows sizes', DEFAULT_PROPOSAL_OPTIONS.sizes.length);
for (const topK of [5]) {
  const t0 = process.hrtime.bigint();
  for (const c of clips) for (let f = 0; f < 10; f++) proposeRegions(c.frames.subarray(f * S * S * 3, (f + 1) * S * S * 3), S, { ...DEFAULT_PROPOSAL_OPTIONS, topK });
  console.log(topK, Number(process.hrtime.bigint() - t0) / 1e6 / 200, 'ms/frame');
}
