/**
 * The SJTU AI3611 audio-visual scene course kit (DCASE 2021 Task 1B OpenL3 features) as a
 * `SceneDataset`, and the writer that produces the same layout from any `SceneDataset`.
 *
 * Layout (`<root>` may also be the `feature` directory itself):
 *
 *     <root>/feature/audio_features_data/{train,val,test}.hdf5   dataset "<label>/audio/<clip>"
 *     <root>/feature/video_features_data/{train,val,test}.hdf5   dataset "<label>/video/<clip>"
 *     <root>/feature/{audio,video}_features_data/global_mean_std.npz   (optional)
 *
 * Each dataset is a T×D float array (T ≈ 96–101 frames at 10 per second, D = 512). `<label>` is
 * the class index `0`–`9` (what the kit's extraction script writes) or the class name.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { InputError, assertFinite } from '../../util/errors';
import { type Hdf5Listing, Hdf5Reader, withHdf5, writeHdf5 } from '../../io/hdf5';
import { type NpyArray } from '../../io/npy';
import { writeFileAtomic } from '../../io/files';
import { encodeNpz, readNpz } from '../../io/npz';
import {
  SCENE_CLASSES,
  type SceneDataset,
  type SceneSplit,
  type SplitName,
  type Standardiser,
  fitStandardiser,
} from './types';

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];
const MODALITIES = ['audio', 'video'] as const;
type Modality = (typeof MODALITIES)[number];

/** Options of `loadCourseKit`. */
export interface CourseKitOptions {
  /**
   * `clip` (default): each clip averaged over its first `maxFrames` frames (frames = 1), as the
   * course baseline does; averaged while reading, so full sequences are never held.
   * `sequence`: the first `maxFrames` frames of every clip (frames = maxFrames).
   */
  view?: 'clip' | 'sequence';
  /** Frames kept per clip, counted from the start (default 96, as the kit's data loader does). */
  maxFrames?: number;
  /**
   * Sequence view only: what to do with a clip shorter than `maxFrames`. `error` (default) throws
   * an InputError naming the clip; `repeat-last` pads it by repeating its last frame.
   */
  shortClips?: 'error' | 'repeat-last';
  /** Standardise with train-only statistics (default true). */
  standardise?: boolean;
  /**
   * Where the statistics come from. A string is one `.npz` whose `global_mean`/`global_std`
   * (shape (D,)) apply to both modalities; `{ audio, video }` gives one file per modality.
   * Default: the kit's per-modality files, else `<feature>/global_mean_std.npz`, else statistics
   * fitted on the train split's frames.
   */
  meanStdPath?: string | { audio: string; video: string };
  /** HDF5 file stems per split, when they differ from `train`/`val`/`test`. */
  splits?: Partial<Record<SplitName, string>>;
}

/** Where a modality's statistics come from, for `description`. */
type StatsSource = { kind: 'file'; audio: string; video: string } | { kind: 'fit' } | { kind: 'none' };

interface ClipRef {
  id: string;
  label: number;
  key: string;
  frames: number;
}

/** The structural facts of one HDF5 feature file, gathered before any values are read. */
interface FileIndex {
  file: string;
  clips: Map<string, ClipRef>;
}

/**
 * Parses a DCASE clip id `<scene>-<city>-<location>-<segment>`, e.g. `airport-lisbon-1000-40000`.
 * Returns the scene and the recording location `<city>-<location>`, or undefined for other ids.
 */
export function parseClipId(id: string): { scene: string; city: string; location: string; segment: string } | undefined {
  const m = /^([a-z_]+)-([A-Za-z]+)-(\d+)-(\d+)$/.exec(id);
  if (!m) return undefined;
  return { scene: m[1], city: m[2], location: `${m[2]}-${m[3]}`, segment: m[4] };
}

