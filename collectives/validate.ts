/** Argument checks for the Communicator's ops; each failure is a CommError INVALID_ARGUMENT saying what to pass instead. */
import { CommError } from "../world/comm-error.js";
import type { NumericArray, ReduceOp } from "./types.js";

export const REDUCE_OPS: readonly ReduceOp[] = ["sum", "avg", "min", "max", "prod"];
export const MAX_P2P_TAG = (1 << 20) - 1;

export class Validator {
  constructor(
    private readonly rank: number,
    private readonly size: number,
  ) {}

  fail(op: string, message: string): never {
    throw new CommError(`${op} on rank ${this.rank}: ${message}`, { code: "INVALID_ARGUMENT", rank: this.rank, op });
  }

  data(op: string, data: unknown, name = "data"): asserts data is NumericArray {
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
      this.fail(op, `${name} must be a Float32Array, Float64Array or Int32Array, got ${Object.prototype.toString.call(data)}`);
    }
  }

  reduceOp(op: string, reduceOp: unknown): ReduceOp {
    const value = reduceOp ?? "sum";
    if (!REDUCE_OPS.includes(value as ReduceOp)) this.fail(op, `op must be one of ${REDUCE_OPS.join(", ")}, got ${String(value)}`);
    return value as ReduceOp;
  }

  rankArg(op: string, what: string, value: unknown, allowSelf = true): number {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= this.size || (!allowSelf && value === this.rank)) {
      this.fail(op, `${what} must be an integer rank 0..${this.size - 1}${allowSelf ? "" : ` other than this rank ${this.rank}`}, got ${String(value)}`);
    }
    return value as number;
  }

  timeout(op: string, value: unknown, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) this.fail(op, `timeoutMs must be a positive number of milliseconds, got ${String(value)}`);
    return value;
  }

  tag(op: string, value: unknown): number {
    const tag = value ?? 0;
    if (!Number.isInteger(tag) || (tag as number) < 0 || (tag as number) > MAX_P2P_TAG) this.fail(op, `tag must be an integer 0..${MAX_P2P_TAG}, got ${String(tag)}`);
    return tag as number;
  }

  counts(op: string, counts: unknown, inputLength: number): number[] {
    if (!Array.isArray(counts) || counts.length !== this.size || !counts.every((c) => Number.isInteger(c) && c >= 0)) {
      this.fail(op, `counts must list one non-negative integer per rank (${this.size} of them)`);
    }
    if (counts[this.rank] !== inputLength) this.fail(op, `counts[${this.rank}] is ${counts[this.rank]} but this rank's input has ${inputLength} elements`);
    return counts;
  }
}
