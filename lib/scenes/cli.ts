/**
 * The scene family's `avlab` verbs:
 *
 *   avlab evaluate <prediction.csv> [--labels fold1_evaluate.csv] [-o result.txt] [--log-loss-eps MODE] [--no-renormalize]
 *   avlab export-scenes --out DIR [--profile quick|full] [--seed N] [--clips-per-class T,V,E] [--frames N]
 *
 * `lib/cli.ts` dispatches to them; both return the exit status and write through the CLI's io.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LOG_LOSS_EPS_NAMES,
  evaluatePredictionFile,
  writeResultTxt,
  type LogLossEps,
} from './courseFiles';
import { writeCourseKit } from './data/courseKit';
import { simulateScenes, type SceneSimOptions } from './data/simulator';
import { type SceneDataset } from './data/types';
import { InputError } from '../util/errors';
import { writeFileAtomic, realPathOf } from '../io/files';
import { profileName, sceneProfile, type Profile } from '../util/profile';

/** Where the scene verbs write (the CLI's `CliIo`). */
export interface SceneIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Bad usage of a scene verb; the CLI reports it in one line with exit status 2. */
export class SceneUsageError extends Error {}

/** Help for `avlab evaluate`. */
export const EVALUATE_USAGE = `Usage: avlab evaluate <prediction.csv> [--labels fold1_evaluate.csv] [-o result.txt]
                      [--log-loss-eps float32|float64|sklearn<1.2|<number>] [--no-renormalize]

Prints result.txt for a course-format prediction file (tab-separated: aid,
scene_pred, scene_label, one probability column per scene class; a leading
pandas index column is skipped). Rows whose probabilities do not sum to 1
within 0.01 are scored, with a warning on stderr.

Options:
  --labels <file>        The course's label file (fold1_evaluate.csv: tab-separated
                         filename_audio, filename_video, scene_label), joined to the
                         predictions by clip id as eval_prediction.py does; the
                         prediction file then needs no scene_label column.
  -o, --output <file>    Also write the text to <file> (atomically).
  --log-loss-eps <mode>  How the log loss clips probabilities to [eps, 1 - eps]:
                           float32      (default) scikit-learn >= 1.2 on float32
                                        probabilities, as the course's evaluate.py
                                        passes them: eps = 1.1920929e-07,
                                        renormalised in float32;
                           float64      scikit-learn >= 1.2 on float64, as the
                                        course's eval_prediction.py reads
                                        prediction.csv: eps = 2.220446e-16;
                           sklearn<1.2  scikit-learn <= 1.1: eps = 1e-15, rows
                                        renormalised (quote it in a shell);
                           <number>     that eps, in float64.
  --no-renormalize       Clip without dividing each row by its sum, as scikit-learn
                         1.5 and later do (default: renormalise, as earlier releases
                         do). Not with sklearn<1.2.
  -h, --help             Show this help.
`;

/** Help for `avlab export-scenes`. */
export const EXPORT_SCENES_USAGE = `Usage: avlab export-scenes --out <dir> [--profile quick|full] [--seed <n>]
                           [--clips-per-class <train>,<val>,<test>] [--frames <n>]

Writes avlab's simulated scenes in the course kit's layout, so the course's
PyTorch scripts (train.py, evaluate.py, eval_prediction.py) run on them:

  <dir>/feature/{audio,video}_features_data/{train,val,test}.hdf5
  <dir>/feature/{audio,video}_features_data/global_mean_std.npz
  <dir>/evaluation_setup/fold1_{train,evaluate,test}.csv, <dir>/meta.csv
  <dir>/configs/baseline.yaml   (the course's baseline config, pointing here)

Clip ids follow DCASE's <scene>-<city>-<location>-<segment>, so
loadCourseKit(<dir>) gives back the recording locations.

Options:
  --out <dir>                 Where to write (created; existing files are replaced).
  --profile <p>               quick or full sizes (default: AVLAB_PROFILE, else full).
  --seed <n>                  Simulator seed (default 7, the notebooks' data).
  --clips-per-class <t,v,e>   Override the profile's clips per class and split.
  --frames <n>                Override the profile's frames per clip.
  -h, --help                  Show this help.
`;

/** Reads the value of option `arg` at `args[i + 1]`, or throws a usage error. */
function optionValue(args: readonly string[], i: number, arg: string, what: string): string {
  if (i + 1 >= args.length || args[i + 1] === '') throw new SceneUsageError(`${arg} needs ${what}`);
  return args[i + 1];
}

