/**
 * `avlab match`: answer a course task folder with a trained matching model, train one from a course
 * layout, or write simulated data in the course's layout.
 *
 *   avlab match --task 1|2|3 <task-folder> --model <dir> [-o answers.json] [--method hungarian|greedy] [--threshold τ]
 *   avlab match train --data <course-layout root> --out <dir> [--profile quick|full] [--epochs N] [--val-fraction f] [--seed N]
 *   avlab match simulate --out <dir> [--per-object N] [--test-per-object N] [--seed N]
 *
 * Outputs are the course's: task 1 `{ "audio_0000.pkl": "<class name>" }`, tasks 2 and 3
 * `{ "audio_0000.pkl": <video index or -1> }`, as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendChoice, backendInfo, initBackend } from '../backend';
import { profileName } from '../util/profile';
import { readCourseLayout, readTaskFolder, writeCourseLayout, writeTaskFolder } from './data/courseLayout';
import { simulateCollisions } from '../worlds/collision/simulator';
import { makeCollisionTask } from './data/tasks';
import { COLLISION_OBJECTS, type CollisionSample } from '../worlds/collision/types';
import { InputError } from '../util/errors';
import { writeFileAtomic } from '../io/files';
import { Rng, deriveSeed } from '../util/rng';
import { matchingProfile } from './experiment';
import { extractFeatures } from './features/clipFeatures';
import { answersFromPrediction, disposeMatchingModel, loadMatchingModel, predictFolder, saveMatchingModel, trainMatchingModel } from './models/matchingModel';
import { answerAccuracy } from './matching/metrics';

/** Where the command writes (the CLI's `CliIo`). */
export interface MatchIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Bad usage of `avlab match`; the CLI reports it in one line with exit status 2. */
export class MatchUsageError extends Error {}

/** Help for `avlab match`. */
export const MATCH_USAGE = `Usage:
  avlab match --task 1|2|3 <task-folder> --model <dir> [-o answers.json]
  avlab match train --data <course-layout root> --out <dir> [options]
  avlab match simulate --out <dir> [options]

Answers a collision-matching task folder with a trained model and prints the
course's JSON: task 1 {"audio_0000.pkl": "<class name>"}, tasks 2 and 3
{"audio_0000.pkl": <video index or -1>}. When the folder has answers.csv, the
accuracy is reported on stderr.

Options (answering):
  --task <1|2|3>        Which task the folder holds (required).
  --model <dir>         Model directory written by "avlab match train" (required).
  -o, --output <file>   Also write the JSON to <file> (atomically).
  --method <name>       hungarian (default) or greedy.
  --threshold <τ>       Task 3: reject distances above τ instead of the model's τ.

Options (train):
  --data <dir>          Training data in the course layout: <object>/<k>/{audio_data.pkl,rgb/,mask/}.
  --out <dir>           Where to write model.json and weights.ckpt (and runs/: resumable checkpoints).
  --profile <p>         quick or full sizes and epochs (default: AVLAB_PROFILE, else full).
  --epochs <n>          Override the epochs of the classifier and the encoders.
  --val-fraction <f>    Fraction of each object's samples held out to choose τ (default 0.2).
  --seed <n>            Seed of the split and of training (default 0).

Options (simulate):
  --out <dir>           Writes <dir>/train (course layout) and <dir>/task1..task3 (with answers.csv).
  --per-object <n>      Training samples per object (default 20).
  --test-per-object <n> Samples per object in the task folders (default 5).
  --seed <n>            Simulator seed (default 0).

The backend is chosen by AVLAB_BACKEND (default auto).
`;

type Flags = Map<string, string | true>;

