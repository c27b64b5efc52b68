import { encodeHalf, halfTable } from "./fp16.js";
import { HEADER_BYTES, WIRE_FP16, WIRE_INT8, align8, readHeader, viewOf, writeHeader } from "./wire.js";

/**
 * int8 with one f32 scale per chunk: q = round(x / s), s = max|x| / 127 over the chunk, so the
 * error of each element is at most s / 2 = max|chunk| / 254.
 */
export function encodeInt8(data: Float32Array, chunk: number): Uint8Array {
  const n = data.length;
  const chunks = Math.ceil(n / chunk);
  const scalesAt = HEADER_BYTES;
  const valuesAt = scalesAt + align8(chunks * 4);
  const out = new Uint8Array(align8(valuesAt + n));
  writeHeader(out, WIRE_INT8, 0, n, chunk, chunks);
  const scales = new Float32Array(out.buffer, scalesAt, chunks);
  const q = new Int8Array(out.buffer, valuesAt, n);
  for (let c = 0; c < chunks; c++) {
    const start = c * chunk;
    const end = Math.min(n, start + chunk);
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(data[i]));
    const scale = max / 127;
    scales[c] = scale;
    if (scale === 0) continue;
    const inv = 1 / scale;
    for (let i = start; i < end; i++) q[i] = Math.max(-127, Math.min(127, Math.round(data[i] * inv)));
  }
  return out;
}

export function decodeInt8Add(bytes: Uint8Array, into: Float32Array): void {
  const h = readHeader(bytes, into.length);
  const chunk = h.a;
  const scales = viewOf(Float32Array, bytes, HEADER_BYTES, h.b);
  const q = viewOf(Int8Array, bytes, HEADER_BYTES + align8(h.b * 4), h.n);
  for (let c = 0; c < h.b; c++) {
    const s = scales[c];
    const end = Math.min(h.n, (c + 1) * chunk);
    for (let i = c * chunk; i < end; i++) into[i] += q[i] * s;
  }
}

/** fp16: relative error at most 2^-11 in the normal range (|x| >= 6.1e-5), absolute 2^-25 below it. */
export function encodeFp16(data: Float32Array): Uint8Array {
  const out = new Uint8Array(align8(HEADER_BYTES + data.length * 2));
  writeHeader(out, WIRE_FP16, 0, data.length, 0, 0);
  encodeHalf(data, new Uint16Array(out.buffer, HEADER_BYTES, data.length));
  return out;
}

export function decodeFp16Add(bytes: Uint8Array, into: Float32Array): void {
  const h = readHeader(bytes, into.length);
  const half = viewOf(Uint16Array, bytes, HEADER_BYTES, h.n);
  const table = halfTable();
  for (let i = 0; i < h.n; i++) into[i] += table[half[i]];
}
