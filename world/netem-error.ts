/**
 * One error class for links: bad link values (the model layer) and shaping failures (netem), with
 * fields a caller can branch on (like execa's ExecaError). It lives in the bottom layer so both throw the same class.
 */
export type NetemErrorCode =
  | "INVALID_ARGUMENT"
  | "NO_NETEM"
  | "NO_PERMISSION"
  | "NO_TC"
  | "TC_FAILED"
  | "EMULATOR";

export interface NetemErrorFields {
  code: NetemErrorCode;
  /** The argv that failed, when a command failed. */
  command?: readonly string[];
  stderr?: string;
  cause?: unknown;
}

export class NetemError extends Error {
  override readonly name = "NetemError";
  readonly code: NetemErrorCode;
  readonly command?: readonly string[];
  readonly stderr?: string;

  constructor(message: string, fields: NetemErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.command = fields.command;
    this.stderr = fields.stderr;
  }
}

export function badValue(message: string): NetemError {
  return new NetemError(message, { code: "INVALID_ARGUMENT" });
}
