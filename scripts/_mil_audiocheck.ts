import { simulateMilClips, MIL_CLASSES } from '../lib/mil/data/simulator';
import { audioSegments, segmentSpan } from '../lib/mil/features/audioSegments';
import { intervalOverlap } from '../lib/metrics/localisation';
const clips = simulateMilClips({ seed: 3, clips: 60 });
const M = 32, L = 24;
for (let c = 0; c < 6; c++) {
  const inside: number[] = new Array(M).fill(0), outside: number[] = new Array(M).fill(0);
  let ni = 0, no = 0;
  for (const clip of clips) {
    const e = clip.events.find((x) => x.cls === c && x.audio);
    if (!e) continue;
    const seg = audioSegments(clip.audio, 8000);
    for (let s = 0; s < 10; s++) {
      const inEv = intervalOverlap(segmentSpan(s), e.audio!) > 0.9;
      const anyEv = clip.events.some((x) => x.audio && intervalOverlap(segmentSpan(s), x.audio) > 0);
      for (let m = 0; m < M; m++) {
        let v = 0; for (let t = 0; t < L; t++) v += seg[(s * M + m) * L + t] / L;
        if (inEv) inside[m] += v; else if (!anyEv) outside[m] += v;
      }
      if (inEv) ni++; else if (!anyEv) no++;
    }
  }
  console.log(MIL_CLASSES[c].name.padEnd(14), inside.map((v, m) => (v / ni - outside[m] / no).toFixed(1)).join(' '));
}
