/**
 * The collision data on disk, in the course's layout (see data/README.md, "Collision matching"):
 *
 *   <root>/<object>/<k>/audio_data.pkl   dict: audio (N × 4 float array, samples × channels), audio_samplerate
 *   <root>/<object>/<k>/rgb/0000.png …    RGB frames, numbered
 *   <root>/<object>/<k>/mask/0000.png …   binary masks, one per RGB frame
 *
 * and the task folders (a layout avlab defines, since the course's exact naming is not public):
 *
 *   <task>/audio_0000.pkl …               one dict per audio item, as audio_data.pkl
 *   <task>/video_0000/{rgb,mask}/0000.png  one folder per video item (tasks 2 and 3)
 *   <task>/answers.csv                    optional ground truth: item,object,match
 *
 * Readers and writers are symmetric: what `writeCourseLayout` / `writeTaskFolder` write,
 * `readCourseLayout` / `readTaskFolder` read back. Pickles are read with avlab's safe reader, so a
 * malicious `audio_data.pkl` is refused, not run. Every problem is an InputError naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, assertFinite } from '../../util/errors';
import { writeFileAtomic } from '../../io/files';
import { type PickleDict, type PickleValue, isNpyArray, pickleNumber, readPickle, writePickle } from '../../io/pickle';
import { IMAGE_EXTENSIONS, isJpegName, jpegError, readPngMask, readPngRgb, writePngGray, writePngRgb } from '../../io/images';
import { COLLISION_OBJECTS, type CollisionSample, type CollisionTaskAnswers, type CollisionTaskFolder } from './types';
import { taskItemId } from './tasks';

/** Name of the audio file of each training sample. */
export const AUDIO_FILE = 'audio_data.pkl';
/** Name of the optional answer file of a task folder. */
export const ANSWERS_FILE = 'answers.csv';
/** Microphones (channels) every recording must have. */
export const COLLISION_CHANNELS = 4;

/** Options shared by the readers. */
export interface CollisionReadOptions {
  /** Frame rate to assign to the frames (not stored in the layout; default 30). */
  fps?: number;
  /** Mask threshold (mean of R, G, B ≥ threshold is foreground; default 128). */
  maskThreshold?: number;
}

/** Options shared by the writers. */
export interface CollisionWriteOptions {
  /** Pickle protocol of the audio files (default 4; 2 for Python 2-era readers). */
  protocol?: 2 | 4;
  /**
   * Replace what an earlier export left in the target (only the entries this writer would write:
   * object folders, or audio_/video_ items and answers.csv). Default false: refuse, so stale frames
   * from a longer earlier sample can never mix with new ones.
   */
  overwrite?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Audio files.

/**
 * Reads one audio pickle (`audio_data.pkl` or a task's `audio_NNNN.pkl`): a dict with `audio`, an
 * N × 4 array (float32/float64 as they are; int16 / int32 scaled to [−1, 1)) and
 * `audio_samplerate` (a Python int, NumPy scalar or one-element array). Other keys are ignored.
 */
export function readCollisionAudio(file: string): { audio: Float32Array[]; sampleRate: number } {
  if (!fs.existsSync(file)) throw new InputError(file, 'missing audio file');
  const value = readPickle(file);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Set || isNpyArray(value)) {
    throw new InputError(file, 'the pickle does not hold a dict (expected keys audio and audio_samplerate)');
  }
  const dict = value as PickleDict;
  for (const key of ['audio', 'audio_samplerate']) {
    if (!Object.prototype.hasOwnProperty.call(dict, key)) {
      throw new InputError(file, `missing key '${key}' (the dict has: ${Object.keys(dict).join(', ') || 'no keys'})`, key);
    }
  }
  const sampleRate = pickleNumber(dict.audio_samplerate);
  if (sampleRate === undefined || !Number.isFinite(sampleRate) || sampleRate <= 0 || !Number.isInteger(sampleRate)) {
    throw new InputError(file, `audio_samplerate must be a positive integer, got ${describeValue(dict.audio_samplerate)}`, 'audio_samplerate');
  }
  const arr = dict.audio;
  if (!isNpyArray(arr)) throw new InputError(file, `audio must be a NumPy array, got ${describeValue(arr)}`, 'audio');
  if (arr.shape.length !== 2) throw new InputError(file, `audio must be 2-D (samples × ${COLLISION_CHANNELS} channels), got shape (${arr.shape.join(', ')})`, 'audio');
  const [n, ch] = arr.shape;
  if (ch !== COLLISION_CHANNELS) {
    const hint = n === COLLISION_CHANNELS ? `; it looks channels-first — store it as samples × channels (numpy: audio.T)` : '';
    throw new InputError(file, `audio must have ${COLLISION_CHANNELS} channels (shape N × ${COLLISION_CHANNELS}), got shape (${arr.shape.join(', ')})${hint}`, 'audio');
  }
  if (n === 0) throw new InputError(file, 'audio has no samples', 'audio');
  let scale: number;
  switch (arr.dtype) {
    case '<f4':
    case '<f8':
      scale = 1;
      break;
    case '<i2':
      scale = 1 / 32768;
      break;
    case '<i4':
      scale = 1 / 2147483648;
      break;
    default:
      throw new InputError(file, `unsupported audio dtype ${arr.dtype} (expected float32, float64, int16 or int32)`, 'audio');
  }
  const src = arr.data as Float32Array | Float64Array | Int16Array | Int32Array;
  assertFinite(src, file, 'audio');
  const audio = Array.from({ length: ch }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) for (let c = 0; c < ch; c++) audio[c][i] = src[i * ch + c] * scale;
  return { audio, sampleRate };
}

