import assert from 'node:assert/strict';
import { MIL_CLASSES, simulateMilClips } from '../../lib/mil/data/simulator';
import { intervalOverlap } from '../../lib/metrics/localisation';
import { extractInstances } from '../../lib/mil/features/instances';
import { proposalRecall as proposalRecallOf } from '../../lib/mil/evaluate';

describe('MIL event simulator', () => {
  const clips = simulateMilClips({ seed: 5, clips: 40 });

  it('is deterministic, and a set made in chunks equals the set made at once', () => {
    const again = simulateMilClips({ seed: 5, clips: 40 });
    const tail = simulateMilClips({ seed: 5, clips: 20, start: 20 });
    for (let i = 0; i < 40; i++) {
      assert.deepEqual(again[i].audio, clips[i].audio);
      assert.deepEqual(again[i].frames, clips[i].frames);
      assert.deepEqual(again[i].events, clips[i].events);
    }
    for (let i = 0; i < 20; i++) assert.deepEqual(tail[i].audio, clips[20 + i].audio);
    assert.notDeepEqual(simulateMilClips({ seed: 6, clips: 1 })[0].audio, clips[0].audio);
  });

  it('labels are the classes of the events; clips have 1–3 events of distinct classes', () => {
    for (const c of clips) {
      assert.ok(c.events.length >= 1 && c.events.length <= 3);
      assert.equal(new Set(c.events.map((e) => e.cls)).size, c.events.length);
      assert.deepEqual(Array.from(c.labels), MIL_CLASSES.map((_, k) => (c.events.some((e) => e.cls === k) ? 1 : 0)));
      assert.equal(c.audio.length, 80000);
      assert.equal(c.frames.length, 10 * 32 * 32 * 3);
      assert.ok(c.audio.every(Number.isFinite));
    }
  });

  it('unsynchronised events are really offset: the object is never on screen while its sound plays', () => {
    let unsync = 0;
    let sync = 0;
    for (const c of clips) {
      for (const e of c.events) {
        if (!e.audio || e.frames.length === 0) continue;
        const seen: [number, number] = [e.frames[0], e.frames[e.frames.length - 1] + 1];
        if (c.synchronised) {
          sync++;
          assert.equal(e.offset, 0);
          assert.ok(intervalOverlap(seen, e.audio) > 0, 'synchronised: seen while heard');
        } else {
          unsync++;
          assert.equal(intervalOverlap(seen, e.audio), 0, `${c.id}: sound ${e.audio} overlaps frames ${e.frames}`);
          assert.ok(Math.abs(e.offset!) >= 1.5, `offset ${e.offset}`);
        }
      }
    }
    assert.ok(sync > 5 && unsync > 5, `both kinds occur (${sync} synchronised, ${unsync} unsynchronised events)`);
  });

  it('boxes lie in the frame and the object is drawn in them', () => {
    for (const c of clips.slice(0, 10)) {
      for (const e of c.events) {
        e.boxes.forEach((b, j) => {
          assert.ok(b[0] >= 0 && b[1] >= 0 && b[2] <= 32 && b[3] <= 32 && b[2] > b[0] && b[3] > b[1]);
          // The box centre pixel is near the class colour (shapes are filled at their centre; events are drawn last).
          const [x, y] = [Math.floor((b[0] + b[2]) / 2), Math.floor((b[1] + b[3]) / 2)];
          const o = ((e.frames[j] * 32 + y) * 32 + x) * 3;
          const want = MIL_CLASSES[e.cls].look.colour;
          const d = Math.hypot(...[0, 1, 2].map((k) => c.frames[o + k] - want[k]));
          assert.ok(d < 0.45, `${c.id} class ${e.cls} frame ${e.frames[j]}: colour distance ${d}`);
        });
      }
    }
  });

  it('the proposals find most objects, but not all (IoU ≥ 0.5 for 60–95 % of visible objects)', () => {
    const r = proposalRecallOf(extractInstances(clips.slice(0, 20)));
    assert.ok(r > 0.6 && r < 0.95, `proposal recall ${r}`);
  });
});
