import { invalidArgument } from "../../world/comm-error.js";

/** Top-k sparsification: keep the `ratio` largest-magnitude entries (DGC). */
export interface TopKCompress {
  kind: "topk";
  /** Fraction of entries sent, 0 < ratio <= 1 (e.g. 0.01). */
  ratio: number;
  /** Keep what was not sent and add it to the next gradient (default true). */
  errorFeedback?: boolean;
  /** Wire type of the sent values (default "fp16"; the rounding error also goes to the residual). */
  values?: "fp16" | "f32";
  /** Names the residual buffer; default: one residual per buffer (its memory: ArrayBuffer, offset, length). Give one when each step hands over a new array. */
  key?: string;
}

/** Dense quantisation with one scale per chunk (int8) or plain half precision (fp16). */
export interface QuantizeCompress {
  kind: "int8" | "fp16";
  /** Elements per int8 scale (default 256). */
  chunk?: number;
  /** Residual of the rounding carried to the next call (default false). */
  errorFeedback?: boolean;
  key?: string;
}

export type CompressOptions = TopKCompress | QuantizeCompress;

export const DEFAULT_INT8_CHUNK = 256;

/** Validates `compress` given to allReduce; the Communicator types it as unknown. */
export function parseCompress(value: unknown): CompressOptions {
  const c = value as Partial<CompressOptions> | null;
  if (c === null || typeof c !== "object") throw invalidArgument(`compress must be an object like { kind: "topk", ratio: 0.01 }`, "allReduce");
  if (c.kind === "topk") {
    const ratio = (c as TopKCompress).ratio;
    if (typeof ratio !== "number" || !(ratio > 0 && ratio <= 1)) {
      throw invalidArgument(`compress.ratio must be in (0, 1], got ${String(ratio)}; e.g. 0.01 sends 1% of the entries`, "allReduce");
    }
    return c as TopKCompress;
  }
  if (c.kind === "int8" || c.kind === "fp16") {
    const chunk = (c as QuantizeCompress).chunk;
    if (chunk !== undefined && !(Number.isInteger(chunk) && chunk > 0)) {
      throw invalidArgument(`compress.chunk must be a positive integer, got ${String(chunk)}`, "allReduce");
    }
    return c as QuantizeCompress;
  }
  throw invalidArgument(`compress.kind must be "topk", "int8" or "fp16", got ${String(c.kind)}`, "allReduce");
}
