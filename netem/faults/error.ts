import { NetemError } from "../errors.js";

/**
 * A fault file that cannot run: a NetemError with code INVALID_ARGUMENT (every command exits 2 on
 * it), naming the entry (`faults[2] (at 60s)`) and the field. One line, saying what to write instead.
 */
export class FaultError extends NetemError {
  /** The entry's place in `faults` (absent for errors about the whole file). */
  readonly entry?: number;
  /** The key at fault ("at", "link", "loss", ...). */
  readonly field?: string;

  constructor(message: string, fields: { entry?: number; field?: string; cause?: unknown } = {}) {
    super(message, { code: "INVALID_ARGUMENT", cause: fields.cause });
    this.entry = fields.entry;
    this.field = fields.field;
  }
}

/** How an entry is named in messages: `faults[2] (at 60s)`; the `at` as written. */
export function entryName(index: number, at: unknown): string {
  const text = typeof at === "string" || typeof at === "number" ? String(at) : undefined;
  return `faults[${index}] (${text === undefined ? "no at" : `at ${text}`})`;
}

/** An error about one field of one entry; `message` starts with the field's name (as the unit parsers' messages do). */
export function entryError(index: number, at: unknown, field: string, message: string, cause?: unknown): FaultError {
  return new FaultError(`${entryName(index, at)}: ${message}`, { entry: index, field, cause });
}
