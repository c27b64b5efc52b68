import { describe, expect, it } from "vitest";
import { experimentSteps, runExperiment, type ExperimentPlan, type SweepRequest } from "../../../bench/report/experiment.js";
import type { ReportRow } from "../../../bench/report/types.js";
import { row } from "./fixtures.js";

const PLAN: ExperimentPlan = {
  topology: "continents:2",
  sizes: [4096, 1 << 20],
  algorithms: ["ring", "tree"],
  iters: 3,
  rateMbit: 1000,
  baseline: true,
  distance: { anchor: "new-york", peers: ["chicago", "london"], ranksPerRegion: 1, sizes: [1 << 20], algorithms: ["ring"], iters: 2 },
};

function fakeSweep(log: SweepRequest[]) {
  return async (request: SweepRequest, onRow: (r: ReportRow) => void): Promise<ReportRow[]> => {
    log.push(request);
    const rows = request.algorithms.flatMap((a) => request.sizes.map((b) => row(a, b, request.emulate ? 1000 : 10)));
    rows.forEach(onRow);
    return rows;
  };
}

describe("runExperiment", () => {
  it("runs the WAN sweep, the single-site baseline, then one two-region sweep per distance", async () => {
    const log: SweepRequest[] = [];
    const ticks: string[] = [];
    const progress = { tick: (l: string) => void ticks.push(l), note: () => undefined, done: () => undefined };
    const rows = await runExperiment(PLAN, fakeSweep(log), progress);
    expect(log.map((r) => [r.topology, r.emulate])).toEqual([
      ["continents:2", true],
      ["continents:2", false],
      ["new-york:1,chicago:1", true],
      ["new-york:1,london:1", true],
      ["new-york:1,chicago:1", false],
    ]);
    expect(log[0].rateMbit).toBe(1000);
    expect(log[1].rateMbit).toBeUndefined();
    expect(rows.wan).toHaveLength(4);
    expect(rows.baseline.every((r) => r.timeUs === 10)).toBe(true);
    expect(rows.distance.map((r) => r.distanceKm)).toEqual([1144, 5570]);
    expect(rows.distanceBaseline.map((r) => r.timeUs)).toEqual([10]);
    expect(ticks).toHaveLength(experimentSteps(PLAN));
  });

  it("takes WAN rows measured elsewhere and skips what the plan leaves out", async () => {
    const log: SweepRequest[] = [];
    const wan = [row("ring", 4096, 5)];
    const rows = await runExperiment({ ...PLAN, baseline: false, distance: undefined }, fakeSweep(log), undefined, wan);
    expect(log).toEqual([]);
    expect(rows).toEqual({ wan, baseline: [], distance: [], distanceBaseline: [] });
  });
});
