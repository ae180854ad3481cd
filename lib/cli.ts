/**
 * The `avlab` command line. `runCli` takes the arguments and an output sink and returns the exit
 * status instead of exiting, so tests and notebooks can call it in-process.
 */

import { evaluatePredictionFile, writeResultTxt } from './scenes/courseFiles';
import { MatchUsageError, runMatchCommand } from './collisions/cli';
import { InputError } from './util/errors';

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
  evaluate <prediction.csv> [-o result.txt] [--no-renormalize]
      Scores a course-format prediction file (tab-separated: aid, scene_pred,
      scene_label, one probability column per scene class) and prints the
      course's result.txt: scikit-learn's classification report, accuracy and
      overall log loss.
  match --task 1|2|3 <task-folder> --model <dir> [-o answers.json]
      Answers a collision-matching task folder with a trained model (the
      course's JSON). "avlab match train --data <dir> --out <dir>" trains a
      model; "avlab match simulate --out <dir>" writes simulated data.

Options:
  -h, --help  Show this help. "avlab <command> --help" shows a command's help.
`;

/** Help for `avlab evaluate`. */
export const EVALUATE_USAGE = `Usage: avlab evaluate <prediction.csv> [-o result.txt] [--no-renormalize]

Prints result.txt for a course-format prediction file.

Options:
  -o, --output <file>  Also write the text to <file> (atomically).
  --no-renormalize     Log loss clips probabilities without dividing each row by
                       its sum, as scikit-learn 1.5 and later do (default: clip
                       and renormalise, as earlier releases and the course do).
  -h, --help           Show this help.
`;

/** Bad command-line usage; reported in one line with exit status 2. */
class UsageError extends Error {}

interface EvaluateArgs {
  input: string;
  output?: string;
  renormalize: boolean;
}

function parseEvaluateArgs(args: readonly string[]): EvaluateArgs | 'help' {
  const positional: string[] = [];
  let output: string | undefined;
  let renormalize = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    } else if (arg === '-h' || arg === '--help') {
      return 'help';
    } else if (arg === '-o' || arg === '--output') {
      if (i + 1 >= args.length || args[i + 1] === '') throw new UsageError(`${arg} needs a file name`);
      output = args[++i];
    } else if (arg.startsWith('--output=')) {
      output = arg.slice('--output='.length);
      if (output === '') throw new UsageError('--output needs a file name');
    } else if (arg === '--no-renormalize') {
      renormalize = false;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length === 0) throw new UsageError('evaluate needs a prediction file');
  if (positional.length > 1) throw new UsageError(`evaluate takes one prediction file, got ${positional.length}`);
  return { input: positional[0], output, renormalize };
}

function evaluate(args: readonly string[], io: CliIo): number {
  const parsed = parseEvaluateArgs(args);
  if (parsed === 'help') {
    io.stdout(EVALUATE_USAGE);
    return 0;
  }
  const { text } = evaluatePredictionFile(parsed.input, { logLoss: { renormalize: parsed.renormalize } });
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
    if (command === 'evaluate') return evaluate(rest, io);
    if (command === 'match') return await runMatchCommand(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof MatchUsageError) {
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
