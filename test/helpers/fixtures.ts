/**
 * Shared test fixtures: temporary directories that clean up after themselves, and a tiny
 * deterministic scene data set with DCASE-style clip ids for the course-kit tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCENE_CLASSES, type SceneDataset, type SceneSplit } from '../../lib/scenes/data/types';
import { type Hdf5DatasetSpec, withHdf5, writeHdf5 } from '../../lib/io/hdf5';
import type { NpyArray } from '../../lib/io/npy';
import { Rng } from '../../lib/util/rng';

/** A fresh directory under os.tmpdir(); remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'avlab-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a directory made by `makeTempDir` and everything in it. */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Every file below `dir`, as paths relative to it, sorted (for "nothing was written" checks). */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Sizes of the tiny scene fixture. */
export interface TinyScenesOptions {
  clipsPerClass?: number;
  frames?: number;
  dim?: number;
  seed?: number;
}

const CITIES = ['lisbon', 'lyon', 'prague'];

/**
 * A small scene data set (default 3 clips per class per split, T = 4, dim = 8) whose ids follow
 * the DCASE pattern `<scene>-<city>-<location>-<segment>`, one city per split so locations never
 * cross splits. Values are seeded normals shifted per class, modality and split.
 */
export function tinyScenes(opts: TinyScenesOptions = {}): SceneDataset {
  const { clipsPerClass = 3, frames = 4, dim = 8, seed = 11 } = opts;
  const rng = new Rng(seed);
  const split = (cityIndex: number, offset: number): SceneSplit => {
    const ids: string[] = [];
    const labels: number[] = [];
    const locations: string[] = [];
    SCENE_CLASSES.forEach((scene, label) => {
      for (let j = 0; j < clipsPerClass; j++) {
        const city = CITIES[cityIndex];
        const location = 100 * (label + 1) + j;
        ids.push(`${scene}-${city}-${location}-${1000 * cityIndex + j}`);
        labels.push(label);
        locations.push(`${city}-${location}`);
      }
    });
    const n = ids.length;
    const audio = rng.fillNormal(new Float32Array(n * frames * dim));
    const video = rng.fillNormal(new Float32Array(n * frames * dim));
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < frames * dim; k++) {
        audio[i * frames * dim + k] += labels[i] + offset;
        video[i * frames * dim + k] -= 0.5 * labels[i] + offset;
      }
    }
    return { ids, labels: Int32Array.from(labels), locations, frames, dim, audio, video };
  };
  return {
    classes: [...SCENE_CLASSES],
    train: split(0, 0),
    val: split(1, 0.25),
    test: split(2, -0.25),
    source: 'simulated',
    description: `tiny scene fixture (seed ${seed})`,
  };
}

/**
 * Reads every dataset of an HDF5 file, lets `edit` change the list, and writes the file again
 * (used to break a valid fixture in one precise way). Groups left empty are kept unless
 * `keepGroups` is false.
 */
export async function rewriteHdf5(
  file: string,
  edit: (specs: Hdf5DatasetSpec[]) => Hdf5DatasetSpec[],
  keepGroups = true,
): Promise<void> {
  const { specs, groups } = await withHdf5(file, (r) => {
    const listing = r.list();
    return {
      groups: listing.groups,
      specs: listing.datasets.map((d) => ({ key: d.path, ...r.readFloat32(d.path) })),
    };
  });
  await writeHdf5(file, edit(specs), { groups: keepGroups ? groups : [] });
}

/** One array of every supported dtype, with values that exercise sign, range and precision. */
export function everyDtype(): NpyArray[] {
  return [
    { dtype: '<f4', shape: [2, 3], data: Float32Array.from([0, -1.5, 3.25, 1e-7, -65504, 0.1]) },
    { dtype: '<f8', shape: [3], data: Float64Array.from([Math.PI, -0, 1e300]) },
    { dtype: '<i2', shape: [2, 2], data: Int16Array.from([-32768, 32767, 0, -1]) },
    { dtype: '<i4', shape: [1, 2, 2], data: Int32Array.from([-2147483648, 2147483647, 7, -7]) },
    { dtype: '<i8', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n]) },
    { dtype: '|u1', shape: [4], data: Uint8Array.from([0, 1, 128, 255]) },
    { dtype: '|b1', shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
  ];
}

/** The feature files of a course kit (what `writeCourseKit` writes), sorted. */
export const COURSE_KIT_FILES = [
  'feature/audio_features_data/global_mean_std.npz',
  'feature/audio_features_data/test.hdf5',
  'feature/audio_features_data/train.hdf5',
  'feature/audio_features_data/val.hdf5',
  'feature/video_features_data/global_mean_std.npz',
  'feature/video_features_data/test.hdf5',
  'feature/video_features_data/train.hdf5',
  'feature/video_features_data/val.hdf5',
];