/** Splits arguments into positionals and --flags (with values unless listed as switches). */
function parseFlags(args: readonly string[], valued: readonly string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = new Map();
  const alias: Record<string, string> = { '-o': '--output', '-h': '--help' };
  for (let i = 0; i < args.length; i++) {
    let arg = alias[args[i]] ?? args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help') {
      flags.set('--help', true);
      continue;
    }
    if (!valued.includes(arg)) throw new MatchUsageError(`unknown option ${arg}`);
    if (value === undefined) {
      if (i + 1 >= args.length || args[i + 1] === '') throw new MatchUsageError(`${arg} needs a value`);
      value = args[++i];
    }
    flags.set(arg, value);
  }
  return { positional, flags };
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function num(flags: Flags, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new MatchUsageError(`${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

async function ensureBackend(): Promise<void> {
  // In-process callers (tests, notebooks) have chosen a backend already; a fresh process picks one.
  if (!backendInfo()) await initBackend(backendChoice(), { quiet: true });
}

function writeOutput(file: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, text);
  } catch (err) {
    throw new InputError(file, `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

async function answer(args: readonly string[], io: MatchIo): Promise<number> {
  const { positional, flags } = parseFlags(args, ['--task', '--model', '--output', '--method', '--threshold']);
  if (flags.has('--help')) {
    io.stdout(MATCH_USAGE);
    return 0;
  }
  const task = num(flags, '--task', (n) => n === 1 || n === 2 || n === 3, '1, 2 or 3');
  if (task === undefined) throw new MatchUsageError('match needs --task 1|2|3');
  if (positional.length !== 1) throw new MatchUsageError(`match takes one task folder, got ${positional.length}`);
  const modelDir = str(flags, '--model');
  if (!modelDir) throw new MatchUsageError('match needs --model <dir>');
  const method = str(flags, '--method') ?? 'hungarian';
  if (method !== 'hungarian' && method !== 'greedy') throw new MatchUsageError(`--method must be hungarian or greedy, got ${JSON.stringify(method)}`);
  const threshold = num(flags, '--threshold', (n) => n >= 0, 'a non-negative number');
  await ensureBackend();
  const folder = readTaskFolder(positional[0], task as 1 | 2 | 3);
  const model = loadMatchingModel(modelDir);
  try {
    const pred = await predictFolder(model, folder);
    const { answers } = answersFromPrediction(model, folder, pred, { method, threshold });
    const text = JSON.stringify(answers, null, 2) + '\n';
    const out = str(flags, '--output');
    if (out !== undefined) writeOutput(out, text);
    io.stdout(text);
    if (folder.answers) {
      const truth = task === 1 ? folder.answers.audioObjects.map((o) => COLLISION_OBJECTS[o]) : folder.answers.audioToVideo.map((j) => (j < 0 ? -1 : j));
      const got = Object.values(answers);
      const acc = task === 1 ? answerAccuracy(got.map((g) => COLLISION_OBJECTS.indexOf(g as never)), truth.map((t) => COLLISION_OBJECTS.indexOf(t as never))) : answerAccuracy(got as number[], truth as number[]);
      io.stderr(`accuracy against ${path.join(positional[0], 'answers.csv')}: ${acc.toFixed(4)} (${got.length} audio items)\n`);
    }
    return 0;
  } finally {
    disposeMatchingModel(model);
  }
}

/** Splits samples into train and validation per object (seeded), holding out `fraction` of each object (at least one). */
export function splitByObject(samples: readonly CollisionSample[], fraction: number, seed: number): { train: CollisionSample[]; val: CollisionSample[] } {
  const rng = new Rng(deriveSeed(seed, 'match-split'));
  const train: CollisionSample[] = [];
  const val: CollisionSample[] = [];
  const objects = [...new Set(samples.map((s) => s.object))].sort((a, b) => a - b);
  for (const o of objects) {
    const own = rng.shuffle(samples.filter((s) => s.object === o));
    if (own.length < 2) throw new InputError(`object ${COLLISION_OBJECTS[o] ?? o}`, `has ${own.length} sample; training needs at least two per object (one for validation)`);
    const k = Math.min(own.length - 1, Math.max(1, Math.round(fraction * own.length)));
    val.push(...own.slice(0, k));
    train.push(...own.slice(k));
  }
  return { train, val };
}

async function train(args: readonly string[], io: MatchIo): Promise<number> {
  const { positional, flags } = parseFlags(args, ['--data', '--out', '--profile', '--epochs', '--val-fraction', '--seed']);
  if (flags.has('--help')) {
    io.stdout(MATCH_USAGE);
    return 0;
  }
  if (positional.length > 0) throw new MatchUsageError(`match train takes no positional arguments, got ${positional.join(' ')}`);
  const data = str(flags, '--data');
  const out = str(flags, '--out');
  if (!data) throw new MatchUsageError('match train needs --data <course-layout root>');
  if (!out) throw new MatchUsageError('match train needs --out <dir>');
  let profile;
  try {
    profile = profileName(str(flags, '--profile') ?? process.env.AVLAB_PROFILE);
  } catch (e) {
    throw new MatchUsageError((e as Error).message);
  }
  const p = matchingProfile(profile);
  const epochs = num(flags, '--epochs', positiveInt, 'a positive integer');
  const fraction = num(flags, '--val-fraction', (n) => n > 0 && n < 1, 'in (0, 1)') ?? 0.2;
  const seed = num(flags, '--seed', Number.isInteger, 'an integer') ?? 0;
  await ensureBackend();
  const samples = readCourseLayout(data);
  const split = splitByObject(samples, fraction, seed);
  io.stdout(`avlab match train: ${split.train.length} training and ${split.val.length} validation samples from ${data} (${profile} profile, backend ${backendInfo()?.detail})\n`);
  const result = await trainMatchingModel(extractFeatures(split.train, p.features), extractFeatures(split.val, p.features), {
    seed,
    classifierTraining: { epochs: epochs ?? p.classifierEpochs },
    encoderTraining: { epochs: epochs ?? p.encoderEpochs },
    log: (line) => io.stdout(line + '\n'),
    // Checkpoints of each part: an interrupted training resumes where it stopped.
    runDir: path.join(out, 'runs'),
  });
  try {
    await saveMatchingModel(out, result.model);
  } catch (err) {
    throw new InputError(out, `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    disposeMatchingModel(result.model);
  }
  io.stdout(`wrote ${path.join(out, 'model.json')} and weights.ckpt (${result.seconds.toFixed(1)} s)\n`);
  return 0;
}

async function simulate(args: readonly string[], io: MatchIo): Promise<number> {
  const { positional, flags } = parseFlags(args, ['--out', '--per-object', '--test-per-object', '--seed']);
  if (flags.has('--help')) {
    io.stdout(MATCH_USAGE);
    return 0;
  }
  if (positional.length > 0) throw new MatchUsageError(`match simulate takes no positional arguments, got ${positional.join(' ')}`);
  const out = str(flags, '--out');
  if (!out) throw new MatchUsageError('match simulate needs --out <dir>');
  const per = num(flags, '--per-object', positiveInt, 'a positive integer') ?? 20;
  const testPer = num(flags, '--test-per-object', positiveInt, 'a positive integer') ?? 5;
  const seed = num(flags, '--seed', Number.isInteger, 'an integer') ?? 0;
  writeCourseLayout(path.join(out, 'train'), simulateCollisions({ seed: deriveSeed(seed, 'sim-train'), perObject: per }));
  const test = simulateCollisions({ seed: deriveSeed(seed, 'sim-test'), perObject: testPer });
  for (const task of [1, 2, 3] as const) writeTaskFolder(path.join(out, `task${task}`), makeCollisionTask(test, task, { seed: deriveSeed(seed, `sim-task${task}`) }));
  io.stdout(`wrote ${per * COLLISION_OBJECTS.length} training samples to ${path.join(out, 'train')} and task folders task1..task3 (${testPer * COLLISION_OBJECTS.length} items each) to ${out}\n`);
  return 0;
}

/** Runs `avlab match …` (the arguments after `match`). Errors propagate to the CLI's handler. */
export async function runMatchCommand(args: readonly string[], io: MatchIo): Promise<number> {
  if (args[0] === 'train') return train(args.slice(1), io);
  if (args[0] === 'simulate') return simulate(args.slice(1), io);
  if (args.length === 0) throw new MatchUsageError('match needs --task 1|2|3 <task-folder> --model <dir>, or a subcommand (train, simulate)');
  return answer(args, io);
}
