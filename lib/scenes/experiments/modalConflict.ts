/**
 * The analyses of notebook 05 on trained scene runs: where the modalities conflict and which fusion
 * resolves it, robustness to a degraded or missing modality, and calibration.
 */
import { SceneDataset } from '../data/types';
import { expectedCalibrationError } from '../../metrics/calibration';
import type { CurveSeries } from '../../plots/curves';
import { meanStd } from '../../stats/descriptive';
import { disagreementMatrix, DisagreementCounts, fusionGains, FusionGain, perClassSideBySide, resolution, SideBySideRow, topConfusionPairs, ConfusionPair } from './conflict';
import { addModalityNoise, dropModality } from './robustness';
import { restoreSceneModel, SceneRunResult, scoreSplit } from './sceneRun';
import { groupRuns, SeedRun } from './seedStats';

/** Everything the modal-conflict section shows. */
export interface ConflictReport {
  /** Report B's table 2 layout: multimodal vs audio-only P/R/F per class. */
  versusAudio: SideBySideRow[];
  /** Report B's table 3 layout: multimodal vs video-only. */
  versusVideo: SideBySideRow[];
  gains: FusionGain[];
  audioConfusions: ConfusionPair[];
  videoConfusions: ConfusionPair[];
  disagreement: DisagreementCounts;
  /** Per fusion method: how often it is right when only audio, only video, or neither is right. */
  resolution: Record<string, string | number>[];
}

/**
 * Modal-conflict analysis of one seed's runs: `fused` names the multimodal model of the side-by-side
 * tables (the course baseline, `intermediate`, by default).
 */
export function conflictReport(runs: Map<string, SceneRunResult>, classes: string[], fused = 'intermediate'): ConflictReport {
  const get = (k: string) => {
    const r = runs.get(k);
    if (!r) throw new Error(`conflictReport needs a ${k} run`);
    return r;
  };
  const audio = get('audio-only');
  const video = get('video-only');
  const multi = get(fused);
  const resolutionRows = [...runs]
    .filter(([k]) => k !== 'audio-only' && k !== 'video-only')
    .map(([k, r]) => {
      const res = resolution(audio.yTrue, audio.yPred, video.yPred, r.yPred);
      const pct = (c: { rate: number }) => Number((100 * c.rate).toFixed(1));
      return {
        method: k,
        'only audio right: fused right %': pct(res.audioOnly),
        'only video right: fused right %': pct(res.videoOnly),
        'conflicts resolved %': pct(res.conflicts),
        'neither right: fused right %': pct(res.neither),
        'both right: fused right %': pct(res.bothRight),
      };
    })
    .sort((a, b) => b['conflicts resolved %'] - a['conflicts resolved %']);
  return {
    versusAudio: perClassSideBySide(classes, multi.report, audio.report, { labels: ['M', 'A'], digits: 2 }),
    versusVideo: perClassSideBySide(classes, multi.report, video.report, { labels: ['M', 'V'], digits: 2 }),
    gains: fusionGains(classes, multi.report, audio.report, video.report),
    audioConfusions: topConfusionPairs(audio.confusion, classes, 5),
    videoConfusions: topConfusionPairs(video.confusion, classes, 5),
    disagreement: disagreementMatrix(audio.yTrue, audio.yPred, video.yPred),
    resolution: resolutionRows,
  };
}

/** A trained run to probe: the method name shown, and its run directory (the model is rebuilt from its spec.json). */
export interface ProbeRun {
  name: string;
  runDir: string;
}

/** Accuracy curves under noise on each modality, and accuracy with each modality missing. */
export interface RobustnessReport {
  audioNoise: CurveSeries[];
  videoNoise: CurveSeries[];
  missing: Record<string, string | number>[];
}

/**
 * Restores each run's best model and scores the test split with Gaussian noise of each std added to
 * one (standardised) modality, and with one modality replaced by its training mean (zeros).
 */
export async function robustnessReport(
  runs: ProbeRun[],
  data: SceneDataset,
  options: { stds?: number[] } = {},
): Promise<RobustnessReport> {
  // Per-frame noise on 512 redundant coordinates averages out quickly; the levels reach far enough to show the collapse.
  const stds = options.stds ?? [0, 1, 2, 4, 8, 16];
  const audioNoise: CurveSeries[] = [];
  const videoNoise: CurveSeries[] = [];
  const missing: Record<string, string | number>[] = [];
  for (const run of runs) {
    const model = restoreSceneModel(run.runDir);
    try {
      const acc = async (split: typeof data.test) => (await scoreSplit(model, split)).accuracy;
      const curve = async (modality: 'audio' | 'video') => {
        const y: number[] = [];
        for (const std of stds) y.push(await acc(std === 0 ? data.test : addModalityNoise(data.test, modality, std, 1)));
        return { name: run.name, x: stds, y };
      };
      audioNoise.push(await curve('audio'));
      videoNoise.push(await curve('video'));
      const clean = audioNoise[audioNoise.length - 1].y[0];
      missing.push({
        method: run.name,
        'both modalities': Number(clean.toFixed(3)),
        'audio missing': Number((await acc(dropModality(data.test, 'audio'))).toFixed(3)),
        'video missing': Number((await acc(dropModality(data.test, 'video'))).toFixed(3)),
      });
    } finally {
      model.net.dispose();
    }
  }
  return { audioNoise, videoNoise, missing };
}

/** Expected calibration error (15 bins) per method: mean ± std over seeds. */
export function calibrationRows(runs: SeedRun[]): Record<string, string | number>[] {
  return [...groupRuns(runs)].map(([method, rs]) => {
    const ece = meanStd(rs.map((r) => expectedCalibrationError(r.result.probs, r.result.yTrue)));
    return { method, seeds: rs.length, 'ECE mean': Number(ece.mean.toFixed(4)), 'ECE std': Number((ece.std || 0).toFixed(4)) };
  });
}
