import { describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { memoryComms, settleWorld } from "./world.js";

function reasons(results: PromiseSettledResult<unknown>[]): CommError[] {
  return results.map((r) => {
    expect(r.status).toBe("rejected");
    const reason = (r as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(CommError);
    return reason as CommError;
  });
}

describe("errors", () => {
  it("a length mismatch rejects with MISMATCH on every rank", async () => {
    for (const size of [2, 3, 4, 8]) {
      for (const odd of [0, size - 1]) {
        const results = await settleWorld(size, (comm, rank) => comm.allReduce(new Float32Array(rank === odd ? 11 : 10), { algorithm: "ring", timeoutMs: 2000 }));
        for (const error of reasons(results)) {
          expect(error.code).toBe("MISMATCH");
          expect(error.op).toBe("allReduce");
        }
      }
    }
  });

  it("a dtype mismatch rejects with MISMATCH on every rank (allReduce, reduceScatter, broadcast)", async () => {
    const make = (rank: number) => (rank === 2 ? new Int32Array(8) : new Float32Array(8));
    for (const call of [
      (c: Parameters<Parameters<typeof settleWorld>[1]>[0], r: number) => c.allReduce(make(r), { algorithm: "ring" }),
      (c: Parameters<Parameters<typeof settleWorld>[1]>[0], r: number) => c.reduceScatter(make(r)),
      (c: Parameters<Parameters<typeof settleWorld>[1]>[0], r: number) => c.broadcast(make(r), 1),
    ]) {
      const results = await settleWorld(4, (comm, rank) => call(comm, rank), { timeoutMs: 2000 });
      for (const error of reasons(results)) expect(error.code).toBe("MISMATCH");
    }
  });

  it("a rank that never joins makes the others reject with TIMEOUT naming op, rank and peer", async () => {
    const comms = memoryComms(3, { timeoutMs: 150 });
    const started = Date.now();
    const results = await Promise.allSettled([0, 1].map((r) => comms[r].allReduce(new Float32Array(100), { algorithm: "ring" })));
    expect(Date.now() - started).toBeLessThan(1000);
    for (const error of reasons(results)) {
      expect(error.code).toBe("TIMEOUT");
      expect(error.op).toBe("allReduce");
      expect(typeof error.rank).toBe("number");
      expect(typeof error.peer).toBe("number");
    }
  });

  it("rejects bad arguments with INVALID_ARGUMENT before sending anything", async () => {
    const [comm] = memoryComms(2);
    const bad: Array<() => Promise<unknown>> = [
      () => comm.allReduce([1, 2] as unknown as Float32Array),
      () => comm.allReduce(new Uint8Array(2) as unknown as Float32Array),
      () => comm.allReduce(new Float32Array(2), { op: "median" as "sum" }),
      () => comm.allReduce(new Float32Array(2), { algorithm: "nope" as "ring" }),
      () => comm.broadcast(new Float32Array(2), 2),
      () => comm.reduce(new Float32Array(2), -1),
      () => comm.send(new Float32Array(2), 0),
      () => comm.recv(new Float32Array(2), 1, { tag: -1 }),
      () => comm.barrier({ timeoutMs: 0 }),
      () => comm.allGather(new Float32Array(2), { counts: [1, 1] }),
    ];
    for (const call of bad) {
      const error = await Promise.resolve().then(call).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommError);
      expect((error as CommError).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("recv of a message with another size is a MISMATCH; a closed communicator rejects with CLOSED", async () => {
    const [a, b] = memoryComms(2);
    await a.send(new Float32Array(3), 1);
    await expect(b.recv(new Float32Array(4), 0)).rejects.toMatchObject({ code: "MISMATCH", op: "recv", peer: 0 });
    await a.close();
    await expect(a.barrier()).rejects.toMatchObject({ code: "CLOSED" });
  });
});
