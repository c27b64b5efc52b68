/**
 * Tree, halving-doubling, hierarchical and auto between real processes over ZeroMQ tcp: one
 * launched world per topology runs every case (lengths × ops × dtypes, plus 1,000,003 elements per
 * algorithm). 20,000 float32 elements is past the short-buffer thresholds, so the halving and the
 * striped hierarchical paths run too. Runs the compiled worker from dist/ (npm test builds first).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { launchRanks } from "../../launch/launcher.js";
import { parseTopology } from "../../world/topology.js";

const WORKER = new URL("../../dist/bench/wan-check-worker.js", import.meta.url).pathname;
const MARKER = "@@longhaul-wan-check ";
const ALGORITHMS = ["tree", "halving-doubling", "hierarchical", "auto"];
const CONFIG = {
  algorithms: ALGORITHMS,
  lengths: [0, 1, 7, 1000, 20000],
  ops: ["sum", "avg", "prod", "min", "max"],
  dtypes: ["float32", "float64", "int32"],
  large: ALGORITHMS.map((a) => [a, 1_000_003]),
};

describe("WAN-aware all-reduces over ZeroMQ tcp between real processes", () => {
  it.each([
    ["new-york:3,london:1,asuncion:2", 24000],
    ["5", 24100],
  ])("topology %s: every case of every algorithm matches its closed form", async (spec, basePort) => {
    expect(existsSync(WORKER), `${WORKER} missing: run "npm run build" first`).toBe(true);
    const topology = parseTopology(spec);
    const lines: Array<{ algorithm: string; wrong: number }> = [];
    const errors: string[] = [];
    const result = await launchRanks({
      topology,
      command: process.execPath,
      args: [WORKER],
      basePort,
      env: { LONGHAUL_WAN_CHECK: JSON.stringify(CONFIG), LONGHAUL_TIMEOUT_MS: "20000" },
      prefixOutput: false,
      timeoutMs: 80_000,
      onLine: (rank, _stream, line) => (line.startsWith(MARKER) ? lines.push(JSON.parse(line.slice(MARKER.length))) : errors.push(`[${rank}] ${line}`)),
    });
    expect(result.code, errors.join("\n")).toBe(0);
    const perRank = CONFIG.algorithms.length * (CONFIG.lengths.length * CONFIG.ops.length * CONFIG.dtypes.length + 1);
    expect(lines.length).toBe(topology.size * perRank);
    expect(lines.filter((l) => l.wrong !== 0)).toEqual([]);
  }, 90_000);
});
