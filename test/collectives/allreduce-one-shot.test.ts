/**
 * The one-shot all-reduce and shared barrier between real worker threads (compiled fixture in
 * test/fixtures/one-shot-rank.mjs, so `npm run build` first): results, bit-identical floats on
 * every rank, MISMATCH on every rank, peer loss, and clear errors where one-shot cannot run.
 */
import { Worker, type TransferListItem } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { createSharedArena, markRankExited } from "../../transports/threads/shared-arena.js";
import { createThreadMesh } from "../../transports/threads/transport.js";
import { threadsChoice, ONE_SHOT_MAX_READ_BYTES } from "../../collectives/select-threads.js";

const FIXTURE = new URL("../fixtures/one-shot-rank.mjs", import.meta.url);

type Reply = { rank: number; ok?: boolean; error?: { code: string; message: string }; waitedMs?: number; [key: string]: unknown };

/** Runs `scenario` on `size` worker threads (marking exited workers in the arena, as a parent should); resolves with every message each rank posted, by rank. */
async function world(size: number, scenario: string, withArena = true, markExits = true): Promise<Reply[][]> {
  const mesh = createThreadMesh(size);
  const shared = withArena ? createSharedArena(size) : undefined;
  const replies: Reply[][] = Array.from({ length: size }, () => []);
  await Promise.all(
    mesh.map((ports, rank) => {
      const worker = new Worker(FIXTURE, { workerData: { rank, size, ports, shared, scenario }, transferList: ports.filter(Boolean) as TransferListItem[] });
      worker.on("message", (reply: Reply) => replies[rank].push(reply));
      return new Promise((resolve, reject) => {
        worker.on("exit", (code) => {
          if (shared && markExits) markRankExited(shared, size, rank);
          resolve(code);
        });
        worker.on("error", reject);
      });
    }),
  );
  return replies;
}

describe("one-shot all-reduce between worker threads", () => {
  for (const size of [2, 3, 4]) {
    it(`${size} ranks: 60 back-to-back ops of every dtype and op, with late ranks, are exact; floats agree bit for bit`, async () => {
      const replies = (await world(size, "sweep")).map((r) => r[0]);
      for (const reply of replies) expect(reply, JSON.stringify(reply.error)).toMatchObject({ ok: true, wrong: 0 });
      for (const reply of replies) expect(reply.bits).toEqual(replies[0].bits);
    }, 30_000);
  }

  it("auto runs one-shot for small buffers and the ring for large ones, with shared barriers around them", async () => {
    const replies = (await world(4, "auto")).map((r) => r[0]);
    for (const reply of replies) expect(reply).toMatchObject({ ok: true, small: 6, large: 4 });
  }, 30_000);

  it("ranks that disagree on the length all reject with MISMATCH naming the odd rank", async () => {
    const replies = (await world(3, "mismatch")).map((r) => r[0]);
    for (const reply of replies) {
      expect(reply.error?.code).toBe("MISMATCH");
      expect(reply.error?.message).toMatch(/rank 1 passed 20 bytes of float32|passed 16 bytes of float32, this rank 20/);
    }
  }, 30_000);

  for (const [scenario, markExits, how] of [["lost", false, "its port closes"], ["lostEarly", true, "the parent marks it exited, even before the others listen"]] as const) {
    it(`a rank whose thread ends makes the others reject with PEER_LOST well before the 10 s timeout: ${how}`, async () => {
      const replies = await world(3, scenario, true, markExits);
      for (const rank of [0, 1]) {
        const error = replies[rank].find((r) => r.error)?.error;
        const waited = replies[rank].find((r) => r.waitedMs !== undefined)?.waitedMs ?? Infinity;
        expect(error?.code).toBe("PEER_LOST");
        expect(waited).toBeLessThan(5_000);
      }
    }, 30_000);
  }

  it("says what to do when there is no arena, or the buffer exceeds a slot", async () => {
    const none = (await world(2, "sweep", false)).map((r) => r[0]);
    for (const reply of none) {
      expect(reply.error?.code).toBe("UNSUPPORTED");
      expect(reply.error?.message).toMatch(/createSharedArena/);
    }
    const big = (await world(2, "tooLarge")).map((r) => r[0]);
    for (const reply of big) expect(reply.error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/at most 1048576 bytes/) });
  }, 30_000);
});

describe("threadsChoice (auto between threads)", () => {
  it("picks one-shot while the bytes read from the others stay under the limit and fit a slot, else ring", () => {
    const slot = 1 << 20;
    expect(threadsChoice(4096, 4, slot)).toBe("one-shot");
    expect(threadsChoice(1 << 20, 4, slot)).toBe("one-shot");
    expect(threadsChoice((1 << 20) + 8, 4, slot)).toBe("ring"); // larger than a slot
    expect(threadsChoice(1 << 20, 8, slot)).toBe("ring"); // 7 MiB to read
    expect(threadsChoice(ONE_SHOT_MAX_READ_BYTES / 7, 8, slot)).toBe("one-shot");
    expect(threadsChoice(4096, 4, undefined)).toBe("ring"); // no arena
  });
});
