/** Runs the avlab CLI in-process and captures what it prints. */
import { runCli, type CliIo } from '../../lib/cli';

export async function runCapture(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
