/**
 * Wire header of every ZeroMQ message: a fixed 32-byte little-endian layout, sent as its own
 * frame before the payload frame. A fixed DataView layout beats msgpackr for six numbers
 * (see `longhaul bench micro`) and never allocates more than the header itself.
 *
 *   0 u8  kind        FrameKind
 *   1 u8  flags       bit 0: receiver must ACK (payload was sent zero-copy)
 *   2 u16 stripe      index of this stripe (multi-stream), or stream index in HELLO/READY
 *   4 u16 stripes     stripe count (1 = not striped), or stream count in HELLO
 *   6 u16 reserved
 *   8 u32 src         sender rank
 *  12 u32 seq         per-(sender, receiver) message sequence number
 *  16 f64 tag         message tag (safe integer), or world size in HELLO
 *  24 f64 total       total payload bytes of the whole (unstriped) message
 */
export const HEADER_BYTES = 32;

export const FrameKind = {
  DATA: 1,
  ACK: 2,
  HELLO: 3,
  READY: 4,
  BYE: 5,
} as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export const FLAG_ACK = 1;

export interface FrameHeader {
  kind: FrameKindValue;
  flags: number;
  stripe: number;
  stripes: number;
  src: number;
  seq: number;
  tag: number;
  total: number;
}

/** Encodes into a fresh 32-byte Buffer (zeromq.js copies frames this small, so it may not be reused). */
export function encodeHeader(h: FrameHeader): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, HEADER_BYTES);
  view.setUint8(0, h.kind);
  view.setUint8(1, h.flags);
  view.setUint16(2, h.stripe, true);
  view.setUint16(4, h.stripes, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, h.src, true);
  view.setUint32(12, h.seq >>> 0, true);
  view.setFloat64(16, h.tag, true);
  view.setFloat64(24, h.total, true);
  return out;
}

/** Decodes a header frame; returns undefined when the frame is not one of ours (wrong size or kind). */
export function decodeHeader(frame: Uint8Array): FrameHeader | undefined {
  if (frame.byteLength !== HEADER_BYTES) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  const kind = view.getUint8(0);
  if (kind < FrameKind.DATA || kind > FrameKind.BYE) return undefined;
  return {
    kind: kind as FrameKindValue,
    flags: view.getUint8(1),
    stripe: view.getUint16(2, true),
    stripes: view.getUint16(4, true),
    src: view.getUint32(8, true),
    seq: view.getUint32(12, true),
    tag: view.getFloat64(16, true),
    total: view.getFloat64(24, true),
  };
}

/**
 * Returns `bytes` itself when its byteOffset is 8-byte aligned, else an aligned copy: zeromq.js
 * hands out views into shared receive batches at arbitrary offsets for small messages.
 */
export function alignedView(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset % 8 === 0) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}
