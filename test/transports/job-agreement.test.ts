/**
 * Job identity and agreement at connect: a second job on the same ports fails at once and leaves the
 * first alone; ranks that disagree on what the world must share are refused with MISMATCH naming the
 * field, on every rank, in seconds. Ports 27200-27299 belong to this file.
 */
import { describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { parseTopology } from "../../world/topology.js";
import { connectZmq } from "../../transports/zmq/connect.js";
import { runRanks } from "./spawn-ranks.js";
import { allReduceExact, expectLinkRateMismatch, zmqWorld } from "./zmq-world.js";

describe("two jobs on one base port", () => {
  it("the second fails in under 5 s naming the conflict; the first is undisturbed", async () => {
    const first = await zmqWorld(2, 27200, { jobId: "first" });
    try {
      const running = allReduceExact(first.comms, 100_000);
      const started = Date.now();
      const second = await Promise.allSettled([0, 1].map((rank) => connectZmq({ rank, topology: parseTopology("2"), plan: { basePort: 27200 }, jobId: "second", timeoutMs: 10_000 })));
      expect(Date.now() - started).toBeLessThan(5000);
      for (const result of second) {
        expect(result.status).toBe("rejected");
        const error = (result as PromiseRejectedResult).reason as CommError;
        expect(error.code).toBe("INVALID_ARGUMENT");
        expect(error.message).toMatch(/cannot listen on tcp:\/\/127\.0\.0\.1:2720[01].*taken by another process — another longhaul job on the same base port/);
      }
      expect(await running).toBe(true);
      for (let i = 0; i < 5; i++) expect(await allReduceExact(first.comms)).toBe(true);
      expect(first.transports.map((t) => t.dropped.total)).toEqual([0, 0]);
    } finally {
      await first.close();
    }
  });
});

describe("agreement checked in the HELLO", () => {
  it("a rank told another value of a shared setting is MISMATCH naming the field on both ends of its connections", async () => {
    const started = Date.now();
    const results = await Promise.allSettled(
      [0, 1, 2].map((rank) =>
        connectZmq({ rank, topology: parseTopology("3"), plan: { basePort: 27210 }, timeoutMs: 20_000, agreement: { LONGHAUL_LINK_RATE_MBIT: rank === 2 ? "100" : "1000" } }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expectLinkRateMismatch(results);
  });

  it.each([
    ["link rate", { LONGHAUL_LINK_RATE_MBIT: "100" }, /LONGHAUL_LINK_RATE_MBIT/],
    ["topology of the same size", { LONGHAUL_TOPOLOGY: "a:1,b:2" }, /topology/],
  ])("processes started by hand, one with another %s: every rank fails with MISMATCH in under 5 s", async (_name, odd, field) => {
    const runs = await runRanks("init-report.mjs", 3, () => [], {}, 20_000, (rank) => ({
      RANK: String(rank),
      WORLD_SIZE: "3",
      LONGHAUL_TOPOLOGY: "a:2,b:1",
      LONGHAUL_BASE_PORT: "27220",
      LONGHAUL_LINK_RATE_MBIT: "1000",
      LONGHAUL_TIMEOUT_MS: "20000",
      ...(rank === 1 ? odd : {}),
    }));
    for (const [rank, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(0);
      const report = run.lines[0] as { code: string; message: string; ms: number };
      expect(report.code, `rank ${rank}: ${report.message}`).toBe("MISMATCH");
      expect(report.message).toMatch(field);
      expect(report.ms).toBeLessThan(5000);
    }
  });
});
