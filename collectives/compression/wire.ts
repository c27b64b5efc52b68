import { CommError } from "../../world/comm-error.js";

/** Payload kinds of compressed contributions; the first byte of every payload. */
export const WIRE_SPARSE = 1;
export const WIRE_INT8 = 2;
export const WIRE_FP16 = 3;

/** Header: u8 kind, u8 flag, u16 zero, u32 n (dense length), u32 a, u32 b — 16 bytes keeps sections aligned. */
export const HEADER_BYTES = 16;

export function align8(n: number): number {
  return (n + 7) & ~7;
}

export function writeHeader(out: Uint8Array, kind: number, flag: number, n: number, a: number, b: number): void {
  const dv = new DataView(out.buffer, out.byteOffset, HEADER_BYTES);
  dv.setUint8(0, kind);
  dv.setUint8(1, flag);
  dv.setUint32(4, n, true);
  dv.setUint32(8, a, true);
  dv.setUint32(12, b, true);
}

export interface Header {
  kind: number;
  flag: number;
  n: number;
  a: number;
  b: number;
}

export function readHeader(bytes: Uint8Array, expectN: number): Header {
  if (bytes.byteLength < HEADER_BYTES) throw mismatch(`compressed payload of ${bytes.byteLength} bytes is shorter than its header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const h = { kind: dv.getUint8(0), flag: dv.getUint8(1), n: dv.getUint32(4, true), a: dv.getUint32(8, true), b: dv.getUint32(12, true) };
  if (h.n !== expectN) throw mismatch(`a peer sent a compressed buffer of ${h.n} elements, this rank has ${expectN}; every rank must pass the same length`);
  return h;
}

/** A typed view at `offset` of `bytes`, copied when the offset is not aligned for the element type. */
export function viewOf<T extends Float32Array | Uint16Array | Int8Array>(
  Ctor: { new (b: ArrayBufferLike, o: number, l: number): T; new (l: number): T; BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
  offset: number,
  count: number,
): T {
  const at = bytes.byteOffset + offset;
  if (at % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, at, count);
  const copy = new Uint8Array(count * Ctor.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(offset, offset + copy.byteLength));
  return new Ctor(copy.buffer, 0, count);
}

export function mismatch(message: string): CommError {
  return new CommError(message, { code: "MISMATCH", op: "allReduce" });
}
