import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fromDistance } from "../../netem/distance.js";
import { distanceKm } from "../../netem/regions.js";

// `longhaul launch --emulate` puts the ranks "in" their regions through the emulator. Ports 23300-23399.
const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../netem/fixtures/rank-allreduce-time.mjs", import.meta.url).pathname;

async function allReduceMs(emulate: boolean): Promise<number[]> {
  const args = [MAIN, "launch", "--topology", "new-york:1,london:1", "--base-port", "23300", ...(emulate ? ["--emulate", "--rate", "1gbit"] : []), "--", "node", FIXTURE];
  const r = await execa("node", args, { reject: false, timeout: 60_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  const rows = r.stdout.split("\n").filter((l) => l.includes("{")).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
  expect(rows.map((x) => x.sum)).toEqual([3, 3]);
  return rows.map((x) => x.allReduceMs);
}

describe("longhaul launch --emulate", () => {
  it("routes cross-region links through the emulator: an all-reduce new-york↔london takes at least the one-way delay", async () => {
    const oneWay = fromDistance(distanceKm("new-york", "london")).delayMs; // ≈ 47.7 ms
    const emulated = await allReduceMs(true);
    // Ranks start their clocks up to one one-way delay apart, so over 10 rounds a rank's mean can be
    // 10% under the one-way delay; the slower one about 5% at most.
    for (const ms of emulated) expect(ms).toBeGreaterThan(oneWay * 0.85);
    expect(Math.max(...emulated)).toBeGreaterThan(oneWay * 0.9);
    for (const ms of emulated) expect(ms).toBeLessThan(oneWay * 4);
    const direct = await allReduceMs(false);
    for (const ms of direct) expect(ms).toBeLessThan(oneWay / 2);
  });
});