/** Splits `--name=value` into its parts; other arguments come back unchanged. */
function splitEquals(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

/** One command-line argument: its option name (`--x` of `--x=v`), the argument as given, a reader of the option's value, and what follows it. */
interface CommandArg {
  arg: string;
  raw: string;
  /** The value of option `arg`: its inline part (`--x=v`), else the next argument, which is then consumed. */
  value(what?: string): string;
  /** The arguments after this one (for `--`). */
  rest(): string[];
}

/** Walks a command line, one argument at a time, letting each option take its value. */
function* walkOptions(args: readonly string[]): Generator<CommandArg> {
  for (let i = 0; i < args.length; i++) {
    const [arg, inline] = splitEquals(args[i]);
    const value = (what = 'a value'): string => {
      if (inline !== undefined) {
        if (inline === '') throw new SceneUsageError(`${arg} needs ${what}`);
        return inline;
      }
      return optionValue(args, i++, arg, what);
    };
    yield { arg, raw: args[i], value, rest: () => args.slice(i + 1) };
  }
}

/** Parses a `--log-loss-eps` value. */
export function parseLogLossEps(value: string): LogLossEps {
  if ((LOG_LOSS_EPS_NAMES as readonly string[]).includes(value)) return value as LogLossEps;
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n) && n >= 0 && n < 0.5) return n;
  throw new SceneUsageError(`--log-loss-eps must be ${LOG_LOSS_EPS_NAMES.join(', ')} or a number in [0, 0.5), got ${JSON.stringify(value)}`);
}

interface EvaluateArgs {
  input: string;
  output?: string;
  labels?: string;
  eps: LogLossEps;
  renormalize?: boolean;
}

function parseEvaluateArgs(args: readonly string[]): EvaluateArgs | 'help' {
  const positional: string[] = [];
  let output: string | undefined;
  let labels: string | undefined;
  let eps: LogLossEps = 'float32';
  let renormalize: boolean | undefined;
  for (const { arg, raw, value, rest } of walkOptions(args)) {
    if (arg === '--') {
      positional.push(...rest());
      break;
    } else if (arg === '-h' || arg === '--help') {
      return 'help';
    } else if (arg === '-o' || arg === '--output') {
      output = value('a file name');
    } else if (arg === '--labels') {
      labels = value('a file name');
    } else if (arg === '--log-loss-eps') {
      eps = parseLogLossEps(value());
    } else if (arg === '--no-renormalize') {
      renormalize = false;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new SceneUsageError(`unknown option ${arg}`);
    } else {
      positional.push(raw);
    }
  }
  if (positional.length === 0) throw new SceneUsageError('evaluate needs a prediction file');
  if (positional.length > 1) throw new SceneUsageError(`evaluate takes one prediction file, got ${positional.length}`);
  if (eps === 'sklearn<1.2' && renormalize === false) {
    throw new SceneUsageError('--no-renormalize does not apply to --log-loss-eps sklearn<1.2 (those releases always renormalise)');
  }
  return { input: positional[0], output, labels, eps, renormalize };
}

/** Refuses an output path that is (through `..`, links or spelling) one of the inputs. */
function refuseOutputOverInput(output: string, inputs: [string, string | undefined][]): void {
  const out = realPathOf(output);
  for (const [what, input] of inputs) {
    if (input !== undefined && realPathOf(input) === out) {
      throw new InputError(output, `is the ${what} (${input}); -o would overwrite an input: choose another output file`);
    }
  }
}

