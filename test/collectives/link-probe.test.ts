/** The init() latency probe: the matrix every rank gets, the model built from it, and the real thing through the emulator. */
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { measureRegionRtts } from "../../collectives/link-probe.js";
import { choose, probedLinkModel } from "../../collectives/select.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { parseTopology } from "../../world/topology.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../fixtures/init-probe.mjs", import.meta.url).pathname;

describe("measureRegionRtts", () => {
  it("gives every rank the same symmetric matrix (regions without built-in coordinates too)", async () => {
    const topology = parseTopology("east:2,west:1,south:2");
    const world = createMemoryWorld(topology.size);
    const matrices = await Promise.all(world.map((t) => measureRegionRtts(t, topology, 5000, 3)));
    for (const m of matrices) expect(m).toEqual(matrices[0]);
    const m = matrices[0];
    for (let a = 0; a < 3; a++) {
      expect(m[a][a]).toBe(0);
      for (let b = 0; b < 3; b++) if (a !== b) expect(m[a][b]).toBeGreaterThan(0);
      for (let b = 0; b < 3; b++) expect(m[a][b]).toBe(m[b][a]);
    }
    await Promise.all(world.map((t) => t.close()));
  });

  it("a rank that does not probe makes the others fail saying why, not hang", async () => {
    const topology = parseTopology("east:1,west:1");
    const [prober, other] = createMemoryWorld(2);
    const error = await measureRegionRtts(prober, topology, 100, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TIMEOUT", peer: 1, message: expect.stringMatching(/same probe setting/) });
    await Promise.all([prober.close(), other.close()]);
  });
});

describe("probedLinkModel", () => {
  it("turns round trips into one-way WAN delays minus this implementation's own hop, even for unknown region names", () => {
    const topology = parseTopology("east:2,west:2");
    const model = probedLinkModel(topology, [[0, 100], [100, 0]], {});
    expect(model.source).toBe("measured");
    expect(model.alphaS[0][1]).toBeCloseTo(0.05 - 45e-6, 9);
    expect(model.alphaS[1][1]).toBe(0);
    // A 50 ms WAN between two pairs: auto no longer treats the regions as one room.
    expect(choose(4096, model).algorithm).not.toBe("ring");
  });
});

describe("init({ probe: true }) through the emulator", () => {
  it("measures new-york, london and asuncion within 10% of their profiles, the same on every rank", async () => {
    const { stdout } = await execa(process.execPath, [CLI, "launch", "--emulate", "--topology", "new-york:1,london:1,asuncion:1", "--base-port", "31480", "--no-prefix", "--", process.execPath, FIXTURE], { timeout: 60_000 });
    const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { source: string; alphaMs: number[][]; sum: number });
    expect(lines).toHaveLength(3);
    const expected = [[0, 47.67, 63.04], [47.67, 0, 84.02], [63.04, 84.02, 0]]; // `longhaul netem profiles`
    for (const line of lines) {
      expect(line).toMatchObject({ source: "measured", sum: 6 });
      expect(line.alphaMs).toEqual(lines[0].alphaMs);
      line.alphaMs.forEach((row, a) => row.forEach((ms, b) => (a === b ? expect(ms).toBe(0) : expect(Math.abs(ms / expected[a][b] - 1)).toBeLessThan(0.1))));
    }
  }, 60_000);
});
