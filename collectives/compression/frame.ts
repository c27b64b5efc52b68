import { align8, mismatch } from "./wire.js";

/** Several payloads in one message: u32 count, u32 lengths, then each payload at an 8-byte boundary. */
export function frame(parts: Uint8Array[]): Uint8Array {
  const headerBytes = align8(4 + 4 * parts.length);
  const total = parts.reduce((sum, p) => sum + align8(p.byteLength), headerBytes);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, parts.length, true);
  let at = headerBytes;
  parts.forEach((p, i) => {
    dv.setUint32(4 + 4 * i, p.byteLength, true);
    out.set(p, at);
    at += align8(p.byteLength);
  });
  return out;
}

export function unframe(bytes: Uint8Array, expectCount: number): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint32(0, true);
  if (count !== expectCount) throw mismatch(`framed message holds ${count} payloads, expected ${expectCount}; all ranks must use the same topology`);
  let at = align8(4 + 4 * count);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(4 + 4 * i, true);
    if (at + len > bytes.byteLength) throw mismatch(`framed message is truncated at payload ${i}`);
    parts.push(bytes.subarray(at, at + len));
    at += align8(len);
  }
  return parts;
}
