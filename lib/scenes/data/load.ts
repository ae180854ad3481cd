/**
 * The notebooks' data entry point: the course kit's real features when `AVLAB_SCENES` points at
 * them, the embedded simulator otherwise.
 */
import { sceneProfile, Profile } from '../../util/profile';
import { loadCourseKit } from './courseKit';
import { simulateScenes, SceneSimOptions } from './simulator';
import { clipLevelDataset, fitStandardiser, SceneDataset, SceneSplit, standardise } from './types';

/** Options of `loadScenes`. */
export interface LoadScenesOptions {
  profile?: Profile;
  /** `clip` (mean over frames, the MLP experiments) or `sequence` (frames kept). */
  view?: 'clip' | 'sequence';
  /** Course-kit directory; default `AVLAB_SCENES`; when absent the simulator is used. */
  courseKit?: string;
  /** Simulator overrides (seed, noise, …). */
  sim?: Partial<SceneSimOptions>;
}

/** Loads the scene data for a notebook; see the module comment. */
export async function loadScenes(o: LoadScenesOptions = {}): Promise<SceneDataset> {
  const view = o.view ?? 'clip';
  const kit = o.courseKit ?? process.env.AVLAB_SCENES;
  if (kit) return loadCourseKit(kit, { view });
  const p = sceneProfile(o.profile);
  const ds = simulateScenes({ clipsPerClass: p.clipsPerClass, frames: p.frames, ...o.sim });
  const described = standardiseDataset({ ...ds, description: `${ds.description}, ${p.profile} profile` });
  return view === 'clip' ? clipLevelDataset(described) : described;
}

/** Standardises both modalities with per-feature statistics fitted on the train split only, as the course kit does. */
export function standardiseDataset(ds: SceneDataset): SceneDataset {
  const a = fitStandardiser(ds.train.audio, ds.train.dim);
  const v = fitStandardiser(ds.train.video, ds.train.dim);
  const apply = (s: SceneSplit): SceneSplit => ({ ...s, audio: standardise(s.audio, a), video: standardise(s.video, v) });
  return { ...ds, train: apply(ds.train), val: apply(ds.val), test: apply(ds.test) };
}