/** Finds the directory holding `{audio,video}_features_data`: `<root>/feature` or `<root>` itself. */
function featureDir(root: string): string {
  const isDir = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isDirectory();
  if (!isDir(root)) throw new InputError(root, 'course-kit directory not found');
  for (const dir of [nodePath.join(root, 'feature'), root]) {
    if (MODALITIES.some((m) => isDir(nodePath.join(dir, `${m}_features_data`)))) return dir;
  }
  return nodePath.join(root, 'feature');
}

function h5Path(dir: string, modality: Modality, stem: string): string {
  return nodePath.join(dir, `${modality}_features_data`, `${stem}.hdf5`);
}

/** Maps a label group name (`3` or `metro_station`) to its class index. */
function labelIndex(name: string): number | undefined {
  if (/^\d$/.test(name)) return Number(name);
  const i = (SCENE_CLASSES as readonly string[]).indexOf(name);
  return i >= 0 ? i : undefined;
}

/** The running dim check: every dataset of every file must share the first one's feature count. */
interface DimRef {
  dim?: number;
  where?: string;
}

/** Validates one file's key layout and shapes and indexes its clips (no values read). */
function indexFile(file: string, modality: Modality, listing: Hdf5Listing, dimRef: DimRef): FileIndex {
  const other = modality === 'audio' ? 'video' : 'audio';
  const expected = `'<label>/${modality}/<clip id>'`;
  const fail = (key: string, problem: string): never => {
    throw new InputError(file, problem, key);
  };
  const checkLabel = (key: string, name: string): number => {
    const label = labelIndex(name);
    if (label === undefined) {
      fail(key, `label group '${name}' is neither a class index 0-9 nor a scene class (${SCENE_CLASSES.join(', ')})`);
    }
    return label as number;
  };
  const checkModality = (key: string, name: string): void => {
    if (name === other) fail(key, `a ${other} group in the ${modality} feature file; expected ${expected}`);
    if (name !== modality) fail(key, `unexpected group '${name}' under the label group; expected '${modality}'`);
  };
  for (const o of listing.others) fail(o.path, `unsupported HDF5 object (${o.kind}); expected groups and datasets ${expected}`);
  for (const g of listing.groups) {
    const parts = g.split('/');
    checkLabel(g, parts[0]);
    if (parts.length >= 2) checkModality(g, parts[1]);
    if (parts.length >= 3) fail(g, `a group where a clip dataset was expected; expected ${expected}`);
  }
  const clips = new Map<string, ClipRef>();
  for (const d of listing.datasets) {
    const parts = d.path.split('/');
    if (parts.length === 1) fail(d.path, `dataset at the top level; expected ${expected}`);
    if (parts.length === 2) fail(d.path, `dataset directly under a label group; expected ${expected}`);
    if (parts.length > 3) fail(d.path, `dataset nested too deep; expected ${expected}`);
    const label = checkLabel(d.path, parts[0]);
    checkModality(d.path, parts[1]);
    const id = parts[2];
    const scene = parseClipId(id)?.scene;
    if (scene !== undefined && labelIndex(scene) !== undefined && labelIndex(scene) !== label) {
      fail(d.path, `clip id names scene '${scene}' but it is stored under label ${label} (${SCENE_CLASSES[label]})`);
    }
    const prev = clips.get(id);
    if (prev) fail(d.path, `clip '${id}' appears twice (also at '${prev.key}')`);
    const shape = d.shape;
    if (shape.length !== 2) fail(d.path, `expected a 2-D (frames × features) array, got shape (${shape.join(', ')})`);
    if (shape[0] < 1) fail(d.path, `clip has ${shape[0]} frames; at least 1 is needed`);
    if (shape[1] < 1) fail(d.path, `clip has ${shape[1]} features per frame; at least 1 is needed`);
    if (dimRef.dim === undefined) {
      dimRef.dim = shape[1];
      dimRef.where = `${file} [${d.path}]`;
    } else if (shape[1] !== dimRef.dim) {
      fail(d.path, `clip has ${shape[1]} features per frame, but ${dimRef.where} has ${dimRef.dim}`);
    }
    clips.set(id, { id, label, key: d.path, frames: shape[0] });
  }
  if (clips.size === 0) fail('/', `the split is empty: no clip datasets ${expected}`);
  return { file, clips };
}

