/**
 * Ranks that run different algorithms for one op fail with MISMATCH on every rank from the first
 * message, not with a TIMEOUT, and the world goes on with the next op. Ports 27500-27599 belong to this file.
 */
import { describe, expect, it } from "vitest";
import { allReduceExact, zmqWorld } from "../transports/zmq-world.js";

describe("every rank agrees on the algorithm of an op", () => {
  it.each([
    ["ring on one rank, tree on the others", 27500, ["ring", "tree", "tree"]],
    ["hierarchical on one rank, halving-doubling on the others", 27510, ["halving-doubling", "halving-doubling", "hierarchical"]],
  ])("%s: MISMATCH naming both on every rank, in well under the op timeout", async (_name, port, algorithms) => {
    const w = await zmqWorld(3, port as number);
    try {
      const started = Date.now();
      const results = await Promise.allSettled(w.comms.map((c, rank) => c.allReduce(new Float32Array(1000).fill(rank), { algorithm: (algorithms as string[])[rank], timeoutMs: 10_000 })));
      expect(Date.now() - started).toBeLessThan(3000);
      for (const [rank, result] of results.entries()) {
        expect(result.status, `rank ${rank}`).toBe("rejected");
        const error = (result as PromiseRejectedResult).reason as Error & { code: string };
        expect(error.code, error.message).toBe("MISMATCH");
        expect(error.message).toMatch(/different algorithms|runs this op with/);
      }
      expect(await allReduceExact(w.comms)).toBe(true);
    } finally {
      await w.close();
    }
  });
});
