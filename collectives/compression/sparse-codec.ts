import { encodeHalf, halfTable } from "./fp16.js";
import { HEADER_BYTES, WIRE_SPARSE, align8, mismatch, readHeader, viewOf, writeHeader } from "./wire.js";

export type SparseValues = "f32" | "fp16";

/**
 * Sparse set on the wire: header, values (f32 or fp16), then the ascending indices as LEB128
 * varints of their gaps. At 1% density a gap averages ~100, so an index costs 1-2 bytes instead of 4.
 */
export function encodeSparse(n: number, indices: Int32Array, values: Float32Array, kind: SparseValues): Uint8Array {
  const count = indices.length;
  const valueBytes = align8(count * (kind === "f32" ? 4 : 2));
  const out = new Uint8Array(align8(HEADER_BYTES + valueBytes + count * 5));
  const valuesAt = HEADER_BYTES;
  if (kind === "f32") new Float32Array(out.buffer, valuesAt, count).set(values);
  else encodeHalf(values, new Uint16Array(out.buffer, valuesAt, count));
  let p = valuesAt + valueBytes;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    let gap = indices[i] - prev;
    prev = indices[i];
    while (gap >= 0x80) {
      out[p++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    out[p++] = gap;
  }
  writeHeader(out, WIRE_SPARSE, kind === "f32" ? 0 : 1, n, count, p - valuesAt - valueBytes);
  return out.subarray(0, align8(p));
}

/** `into[idx] += value` for every entry; returns the decoded indices and values (for error feedback). */
export function decodeSparseAdd(bytes: Uint8Array, into: Float32Array): void {
  const h = readHeader(bytes, into.length);
  const count = h.a;
  const half = h.flag === 1;
  const valueBytes = align8(count * (half ? 2 : 4));
  const values = half ? viewOf(Uint16Array, bytes, HEADER_BYTES, count) : viewOf(Float32Array, bytes, HEADER_BYTES, count);
  const table = half ? halfTable() : undefined;
  let p = HEADER_BYTES + valueBytes;
  const end = p + h.b;
  if (end > bytes.byteLength) throw mismatch(`sparse payload is truncated: ${bytes.byteLength} bytes, header says ${end}`);
  let index = 0;
  for (let i = 0; i < count; i++) {
    let gap = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[p++];
      gap |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    index += gap;
    if (index >= into.length) throw mismatch(`sparse index ${index} is outside the buffer of ${into.length} elements`);
    into[index] += table ? table[values[i]] : values[i];
  }
}

/** All nonzero entries of `dense` (a region's sum of sparse sets) as a sparse payload. */
export function encodeNonzeros(dense: Float32Array, kind: SparseValues): Uint8Array {
  let count = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) count++;
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  for (let i = 0, j = 0; i < dense.length; i++) {
    if (dense[i] !== 0) {
      indices[j] = i;
      values[j++] = dense[i];
    }
  }
  return encodeSparse(dense.length, indices, values, kind);
}
