/** One error class for every communication failure, with fields a caller can branch on. */
export type CommErrorCode = "TIMEOUT" | "PEER_LOST" | "INVALID_ARGUMENT" | "UNSUPPORTED" | "CLOSED" | "MISMATCH" | "MEMBERSHIP";

export interface CommErrorFields {
  code: CommErrorCode;
  rank?: number;
  peer?: number;
  op?: string;
  cause?: unknown;
}

export class CommError extends Error {
  override readonly name = "CommError";
  readonly code: CommErrorCode;
  readonly rank?: number;
  readonly peer?: number;
  readonly op?: string;

  constructor(message: string, fields: CommErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.rank = fields.rank;
    this.peer = fields.peer;
    this.op = fields.op;
  }
}

export function invalidArgument(message: string, op?: string): CommError {
  return new CommError(message, { code: "INVALID_ARGUMENT", op });
}
