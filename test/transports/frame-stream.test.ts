import { describe, expect, it } from "vitest";
import { CHUNK_BYTES, FrameStreamReader } from "../../transports/frame-stream.js";
import { encodeHeader, FrameKind, HEADER_BYTES, type FrameHeader } from "../../transports/frames.js";
import { ReceivePool } from "../../transports/receive-pool.js";

const frame = (tag: number, payload: Uint8Array): Uint8Array => {
  const header = encodeHeader({ kind: FrameKind.DATA, flags: 0, stripe: 0, stripes: 1, src: 1, seq: 0, tag, total: payload.byteLength, job: 7n });
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  out.set(header);
  out.set(payload, HEADER_BYTES);
  return out;
};
const pattern = (bytes: number, seed: number): Uint8Array => new Uint8Array(bytes).map((_, i) => (i * 31 + seed) & 0xff);

function collector() {
  const got: Array<{ tag: number; payload: Uint8Array }> = [];
  const refused: string[] = [];
  const allocated: number[] = [];
  const messageBuffers = new Set<ArrayBufferLike>();
  const reader = new FrameStreamReader(
    (bytes) => {
      allocated.push(bytes);
      const buffer = new Uint8Array(bytes);
      messageBuffers.add(buffer.buffer);
      return buffer;
    },
    (h: FrameHeader, payload) => got.push({ tag: h.tag, payload }),
    (why) => refused.push(why),
  );
  return { reader, got, refused, allocated, messageBuffers };
}

/** Plays a socket: copies the stream into whatever buffer the reader names, at most `step` bytes a read; counts reads that landed in a message's own buffer. */
function readInto(c: ReturnType<typeof collector>, stream: Uint8Array, step: (i: number) => number): { direct: number } {
  const { reader } = c;
  let direct = 0;
  for (let offset = 0, i = 0; offset < stream.byteLength; i++) {
    const target = reader.nextBuffer();
    if (c.messageBuffers.has(target.buffer)) direct++;
    const n = Math.min(target.byteLength, stream.byteLength - offset, Math.max(1, step(i)));
    target.set(stream.subarray(offset, offset + n));
    offset += n;
    reader.onRead(n);
  }
  return { direct };
}

describe("frame stream reader", () => {
  const messages = [pattern(0, 1), pattern(100, 2), pattern(70_000, 3), pattern(3 << 20, 4), pattern(5, 5), pattern(CHUNK_BYTES + 13, 6)];
  const stream = new Uint8Array(messages.reduce((sum, m) => sum + HEADER_BYTES + m.byteLength, 0));
  messages.reduce((offset, m, tag) => (stream.set(frame(tag, m), offset), offset + HEADER_BYTES + m.byteLength), 0);

  it.each([
    ["in 4 KiB pieces through feed() (a socket read with 'data' events)", undefined],
    ["one byte a read for the first 100 KiB, then reads of odd sizes", (i: number) => (i < 100_000 ? 1 : [7, 39, 41, 4093, 65_537, 212_992][i % 6])],
    ["in reads as large as the buffer offered", () => Number.MAX_SAFE_INTEGER],
  ])("splits frames fed %s, whole and in order", (_name, step) => {
    const c = collector();
    if (!step) {
      for (let i = 0; i < stream.byteLength; i += 4096) c.reader.feed(stream.subarray(i, Math.min(stream.byteLength, i + 4096)));
    } else {
      readInto(c, stream, step);
    }
    expect(c.refused).toEqual([]);
    expect(c.got.map((g) => g.tag)).toEqual(messages.map((_, tag) => tag));
    c.got.forEach((g, i) => expect(Buffer.compare(Buffer.from(g.payload), Buffer.from(messages[i]))).toBe(0));
    expect(c.allocated).toEqual(messages.filter((m) => m.byteLength > 0).map((m) => m.byteLength)); // one buffer per message, no more
  });

  it("reads a large payload straight into the message's own buffer", () => {
    const c = collector();
    const big = frame(0, pattern(2 << 20, 9));
    const { direct } = readInto(c, big, () => Number.MAX_SAFE_INTEGER);
    expect(direct).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(c.got[0].payload), Buffer.from(pattern(2 << 20, 9)))).toBe(0);
  });

  it("stops for good at bytes that are not a frame, and at an impossible length", () => {
    const junk = collector();
    junk.reader.feed(new Uint8Array(HEADER_BYTES + 10).fill(0xee));
    junk.reader.feed(frame(1, pattern(10, 1)));
    expect(junk.refused).toEqual(["bytes that are not a longhaul frame"]);
    expect(junk.got).toEqual([]);
    const huge = collector();
    const header = encodeHeader({ kind: FrameKind.DATA, flags: 0, stripe: 0, stripes: 1, src: 1, seq: 0, tag: 0, total: 2 ** 40, job: 7n });
    huge.reader.feed(header);
    expect(huge.refused).toEqual(["a frame announcing an impossible length"]);
    expect(huge.allocated).toEqual([]);
  });
});

describe("receive pool", () => {
  it("reuses a released buffer of the same size and takes back only its own whole buffers", () => {
    const pool = new ReceivePool();
    const a = pool.take(1 << 20);
    pool.release(a);
    expect(pool.take(1 << 20) === a).toBe(true);
    expect(pool.take(1 << 20) === a).toBe(false); // `a` is out again
    const foreign = new Uint8Array(1 << 20);
    pool.release(foreign);
    expect(pool.take(1 << 20) === foreign).toBe(false);
    const b = pool.take(1 << 20);
    pool.release(b.subarray(8));
    expect(pool.take(1 << 20) === b).toBe(false);
    const small = pool.take(100);
    pool.release(small);
    expect(pool.take(100) === small).toBe(false);
  });
});
