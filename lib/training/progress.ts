/**
 * Progress display for long loops: a bar that redraws in place in an interactive terminal, and
 * nothing per batch elsewhere (under nbconvert or CI there is no TTY and a bar would print noise;
 * the per-epoch log lines are the progress there).
 */
import * as cliProgress from 'cli-progress';

/** A per-step progress sink. */
export interface EpochProgress {
  tick(): void;
  stop(): void;
}

/** True when stderr is an interactive terminal and not a CI run. */
export function interactiveTerminal(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

/** A progress bar over `total` steps, or a no-op when `enabled` is false (default: interactive terminals only). */
export function makeProgress(enabled: boolean | undefined, label: string, total: number): EpochProgress {
  if (!(enabled ?? interactiveTerminal())) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} batches | {duration_formatted}`, stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