/** Names a few ids of a set difference for error messages. */
function someIds(ids: string[]): string {
  const shown = ids.slice(0, 3).map((s) => `'${s}'`).join(', ');
  return ids.length > 3 ? `${shown}, …` : shown;
}

/** Checks that audio and video hold the same clips with the same labels, and orders them. */
function pairClips(audio: FileIndex, video: FileIndex): ClipRef[] {
  const onlyAudio = [...audio.clips.keys()].filter((id) => !video.clips.has(id)).sort();
  const onlyVideo = [...video.clips.keys()].filter((id) => !audio.clips.has(id)).sort();
  if (onlyAudio.length || onlyVideo.length) {
    const parts: string[] = [];
    if (onlyAudio.length) parts.push(`${onlyAudio.length} clip(s) only in ${audio.file} (${someIds(onlyAudio)})`);
    if (onlyVideo.length) parts.push(`${onlyVideo.length} clip(s) only in the video file (${someIds(onlyVideo)})`);
    throw new InputError(video.file, `audio and video clip sets differ: ${parts.join('; ')}`);
  }
  for (const [id, a] of audio.clips) {
    const v = video.clips.get(id)!;
    if (v.label !== a.label) {
      throw new InputError(video.file, `clip '${id}' has label ${v.label} here but ${a.label} in ${audio.file}`, v.key);
    }
  }
  return [...audio.clips.values()].sort((x, y) => x.label - y.label || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** Per-feature running sums over frames: fitStandardiser's statistics without holding the frames. */
class FrameStats {
  private readonly sum: Float64Array;
  private readonly sq: Float64Array;
  private rows = 0;

  constructor(private readonly dim: number) {
    this.sum = new Float64Array(dim);
    this.sq = new Float64Array(dim);
  }

  add(values: Float32Array): void {
    const d = this.dim;
    for (let r = 0; r < values.length / d; r++) {
      for (let k = 0; k < d; k++) {
        const v = values[r * d + k];
        this.sum[k] += v;
        this.sq[k] += v * v;
      }
      this.rows++;
    }
  }

  /** Same formula as `fitStandardiser`: population std, and 1 where a feature is constant. */
  finish(): Standardiser {
    const mean = new Float32Array(this.dim);
    const std = new Float32Array(this.dim);
    for (let k = 0; k < this.dim; k++) {
      const mu = this.sum[k] / this.rows;
      mean[k] = mu;
      std[k] = Math.sqrt(Math.max(this.sq[k] / this.rows - mu * mu, 0)) || 1;
    }
    return { mean, std };
  }
}

/** Reads `global_mean`/`global_std` from an npz and checks them against the feature size. */
function readMeanStd(file: string, dim: number): Standardiser {
  if (!fs.existsSync(file)) throw new InputError(file, 'standardisation file not found');
  const arrays = readNpz(file);
  const get = (key: string): Float32Array => {
    const a: NpyArray | undefined = Object.prototype.hasOwnProperty.call(arrays, key) ? arrays[key] : undefined;
    if (!a) throw new InputError(file, `missing array '${key}' (found: ${Object.keys(arrays).join(', ') || 'none'})`, key);
    if (a.dtype !== '<f4' && a.dtype !== '<f8') throw new InputError(file, `expected float values, got dtype ${a.dtype}`, key);
    if (a.shape.length !== 1 || a.shape[0] !== dim) {
      throw new InputError(file, `expected shape (${dim},) to match the ${dim} features per frame, got (${a.shape.join(', ')})`, key);
    }
    const values = Float32Array.from(a.data as Float32Array | Float64Array);
    assertFinite(values, file, key);
    return values;
  };
  const mean = get('global_mean');
  const std = get('global_std');
  const bad = std.findIndex((s) => !(s > 0));
  if (bad >= 0) throw new InputError(file, `standard deviation ${std[bad]} at index ${bad} (must be > 0)`, 'global_std');
  return { mean, std };
}

/** Decides which statistics file(s) apply, per the order documented in CourseKitOptions. */
function statsSource(dir: string, opts: CourseKitOptions): StatsSource {
  if (opts.standardise === false) return { kind: 'none' };
  const given = opts.meanStdPath;
  if (typeof given === 'string') return { kind: 'file', audio: given, video: given };
  if (given) return { kind: 'file', audio: given.audio, video: given.video };
  const per = MODALITIES.map((m) => nodePath.join(dir, `${m}_features_data`, 'global_mean_std.npz'));
  const present = per.map((p) => fs.existsSync(p));
  if (present[0] && present[1]) return { kind: 'file', audio: per[0], video: per[1] };
  if (present[0] !== present[1]) {
    const [missing, found] = present[0] ? [per[1], per[0]] : [per[0], per[1]];
    throw new InputError(missing, `standardisation file not found, although ${found} exists (both modalities need one)`);
  }
  const combined = nodePath.join(dir, 'global_mean_std.npz');
  if (fs.existsSync(combined)) return { kind: 'file', audio: combined, video: combined };
  return { kind: 'fit' };
}

/** `(x - mean) / std` per feature, in place, so the large sequence view is never copied. */
function standardiseInPlace(values: Float32Array, st: Standardiser): void {
  const d = st.mean.length;
  for (let i = 0; i < values.length; i++) {
    const k = i % d;
    values[i] = (values[i] - st.mean[k]) / st.std[k];
  }
}

/**
 * Loads the course kit at `root` (the kit directory holding `feature/`, or `feature/` itself).
 * Every file is validated (layout, shapes, audio/video pairing, finite values) before a dataset
 * is returned; any problem is an InputError naming the file, the HDF5 key and the problem.
 * Standardisation always uses train-only statistics; `description` says which ones.
 */
export async function loadCourseKit(root: string, opts: CourseKitOptions = {}): Promise<SceneDataset> {
  const view = opts.view ?? 'clip';
  const maxFrames = opts.maxFrames ?? 96;
  const shortClips = opts.shortClips ?? 'error';
  if (view !== 'clip' && view !== 'sequence') throw new Error(`loadCourseKit: view must be 'clip' or 'sequence', got ${String(view)}`);
  if (!Number.isInteger(maxFrames) || maxFrames < 1) throw new Error(`loadCourseKit: maxFrames must be a positive integer, got ${maxFrames}`);

  const dir = featureDir(root);
  const stems: Record<SplitName, string> = { train: 'train', val: 'val', test: 'test', ...opts.splits };
  const files = SPLITS.flatMap((s) => MODALITIES.map((m) => ({ split: s, modality: m, path: h5Path(dir, m, stems[s]) })));
  const missing = files.filter((f) => !fs.existsSync(f.path));
  if (missing.length) {
    const rel = missing.map((f) => nodePath.relative(dir, f.path));
    throw new InputError(
      missing[0].path,
      `course-kit feature file not found (missing ${missing.length} of 6: ${rel.join(', ')}; expected {audio,video}_features_data/{train,val,test}.hdf5 under ${dir})`,
    );
  }
  const source = statsSource(dir, opts);

  // Pass 1: layout, shapes and pairing of all six files, before any values are read.
  const dimRef: DimRef = {};
  const plan = {} as Record<SplitName, { clips: ClipRef[]; audio: FileIndex; video: FileIndex }>;
  for (const split of SPLITS) {
    const idx = {} as Record<Modality, FileIndex>;
    for (const m of MODALITIES) {
      const path = h5Path(dir, m, stems[split]);
      idx[m] = await withHdf5(path, (r) => indexFile(path, m, r.list(), dimRef));
    }
    plan[split] = { clips: pairClips(idx.audio, idx.video), audio: idx.audio, video: idx.video };
  }
  const dim = dimRef.dim!;
  const seen = new Map<string, SplitName>();
  for (const split of SPLITS) {
    for (const c of plan[split].clips) {
      const before = seen.get(c.id);
      if (before) {
        throw new InputError(plan[split].audio.file, `clip '${c.id}' is also in the ${before} split; splits must not share clips`, c.key);
      }
      seen.set(c.id, split);
    }
  }
  if (view === 'sequence' && shortClips === 'error') {
    for (const split of SPLITS) {
      for (const m of MODALITIES) {
        const short = [...plan[split][m].clips.values()].find((c) => c.frames < maxFrames);
        if (short) {
          throw new InputError(
            plan[split][m].file,
            `clip '${short.id}' has ${short.frames} frames, fewer than maxFrames = ${maxFrames} (lower maxFrames, use the clip view, or pass shortClips: 'repeat-last')`,
            short.key,
          );
        }
      }
    }
  }
  const stats: Partial<Record<Modality, Standardiser>> = {};
  if (source.kind === 'file') {
    stats.audio = readMeanStd(source.audio, dim);
    stats.video = source.video === source.audio ? stats.audio : readMeanStd(source.video, dim);
  }

  // Pass 2: values. The clip view averages each clip as it is read.
  const frames = view === 'clip' ? 1 : maxFrames;
  const out = {} as Record<SplitName, SceneSplit>;
  for (const split of SPLITS) {
    const { clips } = plan[split];
    const n = clips.length;
    const values = {} as Record<Modality, Float32Array>;
    for (const m of MODALITIES) {
      const fit = split === 'train' && source.kind === 'fit' ? new FrameStats(dim) : undefined;
      const dst = new Float32Array(n * frames * dim);
      const file = plan[split][m].file;
      await withHdf5(file, (r: Hdf5Reader) => {
        clips.forEach((clip, i) => {
          const ref = plan[split][m].clips.get(clip.id)!;
          // The fit uses every frame, as the kit's global_mean_std.npz does; the view keeps the first maxFrames.
          const { data } = r.readFloat32(ref.key, fit ? undefined : maxFrames);
          assertFinite(data, file, ref.key);
          fit?.add(data);
          const t = Math.min(ref.frames, maxFrames);
          if (view === 'clip') {
            const o = i * dim;
            for (let f = 0; f < t; f++) for (let k = 0; k < dim; k++) dst[o + k] += data[f * dim + k];
            for (let k = 0; k < dim; k++) dst[o + k] /= t;
          } else {
            const o = i * frames * dim;
            dst.set(data.subarray(0, t * dim), o);
            for (let f = t; f < frames; f++) dst.copyWithin(o + f * dim, o + (t - 1) * dim, o + t * dim);
          }
        });
      });
      if (fit) stats[m] = fit.finish();
      values[m] = dst;
    }
    const locations = clips.map((c) => parseClipId(c.id)?.location);
    out[split] = {
      ids: clips.map((c) => c.id),
      labels: Int32Array.from(clips, (c) => c.label),
      ...(locations.every((l) => l !== undefined) ? { locations: locations as string[] } : {}),
      frames,
      dim,
      audio: values.audio,
      video: values.video,
    };
  }
  if (source.kind !== 'none') {
    for (const split of SPLITS) {
      standardiseInPlace(out[split].audio, stats.audio!);
      standardiseInPlace(out[split].video, stats.video!);
    }
  }

  const viewText = view === 'clip' ? `clip view, mean of the first ${maxFrames} frames` : `sequence view, ${maxFrames} frames`;
  const statsText =
    source.kind === 'none'
      ? 'not standardised'
      : source.kind === 'fit'
        ? 'standardised with statistics fitted on the train split (no global_mean_std.npz found)'
        : source.audio === source.video
          ? `standardised with ${source.audio}`
          : `standardised with ${source.audio} and ${source.video}`;
  return {
    classes: [...SCENE_CLASSES],
    train: out.train,
    val: out.val,
    test: out.test,
    source: 'course-kit',
    description: `course kit ${root} (${out.train.ids.length}/${out.val.ids.length}/${out.test.ids.length} clips, ${viewText}, ${dim} features; ${statsText})`,
  };
}

/** Options of `writeCourseKit`. */
export interface WriteCourseKitOptions {
  /** Name label groups by class index `0`–`9` (default, as the kit does) or by class name. */
  labelGroups?: 'index' | 'name';
  /**
   * Also write the DCASE label files the course's scripts read (see {@link writeCourseLabelFiles}):
   * `<root>/evaluation_setup/fold1_{train,evaluate,test}.csv` and `<root>/meta.csv`. Default false.
   */
  labelFiles?: boolean;
}

/** The DCASE label files {@link writeCourseLabelFiles} writes, relative to the kit root. */
export const COURSE_LABEL_FILES = ['meta.csv', 'evaluation_setup/fold1_train.csv', 'evaluation_setup/fold1_evaluate.csv', 'evaluation_setup/fold1_test.csv'] as const;

/**
 * Writes the DCASE 2021 Task 1B label files for a data set, tab-separated with a header, as the
 * development set ships them:
 *
 *     meta.csv                              filename_audio  filename_video  scene_label  identifier
 *     evaluation_setup/fold1_train.csv      filename_audio  filename_video  scene_label   (train + val clips)
 *     evaluation_setup/fold1_evaluate.csv   filename_audio  filename_video  scene_label   (test clips)
 *     evaluation_setup/fold1_test.csv       filename_audio  filename_video                (test clips)
 *
 * with `filename_audio` = `audio/<clip id>.wav` and `filename_video` = `video/<clip id>.mp4`. The
 * course's eval_prediction.py reads fold1_evaluate.csv and takes the clip id as the audio file's
 * stem. The course splits DCASE's train fold into its train and val splits, so both are in
 * fold1_train.csv. `identifier` is the recording location (`parseClipId`), or empty when the id
 * does not follow the DCASE pattern. Returns the paths written.
 */
export function writeCourseLabelFiles(root: string, ds: SceneDataset): string[] {
  const line = (s: SceneSplit, i: number, withLabel: boolean, identifier = false): string => {
    const id = s.ids[i];
    if (/[\t\r\n]/.test(id)) throw new InputError(root, `clip id ${JSON.stringify(id)} cannot be written to a tab-separated label file`);
    const cells = [`audio/${id}.wav`, `video/${id}.mp4`];
    if (withLabel) cells.push(ds.classes[s.labels[i]]);
    if (identifier) cells.push(parseClipId(id)?.location ?? s.locations?.[i] ?? '');
    return cells.join('\t');
  };
  const table = (splits: SplitName[], withLabel: boolean, identifier = false): string => {
    const header = ['filename_audio', 'filename_video', ...(withLabel ? ['scene_label'] : []), ...(identifier ? ['identifier'] : [])];
    const rows = splits.flatMap((name) => ds[name].ids.map((_, i) => line(ds[name], i, withLabel, identifier)));
    return [header.join('\t'), ...rows].join('\n') + '\n';
  };
  const contents: Record<(typeof COURSE_LABEL_FILES)[number], string> = {
    'meta.csv': table(['train', 'val', 'test'], true, true),
    'evaluation_setup/fold1_train.csv': table(['train', 'val'], true),
    'evaluation_setup/fold1_evaluate.csv': table(['test'], true),
    'evaluation_setup/fold1_test.csv': table(['test'], false),
  };
  fs.mkdirSync(nodePath.join(root, 'evaluation_setup'), { recursive: true });
  return COURSE_LABEL_FILES.map((rel) => {
    const path = nodePath.join(root, rel);
    writeFileAtomic(path, contents[rel]);
    return path;
  });
}

/** Checks a split before anything is written, so a bad dataset leaves no files behind. */
function checkSplit(root: string, name: SplitName, s: SceneSplit, nClasses: number, allIds: Map<string, SplitName>): void {
  const fail = (problem: string, key: string = name): never => {
    throw new InputError(root, problem, key);
  };
  const n = s.ids.length;
  if (n === 0) fail('split is empty');
  if (!Number.isInteger(s.frames) || s.frames < 1) fail(`frames must be a positive integer, got ${s.frames}`);
  if (!Number.isInteger(s.dim) || s.dim < 1) fail(`dim must be a positive integer, got ${s.dim}`);
  if (s.labels.length !== n) fail(`${s.labels.length} labels for ${n} clips`);
  for (const m of MODALITIES) {
    if (s[m].length !== n * s.frames * s.dim) fail(`${m} has ${s[m].length} values, expected clips × frames × dim = ${n * s.frames * s.dim}`);
    assertFinite(s[m], root, `${name}.${m}`);
  }
  s.ids.forEach((id, i) => {
    if (id === '' || id.includes('/') || id === '.' || id === '..') fail(`clip id '${id}' cannot be an HDF5 dataset name`, `${name}.ids[${i}]`);
    const l = s.labels[i];
    if (!(l >= 0 && l < nClasses)) fail(`label ${l} of clip '${id}' is outside 0-${nClasses - 1}`, `${name}.labels[${i}]`);
    const before = allIds.get(id);
    if (before) fail(`clip id '${id}' appears twice (also in ${before})`, `${name}.ids[${i}]`);
    allIds.set(id, name);
  });
}

/**
 * Writes a SceneDataset in the course-kit layout under `<root>/feature/`: the six HDF5 files
 * (`<label>/<modality>/<clip id>`, frames × dim float32) and per-modality `global_mean_std.npz`
 * fitted on the train split (float64, like the kit's). `loadCourseKit(root)` reads it back.
 * Locations are not stored separately: they come back only when the ids follow the DCASE
 * pattern. With `labelFiles`, also writes the DCASE label files ({@link writeCourseLabelFiles}).
 * Returns the paths written. Existing files are replaced.
 */
export async function writeCourseKit(root: string, ds: SceneDataset, opts: WriteCourseKitOptions = {}): Promise<string[]> {
  if (ds.classes.length !== SCENE_CLASSES.length || ds.classes.some((c, i) => c !== SCENE_CLASSES[i])) {
    throw new InputError(root, `classes must be the ten scene classes in kit order (${SCENE_CLASSES.join(', ')}), got ${ds.classes.join(', ')}`);
  }
  const allIds = new Map<string, SplitName>();
  for (const split of SPLITS) checkSplit(root, split, ds[split], ds.classes.length, allIds);
  const { dim } = ds.train;
  for (const split of SPLITS) {
    if (ds[split].dim !== dim) throw new InputError(root, `dim ${ds[split].dim} differs from the train split's ${dim}`, split);
  }
  const labelName = (l: number): string => (opts.labelGroups === 'name' ? SCENE_CLASSES[l] : String(l));

  const dir = nodePath.join(root, 'feature');
  const written: string[] = [];
  try {
    for (const m of MODALITIES) {
      const mdir = nodePath.join(dir, `${m}_features_data`);
      fs.mkdirSync(mdir, { recursive: true });
      for (const split of SPLITS) {
        const s = ds[split];
        const path = nodePath.join(mdir, `${split}.hdf5`);
        const per = s.frames * dim;
        await writeHdf5(
          path,
          s.ids.map((id, i) => ({ key: `${labelName(s.labels[i])}/${m}/${id}`, shape: [s.frames, dim], data: s[m].subarray(i * per, (i + 1) * per) })),
        );
        written.push(path);
      }
      const st = fitStandardiser(ds.train[m], dim);
      const npz = nodePath.join(mdir, 'global_mean_std.npz');
      writeFileAtomic(
        npz,
        encodeNpz(
          {
            global_mean: { dtype: '<f8', shape: [dim], data: Float64Array.from(st.mean) },
            global_std: { dtype: '<f8', shape: [dim], data: Float64Array.from(st.std) },
          },
          npz,
        ),
      );
      written.push(npz);
    }
    if (opts.labelFiles) written.push(...writeCourseLabelFiles(root, ds));
  } catch (e) {
    for (const p of written) fs.rmSync(p, { force: true });
    throw e;
  }
  return written;
}
