/** Atomic file writes for figures and reports, creating the folder first (figures/ may not exist yet). */
import { mkdirSync } from 'fs';
import { dirname } from 'path';
import { writeFileAtomic as writeAtomic } from '../util/files';

/** Writes `data` to `path` atomically (see util/files), creating missing parent directories. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, data);
}
