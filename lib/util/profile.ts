/**
 * Run profiles. `AVLAB_PROFILE=quick|full` sizes data and epochs; notebooks read it in their first
 * cell. `quick` keeps every notebook to well under a minute of training for tests and CI; `full`
 * matches the course kit's sizes and schedule.
 */
export type Profile = 'quick' | 'full';

/** Parses `AVLAB_PROFILE` (default `full`), rejecting unknown values. */
export function profileName(value = process.env.AVLAB_PROFILE): Profile {
  const v = (value ?? 'full').trim().toLowerCase() || 'full';
  if (v !== 'quick' && v !== 'full') throw new Error(`AVLAB_PROFILE=${value}: expected quick or full`);
  return v;
}

/** Scene-classification sizes per profile. */
export interface SceneProfile {
  profile: Profile;
  /** Clips per class in the train / val / test splits of the simulator. */
  clipsPerClass: { train: number; val: number; test: number };
  /** Frames per clip the simulator generates (the course kit keeps 96). */
  frames: number;
  /** Upper bound on training epochs (early stopping usually ends sooner). */
  maxEpochs: number;
}

/** The scene-classification profile for `profile` (default from the environment). */
export function sceneProfile(profile: Profile = profileName()): SceneProfile {
  return profile === 'quick'
    ? { profile, clipsPerClass: { train: 120, val: 30, test: 60 }, frames: 8, maxEpochs: 12 }
    : { profile, clipsPerClass: { train: 690, val: 175, test: 365 }, frames: 16, maxEpochs: 100 };
}
