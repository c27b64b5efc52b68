import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { HostLinks } from "../../world/env.js";
import { launchRanks } from "../../launch/launcher.js";
import { parseTopology } from "../../world/topology.js";

// Ports 27900-28099 belong to this file (27900 + 20 per launch).
const fixture = fileURLToPath(new URL("../fixtures/comm-thread-rank.mjs", import.meta.url));

interface Report {
  rank: number;
  [key: string]: unknown;
}

/** Runs the fixture's case on 2 ranks and returns their JSON lines, rank order. */
async function run(testCase: string, basePort: number, commThread = true, hostLinks: HostLinks = "unix"): Promise<Report[]> {
  const lines: string[] = [];
  const env = { COMM_THREAD_CASE: testCase, LONGHAUL_COMM_THREAD: commThread ? "1" : "0", LONGHAUL_HOST_LINKS: hostLinks };
  const result = await launchRanks({ topology: parseTopology("2"), command: process.execPath, args: [fixture], env, basePort, onLine: (_r, _s, line) => lines.push(line), timeoutMs: 60_000 });
  expect(result, lines.join("\n")).toEqual({ code: 0 });
  // process.exit() with the thread running: the thread must close its sockets, whatever links it has.
  expect(lines.join("\n")).not.toMatch(/did not close its sockets/);
  return lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Report).sort((a, b) => a.rank - b.rank);
}

interface Blocked {
  start: number;
  end: number;
  seenAt?: number;
  completedAtMs?: number;
}

/** The op finished inside the 5 s (or 4 s) block and this thread saw it there, without ever yielding. */
function expectCompletedDuringBlock(r: Blocked): void {
  expect(r.seenAt).toBeGreaterThanOrEqual(r.start);
  expect(r.seenAt).toBeLessThan(r.end);
  expect(r.completedAtMs).toBeGreaterThanOrEqual(r.start);
  expect(r.completedAtMs).toBeLessThanOrEqual(r.seenAt!);
}

describe("communication thread", () => {
  it("completes a 64 MiB all-reduce while the main thread is blocked in a 5 s busy loop, results exact", async () => {
    const reports = await run("block", 27900);
    expect(reports).toHaveLength(2);
    for (const r of reports) {
      expectCompletedDuringBlock(r as unknown as Blocked);
      expect(r.wrong).toBe(0);
    }
  });

  it("an op that times out while the main thread is blocked rejects with TIMEOUT once it runs again", async () => {
    const [r0, r1] = await run("timeout", 27920);
    expectCompletedDuringBlock(r0 as unknown as Blocked);
    expect(r0.error).toMatchObject({ name: "CommError", code: "TIMEOUT", rank: 0, op: "allReduce" });
    expect(r1).toMatchObject({ released: true });
  });

  for (const [hostLinks, basePort] of [["unix", 27940], ["zmq", 28080]] as const) {
    it(`a peer lost while the main thread is blocked gives PEER_LOST naming it; both ranks process.exit() with the thread running (${hostLinks} links)`, async () => {
      const [r0] = await run("lost", basePort, true, hostLinks);
      expectCompletedDuringBlock(r0 as unknown as Blocked);
      expect(r0.error).toMatchObject({ name: "CommError", code: "PEER_LOST", rank: 0, peer: 1, message: expect.stringMatching(/peer 1 is gone/) });
    });
  }

  it("gives every op the same results as the direct path, and the same argument errors", async () => {
    const threaded = await run("ops", 27960, true);
    const direct = await run("ops", 27980, false);
    expect(threaded).toHaveLength(2);
    expect(threaded).toEqual(direct);
    const { results, errors } = threaded[0] as unknown as { results: Record<string, unknown>; errors: Record<string, { code: string }> };
    expect(results["allReduce/float32/sum"]).toEqual([expect.any(String), true]);
    expect(errors.syncInvalid.code).toBe("INVALID_ARGUMENT");
    expect(errors.badRoot.code).toBe("INVALID_ARGUMENT");
  });

  it("uses a SharedArrayBuffer-backed array in place and reuses staging for repeated sizes", async () => {
    for (const r of await run("shared", 28000)) {
      expect(r).toMatchObject({ same: true, sharedValue: 3, sharedAllocations: 0, rounds: [true, true, true, true, true], allocations: 2 });
    }
  });

  it("counts the bytes a rank sent (init({ countTraffic: true })) the same with and without the thread", async () => {
    const threaded = await run("traffic", 28040);
    const direct = await run("traffic", 28060, false);
    for (const r of threaded) expect(r.traffic).toMatchObject({ wanBytes: 0, wanMessages: 0, lanBytes: expect.any(Number) });
    expect((threaded[0].traffic as { lanBytes: number }).lanBytes).toBeGreaterThanOrEqual(4000);
    expect(threaded.map((r) => r.traffic)).toEqual(direct.map((r) => r.traffic));
  });
});
