/** A scenario or plan request that cannot be evaluated: which field, which value, and what to give instead. */
export class PlanError extends Error {
  override readonly name = "PlanError";

  constructor(
    message: string,
    /** Dotted path of the offending field ("wan.gbit", "sites[2].lat"), or the flag. */
    readonly field: string,
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** `field` is `value`, which is wrong: `advice`. */
export function badField(field: string, value: unknown, advice: string): PlanError {
  const shown = value === undefined ? "missing" : `${JSON.stringify(value)}`;
  return new PlanError(`${field} is ${shown}: ${advice}`, field, value);
}
