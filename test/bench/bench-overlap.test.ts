/** `longhaul bench overlap` end to end with tiny settings (structure and exactness, not speed), its refusals, and the planner scenario it builds. */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benchScenario, computeSecondsOf, plannerStrategy } from "../../bench/overlap/overlap-plan.js";
import type { OverlapReport } from "../../bench/overlap/run.js";
import { DEFAULT_SOFTWARE } from "../../model/link-model.js";
import { linkProfilesFor } from "../../model/pairs.js";
import { parseTopology } from "../../world/topology.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const TINY = ["--layers", "3", "--compute-ms", "2", "--grad-bytes", "8KiB", "--steps", "2", "--inner-steps", "2"];

async function overlapJson(args: string[]): Promise<OverlapReport> {
  expect(existsSync(CLI), `${CLI} missing: run "npm run build" first`).toBe(true);
  const { stdout } = await execa(process.execPath, [CLI, "bench", "overlap", ...TINY, ...args, "--json"], { timeout: 60_000 });
  return JSON.parse(stdout.split("\n").find((l) => l.startsWith("{"))!) as OverlapReport;
}

describe("longhaul bench overlap", () => {
  for (const [strategy, overlap, port] of [["hierarchical", "on", "22600"], ["sync", "off", "22640"], ["diloco", "on", "22680"]] as const) {
    it(`${strategy} with overlap ${overlap} through the emulator: one site and the topology, every element exact, the planner beside`, async () => {
      const report = await overlapJson(["--strategy", strategy, "--overlap", overlap, "--topology", "new-york:1,chicago:1", "--emulate", "--rate", "100mbit", "--base-port", port]);
      expect(report.strategy).toBe(strategy);
      expect(report.overlap).toBe(overlap === "on");
      expect(report.computeMsPerStep).toBe(3 * 2 * 3);
      expect(report.oneSite).toMatchObject({ topology: "2", ranks: 2, wrong: 0 });
      expect(report.measured).toMatchObject({ topology: "new-york:1,chicago:1", ranks: 2, wrong: 0 });
      // The timers run on one schedule: no step is shorter than its compute.
      expect(report.measured.stepMs).toBeGreaterThanOrEqual(report.computeMsPerStep);
      expect(report.efficiency).toBeCloseTo(report.oneSite.stepMs / report.measured.stepMs, 9);
      expect(report.planner?.strategy).toBe(plannerStrategy({ strategy, overlap: overlap === "on", innerSteps: 2 }).name);
      expect(report.planner!.stepMs).toBeGreaterThanOrEqual(report.computeMsPerStep);
    }, 60_000);
  }

  it("without --rate prints the table and says why there is no planner prediction", async () => {
    const { stdout } = await execa(process.execPath, [CLI, "bench", "overlap", ...TINY, "--topology", "a:1,b:1", "--base-port", "22720"], { timeout: 60_000 });
    expect(stdout).toMatch(/^# overlap strategy=hierarchical overlap=on layers=3 compute=18 ms\/step/);
    expect(stdout).toMatch(/one site 2 .* 0\n/);
    expect(stdout).toMatch(/no planner prediction: give --emulate --rate R/);
  }, 60_000);

  it("refuses flags that cannot run before starting anything", async () => {
    for (const [args, message] of [
      [["--rate", "1gbit"], /--rate 1gbit shapes the emulated links and needs --emulate/],
      [["--strategy", "ring"], /--strategy must be one of sync, hierarchical, diloco, got "ring"/],
      [["--overlap", "yes"], /--overlap must be one of on, off/],
      [["--grad-bytes", "6"], /--grad-bytes 6 is not a positive whole number of float32 elements/],
      [["--compute-ms", "0"], /--compute-ms "0" is not a number of milliseconds > 0/],
    ] as const) {
      const run = await execa(process.execPath, [CLI, "bench", "overlap", ...args], { reject: false, timeout: 30_000 });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  }, 60_000);
});

describe("the planner scenario of a bench overlap run", () => {
  const topology = parseTopology("new-york:2,chicago:2");
  const config = { layers: 16, computeMs: 40, gradBytes: 352 * 1024, strategy: "hierarchical", overlap: true, steps: 1, warmup: 0, innerSteps: 4 } as const;

  it("has the topology's regions as sites, a GPU per rank, the layers' gradient and 3 × layers × compute-ms per step", () => {
    const scenario = benchScenario(topology, config, 200, DEFAULT_SOFTWARE);
    expect(scenario.sites).toEqual([{ name: "new-york", gpus: 2 }, { name: "chicago", gpus: 2 }]);
    expect(scenario.model).toEqual({ parameters: (16 * 352 * 1024) / 4, bytesPerElement: 4, layers: 16 });
    expect(scenario.compute).toEqual({ stepSeconds: 1.92, overlapFraction: 2 / 3 });
    expect(computeSecondsOf(config)).toBeCloseTo(1.92, 12);
    expect(scenario.wan.gbit).toBe(0.2);
    const delayMs = linkProfilesFor(topology).profile(0, 1).delayMs;
    expect(scenario.wan.links).toEqual([{ between: ["new-york", "chicago"], rttMs: 2 * (delayMs + DEFAULT_SOFTWARE.emulatorAlphaS * 1000) }]);
  });

  it("maps the bench's strategies to the planner's", () => {
    expect(plannerStrategy({ strategy: "sync", overlap: false, innerSteps: 4 })).toEqual({ name: "ring" });
    expect(plannerStrategy({ strategy: "hierarchical", overlap: true, innerSteps: 4 })).toEqual({ name: "hierarchical+overlap" });
    expect(plannerStrategy({ strategy: "diloco", overlap: false, innerSteps: 4 })).toEqual({ name: "diloco", innerSteps: 4, compression: "fp32", outer: "hierarchical" });
    expect(plannerStrategy({ strategy: "diloco", overlap: true, innerSteps: 4 }).name).toBe("streaming-diloco");
  });
});
