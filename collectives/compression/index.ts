export { allReduceCompressed } from "./allreduce-compressed.js";
export { createCodec, decodeAdd, type Codec } from "./codec.js";
export { ErrorFeedback, errorFeedbackFor } from "./error-feedback.js";
export { fromHalf, toHalf } from "./fp16.js";
export { decodeFp16Add, decodeInt8Add, encodeFp16, encodeInt8 } from "./quantize.js";
export { decodeSparseAdd, encodeNonzeros, encodeSparse, type SparseValues } from "./sparse-codec.js";
export { selectTopK } from "./topk.js";
export { CountingTransport, countTraffic, type Traffic } from "./traffic.js";
export { parseCompress, type CompressOptions, type QuantizeCompress, type TopKCompress } from "./types.js";