/** Writes an audio pickle as the course stores it: `audio` float32 N × 4 and `audio_samplerate` int. */
export function writeCollisionAudio(file: string, audio: readonly Float32Array[], sampleRate: number, opts: CollisionWriteOptions = {}): void {
  if (audio.length !== COLLISION_CHANNELS) throw new InputError(file, `audio must have ${COLLISION_CHANNELS} channels, got ${audio.length}`);
  const n = audio[0].length;
  if (audio.some((a) => a.length !== n)) throw new InputError(file, `audio channels have different lengths (${audio.map((a) => a.length).join(', ')})`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new InputError(file, `sample rate must be a positive integer, got ${sampleRate}`);
  const data = new Float32Array(n * COLLISION_CHANNELS);
  for (let i = 0; i < n; i++) for (let c = 0; c < COLLISION_CHANNELS; c++) data[i * COLLISION_CHANNELS + c] = audio[c][i];
  const value: PickleDict = { audio: { dtype: '<f4', shape: [n, COLLISION_CHANNELS], data }, audio_samplerate: sampleRate };
  writePickle(file, value, { protocol: opts.protocol ?? 4 });
}

function describeValue(v: PickleValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (isNpyArray(v)) return `a ${v.dtype} array of shape (${v.shape.join(', ')})`;
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a dict';
  return `${typeof v} ${String(v)}`;
}

// ---------------------------------------------------------------------------------------------
// Frame folders.

/** Visible directory entries (names starting with '.' are skipped). */
function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  } catch (e) {
    throw new InputError(dir, `cannot read folder: ${(e as Error).message}`);
  }
}

/**
 * The image files of a frame folder in frame order: ordered by the last number in each name
 * (`0.png`, `1.png`, …, `10.png` or `frame_0001.png`), so unpadded numbering sorts correctly.
 * Files that are not images are ignored; JPEG files are refused.
 */
export function listFrameFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new InputError(dir, 'missing frame folder');
  const files = entries(dir).filter((e) => e.isFile() && IMAGE_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x)));
  const jpeg = files.find((e) => isJpegName(e.name));
  if (jpeg) throw jpegError(path.join(dir, jpeg.name));
  const numbered = files.map((e) => {
    const m = /(\d+)(?!.*\d)/.exec(e.name);
    if (!m) throw new InputError(path.join(dir, e.name), 'cannot order this frame: its name has no frame number');
    return { name: e.name, n: Number(m[1]) };
  });
  numbered.sort((a, b) => a.n - b.n || (a.name < b.name ? -1 : 1));
  for (let i = 1; i < numbered.length; i++) {
    if (numbered[i].n === numbered[i - 1].n) {
      throw new InputError(dir, `frames ${numbered[i - 1].name} and ${numbered[i].name} have the same number, so their order is ambiguous`);
    }
  }
  return numbered.map((e) => path.join(dir, e.name));
}

