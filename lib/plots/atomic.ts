/** Atomic file writes, so a crashed or parallel run never leaves a half-written figure or report. */
import { randomBytes } from 'crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'fs';
import { basename, dirname, join } from 'path';

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename (atomic
 * on one file system). Creates missing parent directories.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may never have been created
    }
    throw err;
  }
}
