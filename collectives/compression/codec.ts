import { ErrorFeedback } from "./error-feedback.js";
import { decodeFp16Add, decodeInt8Add, encodeFp16, encodeInt8 } from "./quantize.js";
import { decodeSparseAdd, encodeNonzeros, encodeSparse } from "./sparse-codec.js";
import { selectTopK } from "./topk.js";
import { DEFAULT_INT8_CHUNK, type CompressOptions } from "./types.js";
import { WIRE_FP16, WIRE_INT8, WIRE_SPARSE, mismatch } from "./wire.js";

/** How one compression kind turns a rank's contribution, and a region's sum, into bytes. */
export interface Codec {
  /** A rank's own contribution (error feedback applied when enabled). */
  encode(data: Float32Array): Uint8Array;
  /** A sum of already-compressed contributions: no new selection, only the wire format. */
  encodeSum(sum: Float32Array): Uint8Array;
}

/** `into += decode(bytes)` for any payload kind. */
export function decodeAdd(bytes: Uint8Array, into: Float32Array): void {
  switch (bytes[0]) {
    case WIRE_SPARSE:
      return decodeSparseAdd(bytes, into);
    case WIRE_INT8:
      return decodeInt8Add(bytes, into);
    case WIRE_FP16:
      return decodeFp16Add(bytes, into);
    default:
      throw mismatch(`unknown compressed payload kind ${bytes[0]}; all ranks must run the same longhaul version`);
  }
}

function rawCodec(c: CompressOptions): Codec {
  if (c.kind === "topk") {
    const values = c.values ?? "fp16";
    return {
      encode: (data) => {
        const indices = selectTopK(data, Math.ceil(c.ratio * data.length));
        const picked = new Float32Array(indices.length);
        for (let i = 0; i < indices.length; i++) picked[i] = data[indices[i]];
        return encodeSparse(data.length, indices, picked, values);
      },
      encodeSum: (sum) => encodeNonzeros(sum, values),
    };
  }
  if (c.kind === "int8") {
    const chunk = c.chunk ?? DEFAULT_INT8_CHUNK;
    return { encode: (d) => encodeInt8(d, chunk), encodeSum: (d) => encodeInt8(d, chunk) };
  }
  return { encode: encodeFp16, encodeSum: encodeFp16 };
}

/** The codec for `c`, wrapping `encode` with error feedback (default on for top-k, off for quantisation). */
export function createCodec(c: CompressOptions, feedback: ErrorFeedback): Codec {
  const raw = rawCodec(c);
  const useFeedback = c.errorFeedback ?? c.kind === "topk";
  if (!useFeedback) return raw;
  return {
    encodeSum: raw.encodeSum,
    encode: (data) => {
      const key = c.key ?? data;
      const acc = feedback.compensate(key, data);
      const bytes = raw.encode(acc);
      const sent = new Float32Array(data.length);
      decodeAdd(bytes, sent);
      feedback.keep(key, acc, sent);
      return bytes;
    },
  };
}
