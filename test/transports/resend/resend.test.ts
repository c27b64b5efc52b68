import { afterEach, describe, expect, it, vi } from "vitest";
import { FLAG_RESENT, FrameKind, type FrameHeader } from "../../../transports/frames.js";
import { DUPLICATE, Reassembly } from "../../../transports/reassembly.js";
import { ACK_DELAY_MS, ACK_EVERY_BYTES, ACK_EVERY_MESSAGES, AckClock } from "../../../transports/resend/ack-clock.js";
import { before, Outbox } from "../../../transports/resend/outbox.js";
import { stripeBounds } from "../../../transports/stripes.js";

const data = (seq: number, total: number, flags = 0, stripe = 0, stripes = 1): FrameHeader => ({ kind: FrameKind.DATA, flags, stripe, stripes, src: 1, seq, tag: 7, total, job: 1n });
const part = (total: number, stripe: number, stripes: number): Uint8Array => {
  const [start, end] = stripes === 1 ? [0, total] : stripeBounds(total, stripes, stripe);
  return new Uint8Array(end - start).fill(stripe + 1);
};

describe("Outbox", () => {
  it("keeps messages until a cumulative ACK covers them, oldest first, across the 2^32 wrap", () => {
    const box = new Outbox<{ seq: number }>();
    const seqs = [2 ** 32 - 2, 2 ** 32 - 1, 0, 1];
    for (const seq of seqs) box.add({ seq });
    const released: number[] = [];
    box.release(2 ** 32 - 1, (m) => released.push(m.seq));
    expect(released).toEqual([2 ** 32 - 2]);
    box.release(1, (m) => released.push(m.seq));
    expect(released).toEqual([2 ** 32 - 2, 2 ** 32 - 1, 0]);
    expect(box.kept().map((m) => m.seq)).toEqual([1]);
    box.release(0); // an older ACK arriving late changes nothing
    expect(box.size).toBe(1);
    expect(box.clear().map((m) => m.seq)).toEqual([1]);
    expect(box.size).toBe(0);
    expect(before(5, 6)).toBe(true);
    expect(before(6, 6)).toBe(false);
    expect(before(2 ** 32 - 1, 0)).toBe(true);
  });
});

describe("AckClock", () => {
  afterEach(() => vi.useRealTimers());

  it("acknowledges at once for a waiting sender, every 64 messages or 1 MiB, else after a short delay", () => {
    vi.useFakeTimers();
    let acks = 0;
    const clock = new AckClock(() => acks++);
    clock.delivered(100, true);
    expect(acks).toBe(1);
    for (let i = 0; i < ACK_EVERY_MESSAGES; i++) clock.delivered(10, false);
    expect(acks).toBe(2);
    clock.delivered(ACK_EVERY_BYTES, false);
    expect(acks).toBe(3);
    clock.delivered(10, false);
    clock.delivered(10, false);
    expect(acks).toBe(3);
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(acks).toBe(4);
    vi.advanceTimersByTime(10 * ACK_DELAY_MS);
    expect(acks).toBe(4); // nothing new delivered: no ACK
    clock.delivered(10, false);
    clock.stop();
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(acks).toBe(4);
  });
});

describe("Reassembly of resent frames", () => {
  it("drops a resent copy of a message it already emitted or holds, and fills a gap with a resent one", () => {
    const out: number[] = [];
    const r = new Reassembly((h) => out.push(h.seq), () => 1);
    expect(r.accept(data(0, 4), part(4, 0, 1))).toBeUndefined();
    expect(r.accept(data(2, 4), part(4, 0, 1))).toBeUndefined(); // 1 was lost with its connection
    expect(out).toEqual([0]);
    expect(r.nextSeq).toBe(1);
    expect(r.accept(data(0, 4, FLAG_RESENT), part(4, 0, 1))).toBe(DUPLICATE);
    expect(r.accept(data(1, 4, FLAG_RESENT), part(4, 0, 1))).toBeUndefined();
    expect(r.accept(data(2, 4, FLAG_RESENT), part(4, 0, 1))).toBe(DUPLICATE);
    expect(out).toEqual([0, 1, 2]);
    expect(r.nextSeq).toBe(3);
    // A copy not marked resent is still refused as a fault, and so is a resent one whose shape is wrong.
    expect(r.accept(data(1, 4), part(4, 0, 1))).toMatch(/outside the window/);
    expect(r.accept(data(1, 4, FLAG_RESENT), part(3, 0, 1))).toMatch(/length disagrees/);
  });

  it("joins a striped message whose lost stripe came again, and drops a resent stripe it has", () => {
    const out: Array<[number, number[]]> = [];
    const r = new Reassembly((h, bytes) => out.push([h.seq, Array.from(new Set(bytes))]), () => 2);
    expect(r.accept(data(0, 64, 0, 0, 2), part(64, 0, 2))).toBeUndefined();
    expect(r.accept(data(0, 64, FLAG_RESENT, 0, 2), part(64, 0, 2))).toBe(DUPLICATE);
    expect(out).toEqual([]);
    expect(r.accept(data(0, 64, FLAG_RESENT, 1, 2), part(64, 1, 2))).toBeUndefined();
    expect(out).toEqual([[0, [1, 2]]]);
  });
});
