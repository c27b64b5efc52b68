import { describe, expect, it } from "vitest";
import { alignedView, decodeHeader, encodeHeader, FrameKind, HEADER_BYTES, type FrameHeader } from "../../transports/frames.js";
import { Reassembly } from "../../transports/reassembly.js";
import { stripeBounds } from "../../transports/stripes.js";
import { streamsForLink } from "../../model/link-streams.js";

const header = (over: Partial<FrameHeader> = {}): FrameHeader => ({ kind: FrameKind.DATA, flags: 1, stripe: 2, stripes: 3, src: 4095, seq: 0xffffffff, tag: 2 ** 53 - 1, total: 3 * 2 ** 33, job: 2n ** 64n - 1n, ...over });

describe("frame header", () => {
  it("round-trips every field at its extremes in 40 bytes", () => {
    const bytes = encodeHeader(header());
    expect(bytes.byteLength).toBe(HEADER_BYTES);
    expect(decodeHeader(bytes)).toEqual(header());
  });

  it("ignores frames that are not headers", () => {
    expect(decodeHeader(new Uint8Array(39))).toBeUndefined();
    expect(decodeHeader(new Uint8Array(40))).toBeUndefined(); // kind 0
  });

  it("copies only misaligned views", () => {
    const buffer = new Uint8Array(24).map((_, i) => i);
    const aligned = buffer.subarray(8);
    expect(alignedView(aligned).buffer).toBe(buffer.buffer);
    const odd = alignedView(buffer.subarray(3, 11));
    expect(odd.byteOffset % 8).toBe(0);
    expect(Array.from(odd)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("stripes", () => {
  it.each([0, 1, 7, 1000, 1_000_003])("cover %i bytes exactly once on 8-byte boundaries", (total) => {
    for (const stripes of [1, 2, 3, 8]) {
      let next = 0;
      for (let i = 0; i < stripes; i++) {
        const [start, end] = stripeBounds(total, stripes, i);
        expect(start).toBe(next);
        if (start < total) expect(start % 8).toBe(0);
        next = end;
      }
      expect(next).toBe(total);
    }
  });

  it("reassemble out-of-order stripes and release messages in send order", () => {
    const out: Array<[number, number[]]> = [];
    const r = new Reassembly((h, bytes) => out.push([h.seq, Array.from(bytes)]), () => 2);
    const data = Uint8Array.from({ length: 20 }, (_, i) => i);
    const striped = (stripe: number): FrameHeader => header({ seq: 0, stripe, stripes: 2, total: 20, tag: 1 });
    const [a0, a1] = [stripeBounds(20, 2, 0), stripeBounds(20, 2, 1)];
    r.accept(header({ seq: 1, stripe: 0, stripes: 1, total: 1, tag: 1 }), Uint8Array.of(99)); // arrives before seq 0
    r.accept(striped(1), data.subarray(...a1));
    expect(out).toEqual([]);
    r.accept(striped(0), data.subarray(...a0));
    expect(out).toEqual([
      [0, Array.from(data)],
      [1, [99]],
    ]);
    r.accept(header({ seq: 2, stripe: 0, stripes: 1, total: 0 }), new Uint8Array(0));
    expect(out.map(([seq]) => seq)).toEqual([0, 1, 2]);
  });
});

describe("reassembly refuses what does not fit before it allocates", () => {
  const fresh = (streams = 2) => {
    const out: number[] = [];
    return { out, r: new Reassembly((h) => out.push(h.seq), () => streams) };
  };

  it.each([
    ["a huge total on a one-byte frame", header({ seq: 0, stripes: 1, stripe: 0, total: 512 * 2 ** 20 }), 1, /payload length/],
    ["a total beyond any typed array", header({ seq: 0, stripes: 1, stripe: 0, total: 2 ** 40 }), 1, /impossible message length/],
    ["a fractional total", header({ seq: 0, stripes: 1, stripe: 0, total: 1.5 }), 1, /impossible message length/],
    ["more stripes than the sender has streams", header({ seq: 0, stripes: 3, stripe: 0, total: 24 }), 8, /stripe outside/],
    ["a stripe index past the stripe count", header({ seq: 0, stripes: 2, stripe: 2, total: 16 }), 8, /stripe outside/],
    ["a first stripe much shorter than its share of a 512 MiB total", header({ seq: 0, stripes: 2, stripe: 0, total: 512 * 2 ** 20 }), 8, /payload length/],
    ["a sequence number far ahead", header({ seq: 1 << 20, stripes: 1, stripe: 0, total: 1 }), 1, /outside the window/],
    ["an old sequence number", header({ seq: 0xffffffff, stripes: 1, stripe: 0, total: 1 }), 1, /outside the window/],
  ])("drops %s", (_name, h, bytes, why) => {
    const { out, r } = fresh();
    expect(r.accept(h, new Uint8Array(bytes))).toMatch(why);
    expect(out).toEqual([]);
    // the stream goes on: the real message 0 is still taken
    expect(r.accept(header({ seq: 0, stripes: 1, stripe: 0, total: 1 }), Uint8Array.of(7))).toBeUndefined();
    expect(out).toEqual([0]);
  });

  it("drops a duplicate stripe, a stripe that disagrees with its message, and a replayed message", () => {
    const { out, r } = fresh();
    const s = (stripe: number, over: Partial<FrameHeader> = {}) => header({ seq: 0, stripe, stripes: 2, total: 16, tag: 1, ...over });
    expect(r.accept(s(0), new Uint8Array(8))).toBeUndefined();
    expect(r.accept(s(0), new Uint8Array(8))).toMatch(/duplicate stripe/);
    expect(r.accept(s(1, { total: 24, tag: 1 }), new Uint8Array(8))).toMatch(/payload length|disagrees/);
    expect(r.accept(s(1, { tag: 2 }), new Uint8Array(8))).toMatch(/disagrees/);
    expect(r.accept(s(1), new Uint8Array(8))).toBeUndefined();
    expect(out).toEqual([0]);
    expect(r.accept(s(1), new Uint8Array(8))).toMatch(/outside the window/);
  });
});

describe("streamsForLink", () => {
  it("covers the bandwidth-delay product with 3 MiB windows (half of tcp_rmem max), at least 1 and at most max", () => {
    expect(streamsForLink({ rateMbit: 1000, rttMs: 0.1 })).toBe(1);
    // 1 Gbit/s × 110 ms = 13.75 MB → 4.4 windows of 3 MiB → 5; a 6 MiB window needs 3
    expect(streamsForLink({ rateMbit: 1000, rttMs: 110 })).toBe(5);
    expect(streamsForLink({ rateMbit: 1000, rttMs: 110, windowBytes: 6 << 20 })).toBe(3);
    expect(streamsForLink({ rateMbit: 100_000, rttMs: 200 })).toBe(8);
    expect(streamsForLink({ rateMbit: 100_000, rttMs: 200, max: 32 })).toBe(32);
  });
});
