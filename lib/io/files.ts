/** The one atomic writer every file avlab writes goes through. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `data` to `file` so readers see either the old file or the complete new one, never a
 * half-written file: the bytes go to a temporary file in the same directory (a rename is only
 * atomic within one file system), which then replaces the target. The directory must exist unless
 * `createDir` is set (figures/ and report/ may not exist yet; a user's `-o dir/x` must).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: { createDir?: boolean } = {}): void {
  if (options.createDir) fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  try {
    fs.writeFileSync(temp, data, { flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** The real path of `file` (links resolved), or of its folder joined with its name when it does not exist yet. */
export function realPathOf(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync(abs);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}
