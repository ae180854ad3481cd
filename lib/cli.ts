/**
 * The `avlab` command line. `runCli` takes the arguments and an output sink and returns the exit
 * status instead of exiting, so tests and notebooks can call it in-process.
 */

import { MatchUsageError, runMatchCommand } from './collisions/cli';
import { SceneUsageError, runEvaluateCommand, runExportScenesCommand } from './scenes/cli';
import { InputError } from './util/errors';

export { EVALUATE_USAGE, EXPORT_SCENES_USAGE } from './scenes/cli';

/** Where the command line writes; defaults to the process's stdout and stderr. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit status for bad usage or bad input. */
export const EXIT_USAGE = 2;

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Help for the whole command. */
export const USAGE = `Usage: avlab <command> [options]

Commands:
  evaluate <prediction.csv> [-o result.txt] [--labels fold1_evaluate.csv]
           [--log-loss-eps float32|float64|sklearn<1.2|<number>] [--no-renormalize]
      Scores a course-format prediction file (tab-separated: aid, scene_pred,
      scene_label, one probability column per scene class) and prints the
      course's result.txt: scikit-learn's classification report, accuracy and
      overall log loss. --labels takes the truth from the course's label file.
  export-scenes --out <dir> [--profile quick|full] [--seed N]
      Writes simulated scenes in the course kit's layout (HDF5 features,
      global_mean_std.npz, fold1_*.csv label files, a baseline config).
  match --task 1|2|3 <task-folder> --model <dir> [-o answers.json]
      Answers a collision-matching task folder with a trained model (the
      course's JSON). "avlab match train --data <dir> --out <dir>" trains a
      model; "avlab match simulate --out <dir>" writes simulated data.

Options:
  -h, --help  Show this help. "avlab <command> --help" shows a command's help.
`;

/** Bad command-line usage; reported in one line with exit status 2. */
class UsageError extends Error {}

/**
 * Runs `avlab` with `argv` (the arguments after the program name) and returns the exit status:
 * 0 on success, 2 with a one-line message on stderr for bad usage or bad input, 1 with the stack
 * for anything unexpected.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) throw new UsageError('missing command');
    if (command === '-h' || command === '--help' || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === 'evaluate') return runEvaluateCommand(rest, io);
    if (command === 'export-scenes') return await runExportScenesCommand(rest, io);
    if (command === 'match') return await runMatchCommand(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SceneUsageError || err instanceof MatchUsageError) {
      io.stderr(`avlab: ${err.message} (see "avlab --help")\n`);
      return EXIT_USAGE;
    }
    if (err instanceof InputError) {
      io.stderr(`avlab: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`avlab: unexpected error\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
