/** The shared arena's arrival counting, waits, deadlines and checks, with every rank in this thread (the yielding wait path). */
import { describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { createSharedArena, markRankExited, SharedArena } from "../../transports/threads/shared-arena.js";

function arenas(size: number, failure?: () => CommError | undefined): SharedArena[] {
  const buffer = createSharedArena(size, 64);
  return Array.from({ length: size }, (_, rank) => new SharedArena(buffer, rank, size, failure));
}

const settledSoon = (promise: Promise<unknown>) => Promise.race([promise.then(() => "settled"), new Promise((r) => setTimeout(() => r("pending"), 60))]);

describe("SharedArena", () => {
  it("keeps every rank waiting until the last one arrives, op after op", async () => {
    const world = arenas(3);
    for (let op = 0; op < 3; op++) {
      const generations = world.map((a) => a.begin());
      expect(generations).toEqual([op, op, op]);
      world[0].arrive(op);
      world[1].arrive(op);
      const waits = [0, 1].map((r) => world[r].waitForAll(op, Date.now() + 5000, "test"));
      expect(await settledSoon(Promise.all(waits))).toBe("pending");
      world[2].arrive(op);
      expect(await settledSoon(Promise.all([...waits, world[2].waitForAll(op, Date.now() + 5000, "test")]))).toBe("settled");
    }
  });

  it("gives each rank two slots used by alternate ops, each with a header", () => {
    const [a, b] = arenas(2);
    expect(a.slotBytes).toBe(64);
    a.slot(0, 0).payload.fill(1);
    a.slot(0, 1).payload.fill(2);
    a.slot(1, 0).header[0] = 40;
    expect(b.slot(0, 0).payload[63]).toBe(1);
    expect(b.slot(0, 2).payload[0]).toBe(1); // op 2 reuses op 0's slot
    expect(b.slot(0, 1).payload[0]).toBe(2);
    expect(b.slot(1, 2).header[0]).toBe(40);
  });

  it("rejects with TIMEOUT at the deadline when a rank never arrives", async () => {
    const [a] = arenas(2);
    a.arrive(a.begin());
    const error = await a.waitForAll(0, Date.now() + 50, "allReduce").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommError);
    expect(error).toMatchObject({ code: "TIMEOUT", op: "allReduce", message: expect.stringMatching(/shared-memory op 0.*raise timeoutMs/) });
  });

  it("rejects with the transport's error once a peer is lost, without waiting for the deadline", async () => {
    let lost: CommError | undefined;
    const [a] = arenas(2, () => lost);
    a.arrive(a.begin());
    const waiting = a.waitForAll(0, Date.now() + 10_000, "barrier").catch((e: unknown) => e);
    lost = new CommError("peer 1 left", { code: "PEER_LOST", peer: 1 });
    const started = Date.now();
    expect(await waiting).toBe(lost);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("rejects with PEER_LOST once the parent marks a rank's worker exited", async () => {
    const [a] = arenas(2);
    a.arrive(a.begin());
    const waiting = a.waitForAll(0, Date.now() + 10_000, "allReduce").catch((e: unknown) => e);
    expect(await settledSoon(waiting)).toBe("pending");
    const started = Date.now();
    markRankExited(a.buffer, 2, 1);
    expect(await waiting).toMatchObject({ code: "PEER_LOST", peer: 1, op: "allReduce", message: expect.stringMatching(/peer 1's thread ended/) });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("refuses bad sizes and an arena made for another world size, saying how to make one", () => {
    expect(() => createSharedArena(0)).toThrow(/size must be a positive integer/);
    expect(() => createSharedArena(2, 12)).toThrow(/multiple of 8/);
    expect(() => new SharedArena(new SharedArrayBuffer(100), 0, 4)).toThrow(/createSharedArena\(4\)/);
  });
});