/**
 * Reads a video folder holding `rgb/` and `mask/`: equal frame counts, equal sizes. Returns the
 * frames as CollisionSample stores them.
 */
export function readVideoFolder(dir: string, opts: CollisionReadOptions = {}): { width: number; height: number; rgb: Uint8Array[]; mask: Uint8Array[] } {
  const rgbFiles = listFrameFiles(path.join(dir, 'rgb'));
  const maskFiles = listFrameFiles(path.join(dir, 'mask'));
  if (rgbFiles.length === 0) throw new InputError(path.join(dir, 'rgb'), 'no frames (expected numbered PNG files)');
  if (maskFiles.length === 0) throw new InputError(path.join(dir, 'mask'), 'no masks (expected numbered PNG files)');
  if (rgbFiles.length !== maskFiles.length) {
    throw new InputError(dir, `rgb/ has ${rgbFiles.length} frames but mask/ has ${maskFiles.length}; every frame needs its mask`);
  }
  let width = 0;
  let height = 0;
  const check = (file: string, w: number, h: number): void => {
    if (width === 0) [width, height] = [w, h];
    else if (w !== width || h !== height) throw new InputError(file, `frame size ${w} × ${h} differs from the first frame's ${width} × ${height}`);
  };
  const rgb = rgbFiles.map((f) => {
    const img = readPngRgb(f);
    check(f, img.width, img.height);
    return img.data;
  });
  const mask = maskFiles.map((f) => {
    const img = readPngMask(f, opts.maskThreshold);
    check(f, img.width, img.height);
    return img.data;
  });
  return { width, height, rgb, mask };
}

/** Number of digits of frame/item numbers: at least 4, more when there are 10,000 or more. */
function pad(count: number): number {
  return Math.max(4, String(Math.max(count - 1, 0)).length);
}

/** Writes `rgb/` and `mask/` of a video folder (`0000.png`, …). */
export function writeVideoFolder(dir: string, sample: Pick<CollisionSample, 'id' | 'width' | 'height' | 'rgb' | 'mask'>): void {
  if (sample.rgb.length === 0) throw new InputError(dir, `sample ${sample.id} has no frames`);
  if (sample.rgb.length !== sample.mask.length) throw new InputError(dir, `sample ${sample.id} has ${sample.rgb.length} frames but ${sample.mask.length} masks`);
  const digits = pad(sample.rgb.length);
  for (const kind of ['rgb', 'mask'] as const) fs.mkdirSync(path.join(dir, kind), { recursive: true });
  sample.rgb.forEach((data, i) => writePngRgb(path.join(dir, 'rgb', `${String(i).padStart(digits, '0')}.png`), { width: sample.width, height: sample.height, data }));
  sample.mask.forEach((data, i) => writePngGray(path.join(dir, 'mask', `${String(i).padStart(digits, '0')}.png`), { width: sample.width, height: sample.height, data }));
}

// ---------------------------------------------------------------------------------------------
// The training layout.

/** Orders folder names numerically when they are all integers, else by name. */
function sortNames(names: string[]): string[] {
  const numeric = names.every((n) => /^\d+$/.test(n));
  return names.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}

/** Reads one `<object>/<k>` sample folder. */
export function readCourseSample(dir: string, id: string, object: number, opts: CollisionReadOptions = {}): CollisionSample {
  const audioFile = path.join(dir, AUDIO_FILE);
  if (!fs.existsSync(audioFile)) throw new InputError(audioFile, `missing ${AUDIO_FILE} (each sample folder needs ${AUDIO_FILE}, rgb/ and mask/)`);
  const { audio, sampleRate } = readCollisionAudio(audioFile);
  const video = readVideoFolder(dir, opts);
  return { id, object, audio, sampleRate, width: video.width, height: video.height, rgb: video.rgb, mask: video.mask, fps: opts.fps ?? 30 };
}

/**
 * Reads the training layout `<root>/<object>/<k>/…` into samples with ids `<object>/<k>`, objects
 * in COLLISION_OBJECTS order and k in numeric order. `root` may also be the folder that holds
 * `train/`. Object folders must be named as in COLLISION_OBJECTS; a subset of objects is fine.
 */