/** `avlab evaluate`: prints (and with -o writes) result.txt for a prediction file. */
export function runEvaluateCommand(args: readonly string[], io: SceneIo): number {
  const parsed = parseEvaluateArgs(args);
  if (parsed === 'help') {
    io.stdout(EVALUATE_USAGE);
    return 0;
  }
  if (parsed.output !== undefined) refuseOutputOverInput(parsed.output, [['prediction file', parsed.input], ['label file', parsed.labels]]);
  const { text } = evaluatePredictionFile(parsed.input, {
    labels: parsed.labels,
    logLoss: { eps: parsed.eps, renormalize: parsed.renormalize },
    warn: (message) => io.stderr(`avlab: warning: ${message}\n`),
  });
  if (parsed.output !== undefined) {
    try {
      writeResultTxt(parsed.output, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(parsed.output, `cannot be written (${code ?? (err as Error).message})`);
    }
  }
  io.stdout(text);
  return 0;
}

/** Options of {@link exportCourseScenes}. */
export interface ExportScenesOptions {
  /** Sizes (default: `AVLAB_PROFILE`, else full). */
  profile?: Profile;
  /** Simulator seed (default the simulator's, 7). */
  seed?: number;
  /** Overrides of the profile's sizes and any other simulator option. */
  sim?: Partial<SceneSimOptions>;
}

/** What {@link exportCourseScenes} wrote. */
export interface ExportScenesResult {
  /** Every file written, absolute. */
  files: string[];
  /** The simulated data set as written (raw features, not standardised). */
  dataset: SceneDataset;
}

/**
 * The course's baseline config (configs/baseline.yaml: data paths, MeanConcatDense training
 * schedule) with every data path pointing into the export at `root`.
 */
export function courseBaselineConfig(root: string): string {
  const abs = path.resolve(root);
  const q = (rel: string): string => JSON.stringify(path.join(abs, rel)); // a JSON string is a YAML scalar
  const feature = (m: 'audio' | 'video', file: string): string => q(path.join('feature', `${m}_features_data`, file));
  const split = (stem: string): string => `        audio_feature: ${feature('audio', `${stem}.hdf5`)}\n        video_feature: ${feature('video', `${stem}.hdf5`)}\n`;
  return (
    'data:\n' +
    `    train:\n${split('train')}` +
    `    cv:\n${split('val')}` +
    `    test:\n${split('test')}` +
    `    audio_norm: ${feature('audio', 'global_mean_std.npz')}\n` +
    `    video_norm: ${feature('video', 'global_mean_std.npz')}\n` +
    '    dataloader_args:\n        num_workers: 1\n        batch_size: 128\n\n' +
    'num_classes: 10\n\n' +
    'output_dir: experiments/baseline\n\n' +
    'optimizer:\n    type: Adam\n    args:\n        lr: !!float 1e-4\n        weight_decay: !!float 1e-4\n\n' +
    'lr_scheduler:\n    args:\n        patience: 3\n        factor: 0.1\n\n' +
    'epoch: 100\nearly_stop: 7\n'
  );
}

/**
 * Writes simulated scenes in the full course layout under `out`: the six HDF5 feature files and
 * the per-modality `global_mean_std.npz` (`writeCourseKit`), the DCASE label files
 * (`meta.csv`, `evaluation_setup/fold1_{train,evaluate,test}.csv`) and `configs/baseline.yaml`.
 */
export async function exportCourseScenes(out: string, options: ExportScenesOptions = {}): Promise<ExportScenesResult> {
  const p = sceneProfile(options.profile ?? profileName());
  const dataset = simulateScenes({
    clipsPerClass: p.clipsPerClass,
    frames: p.frames,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...options.sim,
  });
  try {
    fs.mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new InputError(out, `cannot create the output directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const files = (await writeCourseKit(out, dataset, { labelFiles: true })).map((f) => path.resolve(f));
  const config = path.resolve(out, 'configs', 'baseline.yaml');
  writeFileAtomic(config, courseBaselineConfig(out), { createDir: true });
  files.push(config);
  return { files, dataset };
}

/** Parses a non-negative integer option value. */
function integer(arg: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new SceneUsageError(`${arg} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** `avlab export-scenes`: see {@link EXPORT_SCENES_USAGE}. */
export async function runExportScenesCommand(args: readonly string[], io: SceneIo): Promise<number> {
  let out: string | undefined;
  let profile: Profile | undefined;
  let seed: number | undefined;
  const sim: Partial<SceneSimOptions> = {};
  for (const { arg, value } of walkOptions(args)) {
    if (arg === '-h' || arg === '--help') {
      io.stdout(EXPORT_SCENES_USAGE);
      return 0;
    } else if (arg === '--out' || arg === '-o') {
      out = value('a directory');
    } else if (arg === '--profile') {
      const v = value();
      if (v !== 'quick' && v !== 'full') throw new SceneUsageError(`--profile must be quick or full, got ${JSON.stringify(v)}`);
      profile = v;
    } else if (arg === '--seed') {
      seed = integer(arg, value(), 0);
    } else if (arg === '--clips-per-class') {
      const parts = value().split(',');
      if (parts.length !== 3) throw new SceneUsageError('--clips-per-class needs three counts: <train>,<val>,<test>');
      const [train, val, test] = parts.map((x) => integer(arg, x.trim(), 1));
      sim.clipsPerClass = { train, val, test };
    } else if (arg === '--frames') {
      sim.frames = integer(arg, value(), 1);
    } else if (arg.startsWith('-')) {
      throw new SceneUsageError(`unknown option ${arg}`);
    } else {
      throw new SceneUsageError(`export-scenes takes no positional arguments (got ${JSON.stringify(arg)}); use --out <dir>`);
    }
  }
  if (out === undefined) throw new SceneUsageError('export-scenes needs --out <dir>');
  const root = path.resolve(out);
  const { files, dataset } = await exportCourseScenes(root, { profile, seed, sim });
  const sizes = (['train', 'val', 'test'] as const).map((s) => `${dataset[s].ids.length} ${s}`).join(', ');
  io.stderr(`avlab: wrote ${dataset.description} (${sizes} clips) to ${root}\n`);
  io.stdout(files.map((f) => `${path.relative(root, f)}\n`).join(''));
  return 0;
}
