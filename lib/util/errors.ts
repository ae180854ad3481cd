/**
 * Errors about the user's input. They always name the file (and, where there is one, the key or
 * line) and the problem, so a user can fix the input without reading avlab's source.
 */
export class InputError extends Error {
  constructor(
    /** The file (or directory) that holds the bad input. */
    readonly file: string,
    /** What is wrong, in one sentence. */
    readonly problem: string,
    /** The key, dataset path, column or line inside the file, when there is one. */
    readonly key?: string,
  ) {
    super(`${file}${key !== undefined ? ` [${key}]` : ''}: ${problem}`);
    this.name = 'InputError';
  }
}

/** Throws an InputError unless every value is finite; `key` names where the values came from. */
export function assertFinite(values: ArrayLike<number>, file: string, key?: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(file, `contains ${Number.isNaN(values[i]) ? 'NaN' : 'Inf'} at flat index ${i}`, key);
    }
  }
}