export function readCourseLayout(root: string, opts: CollisionReadOptions = {}): CollisionSample[] {
  if (!fs.existsSync(root)) throw new InputError(root, 'missing data folder');
  let dirs = entries(root).filter((e) => e.isDirectory());
  if (!dirs.some((d) => (COLLISION_OBJECTS as readonly string[]).includes(d.name)) && dirs.some((d) => d.name === 'train')) {
    return readCourseLayout(path.join(root, 'train'), opts);
  }
  const unknown = dirs.filter((d) => !(COLLISION_OBJECTS as readonly string[]).includes(d.name));
  if (unknown.length > 0) {
    throw new InputError(path.join(root, unknown[0].name), `unknown object folder '${unknown[0].name}' (expected the course's objects: ${COLLISION_OBJECTS.join(', ')})`);
  }
  if (dirs.length === 0) throw new InputError(root, `no object folders (expected <object>/<k>/${AUDIO_FILE} with objects ${COLLISION_OBJECTS.join(', ')})`);
  dirs = dirs.sort((a, b) => COLLISION_OBJECTS.indexOf(a.name as never) - COLLISION_OBJECTS.indexOf(b.name as never));
  const out: CollisionSample[] = [];
  for (const d of dirs) {
    const objectDir = path.join(root, d.name);
    const ks = sortNames(entries(objectDir).filter((e) => e.isDirectory()).map((e) => e.name));
    if (ks.length === 0) throw new InputError(objectDir, 'no sample folders (expected <k>/ folders holding audio_data.pkl, rgb/ and mask/)');
    const object = COLLISION_OBJECTS.indexOf(d.name as never);
    for (const k of ks) out.push(readCourseSample(path.join(objectDir, k), `${d.name}/${k}`, object, opts));
  }
  return out;
}

function prepareRoot(root: string, owned: (name: string) => boolean, overwrite: boolean): void {
  fs.mkdirSync(root, { recursive: true });
  const existing = entries(root).filter((e) => owned(e.name));
  if (existing.length === 0) return;
  if (!overwrite) {
    throw new InputError(path.join(root, existing[0].name), 'already exists; write into an empty folder or pass { overwrite: true } to replace the earlier export');
  }
  for (const e of existing) fs.rmSync(path.join(root, e.name), { recursive: true, force: true });
}

/**
 * Writes samples in the training layout: `<root>/<object name>/<k>/` with k counting 0, 1, … per
 * object in the order given (the simulator's `<object>/<k>` ids come back unchanged).
 */
