import { simulateMilClips } from '../lib/mil/data/simulator';
import { proposeRegions } from '../lib/mil/features/proposals';
import { audioSegments } from '../lib/mil/features/audioSegments';
import { boxIoU } from '../lib/metrics/localisation';
let t0 = Date.now();
const clips = simulateMilClips({ seed: 1, clips: 100 });
console.log('sim', (Date.now() - t0) / 1000);
t0 = Date.now();
let hit = 0, tot = 0, anyHit = 0;
for (const c of clips) {
  const S = c.frameSize;
  for (let f = 0; f < 10; f++) {
    const fr = c.frames.subarray(f * S * S * 3, (f + 1) * S * S * 3);
    const p = proposeRegions(fr, S);
    for (const e of c.events) {
      const k = e.frames.indexOf(f);
      if (k < 0) continue;
      tot++;
      const best = Math.max(...p.boxes.map((b) => boxIoU(b, e.boxes[k])));
      if (best >= 0.5) hit++;
    }
  }
}
console.log('proposals', (Date.now() - t0) / 1000, 'recall@5', hit / tot, tot);
t0 = Date.now();
for (const c of clips) audioSegments(c.audio, c.sampleRate);
console.log('segments', (Date.now() - t0) / 1000);
const sync = clips.filter((c) => c.synchronised).length;
console.log('sync', sync, 'labels/clip', clips.reduce((s, c) => s + c.labels.reduce((a, b) => a + b, 0), 0) / clips.length);