export function writeCourseLayout(root: string, samples: readonly CollisionSample[], opts: CollisionWriteOptions = {}): void {
  for (const s of samples) {
    if (!Number.isInteger(s.object) || s.object < 0 || s.object >= COLLISION_OBJECTS.length) {
      throw new InputError(root, `sample ${s.id} has no known object (object ${s.object}); the training layout is organised by object`);
    }
  }
  prepareRoot(root, (n) => (COLLISION_OBJECTS as readonly string[]).includes(n), opts.overwrite ?? false);
  const counts = new Map<number, number>();
  for (const s of samples) {
    const k = counts.get(s.object) ?? 0;
    counts.set(s.object, k + 1);
    const dir = path.join(root, COLLISION_OBJECTS[s.object], String(k));
    fs.mkdirSync(dir, { recursive: true });
    writeCollisionAudio(path.join(dir, AUDIO_FILE), s.audio, s.sampleRate, opts);
    writeVideoFolder(dir, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Task folders.

const AUDIO_ITEM = /^audio_(\d+)\.pkl$/;
const VIDEO_ITEM = /^video_(\d+)$/;

function byNumber(re: RegExp) {
  return (a: string, b: string): number => Number(re.exec(a)![1]) - Number(re.exec(b)![1]);
}

/** Parses answers.csv (`item,object,match`) against the folder's items. */
function readAnswers(file: string, task: 1 | 2 | 3, audioIds: string[], videoIds: string[]): CollisionTaskAnswers {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0 || lines[0].trim() !== 'item,object,match') throw new InputError(file, "the header must be 'item,object,match'", 'line 1');
  const audioIndex = new Map(audioIds.map((id, i) => [id, i]));
  const videoIndex = new Map(videoIds.map((id, i) => [id, i]));
  const answers: CollisionTaskAnswers = {
    audioObjects: audioIds.map(() => -2),
    audioToVideo: audioIds.map(() => -1),
    videoObjects: videoIds.map(() => -2),
  };
  const videoToAudio = videoIds.map(() => -1);
  lines.slice(1).forEach((line, i) => {
    const key = `line ${i + 2}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 3) throw new InputError(file, `expected 3 columns (item,object,match), got ${cells.length}`, key);
    const [item, objectName, match] = cells;
    const object = COLLISION_OBJECTS.indexOf(objectName as never);
    if (object < 0) throw new InputError(file, `unknown object '${objectName}'`, key);
    const isAudio = audioIndex.has(item);
    if (!isAudio && !videoIndex.has(item)) throw new InputError(file, `unknown item '${item}' (not an audio_NNNN.pkl or video_NNNN in the folder)`, key);
    const own = isAudio ? answers.audioObjects : answers.videoObjects;
    const idx = (isAudio ? audioIndex : videoIndex).get(item)!;
    if (own[idx] !== -2) throw new InputError(file, `item '${item}' is listed twice`, key);
    own[idx] = object;
    if (match === '-1') return;
    const other = isAudio ? videoIndex.get(match) : audioIndex.get(match);
    if (other === undefined) throw new InputError(file, `'${match}' is not ${isAudio ? 'a video' : 'an audio'} item of the folder (use -1 for no match)`, key);
    if (isAudio) answers.audioToVideo[idx] = other;
    else videoToAudio[idx] = other;
  });
  const missing = [...audioIds.filter((_, i) => answers.audioObjects[i] === -2), ...videoIds.filter((_, i) => answers.videoObjects[i] === -2)];
  if (missing.length > 0) throw new InputError(file, `no answer for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  // The two directions must agree, and a video can belong to one audio item only.
  answers.audioToVideo.forEach((v, a) => {
    if (v >= 0 && videoToAudio[v] !== a) throw new InputError(file, `${audioIds[a]} is matched to ${videoIds[v]}, but ${videoIds[v]} is not matched back`);
  });
  videoToAudio.forEach((a, v) => {
    if (a >= 0 && answers.audioToVideo[a] !== v) throw new InputError(file, `${videoIds[v]} is matched to ${audioIds[a]}, but ${audioIds[a]} is not matched back`);
  });
  if (task === 2 && answers.audioToVideo.some((v) => v < 0)) throw new InputError(file, 'task 2 matches every audio item to a video, but some have -1');
  return answers;
}

/**
 * Reads a task folder (layout in the module comment). Items are ordered by number and keep their
 * names as ids (`audio_0003`, `video_0007`); every item's object is -1, and the answers (when
 * answers.csv exists) are returned separately so a method cannot see them by accident.
 */
export function readTaskFolder(root: string, task: 1 | 2 | 3, opts: CollisionReadOptions = {}): CollisionTaskFolder {
  if (task !== 1 && task !== 2 && task !== 3) throw new InputError(root, `unknown task ${String(task)} (1, 2 or 3)`);
  if (!fs.existsSync(root)) throw new InputError(root, 'missing task folder');
  const all = entries(root);
  const audioNames = all.filter((e) => e.isFile() && AUDIO_ITEM.test(e.name)).map((e) => e.name).sort(byNumber(AUDIO_ITEM));
  const videoNames = all.filter((e) => e.isDirectory() && VIDEO_ITEM.test(e.name)).map((e) => e.name).sort(byNumber(VIDEO_ITEM));
  if (audioNames.length === 0) throw new InputError(root, 'no audio items (expected audio_0000.pkl, audio_0001.pkl, …; see data/README.md)');
  if (task === 1 && videoNames.length > 0) throw new InputError(path.join(root, videoNames[0]), 'task 1 folders hold audio only, but this folder has video items');
  if (task !== 1 && videoNames.length === 0) throw new InputError(root, `no video items (task ${task} needs video_0000/, video_0001/, … with rgb/ and mask/)`);
  if (task === 2 && videoNames.length !== audioNames.length) {
    throw new InputError(root, `task 2 matches audio and video one-to-one, but the folder has ${audioNames.length} audio and ${videoNames.length} video items`);
  }
  const audio: CollisionSample[] = audioNames.map((name) => {
    const { audio: channels, sampleRate } = readCollisionAudio(path.join(root, name));
    return { id: name.replace(/\.pkl$/, ''), object: -1, audio: channels, sampleRate, width: 0, height: 0, rgb: [], mask: [], fps: 0 };
  });
  const video: CollisionSample[] = videoNames.map((name) => {
    const v = readVideoFolder(path.join(root, name), opts);
    return { id: name, object: -1, audio: [], sampleRate: 0, width: v.width, height: v.height, rgb: v.rgb, mask: v.mask, fps: opts.fps ?? 30 };
  });
  const answersFile = path.join(root, ANSWERS_FILE);
  const answers = fs.existsSync(answersFile)
    ? readAnswers(answersFile, task, audio.map((a) => a.id), video.map((v) => v.id))
    : undefined;
  return answers ? { task, audio, video, answers } : { task, audio, video };
}

/**
 * Writes a task folder: `audio_NNNN.pkl` per audio item and `video_NNNN/{rgb,mask}/` per video
 * item, numbered by position (the items' own ids are not used), and answers.csv when the folder
 * has answers.
 */
export function writeTaskFolder(root: string, folder: CollisionTaskFolder, opts: CollisionWriteOptions = {}): void {
  const { task, audio, video, answers } = folder;
  if (task !== 1 && task !== 2 && task !== 3) throw new InputError(root, `unknown task ${String(task)} (1, 2 or 3)`);
  if (audio.length === 0) throw new InputError(root, 'a task folder needs at least one audio item');
  if (task === 1 && video.length > 0) throw new InputError(root, 'task 1 folders hold audio only');
  if (task !== 1 && video.length === 0) throw new InputError(root, `task ${task} needs video items`);
  if (task === 2 && audio.length !== video.length) throw new InputError(root, `task 2 needs as many video as audio items (${video.length} vs ${audio.length})`);
  const audioId = (i: number): string => taskItemId('audio', i, audio.length);
  const videoId = (i: number): string => taskItemId('video', i, video.length);
  // Check the answers before anything is written.
  let rows: string[] | undefined;
  if (answers) {
    const file = path.join(root, ANSWERS_FILE);
    const { audioObjects, audioToVideo, videoObjects } = answers;
    if (audioObjects.length !== audio.length || audioToVideo.length !== audio.length || videoObjects.length !== video.length) {
      throw new InputError(file, 'the answers do not have one entry per item');
    }
    const name = (o: number, item: string): string => {
      if (!Number.isInteger(o) || o < 0 || o >= COLLISION_OBJECTS.length) throw new InputError(file, `unknown object ${o} for ${item}`);
      return COLLISION_OBJECTS[o];
    };
    const videoToAudio = video.map(() => -1);
    audioToVideo.forEach((v, a) => {
      if (!Number.isInteger(v) || v < -1 || v >= video.length) throw new InputError(file, `${audioId(a)} is matched to video ${v}, which does not exist`);
      if (v >= 0) {
        if (videoToAudio[v] >= 0) throw new InputError(file, `${videoId(v)} is matched to two audio items`);
        videoToAudio[v] = a;
      }
    });
    if (task === 2 && audioToVideo.some((v) => v < 0)) throw new InputError(file, 'task 2 matches every audio item to a video, but some have -1');
    rows = ['item,object,match'];
    audio.forEach((_, a) => rows!.push(`${audioId(a)},${name(audioObjects[a], audioId(a))},${audioToVideo[a] >= 0 ? videoId(audioToVideo[a]) : -1}`));
    video.forEach((_, v) => rows!.push(`${videoId(v)},${name(videoObjects[v], videoId(v))},${videoToAudio[v] >= 0 ? audioId(videoToAudio[v]) : -1}`));
  }
  prepareRoot(root, (n) => AUDIO_ITEM.test(n) || VIDEO_ITEM.test(n) || n === ANSWERS_FILE, opts.overwrite ?? false);
  audio.forEach((a, i) => writeCollisionAudio(path.join(root, `${audioId(i)}.pkl`), a.audio, a.sampleRate, opts));
  video.forEach((v, i) => writeVideoFolder(path.join(root, videoId(i)), v));
  if (rows) writeFileAtomic(path.join(root, ANSWERS_FILE), rows.join('\n') + '\n');
}
