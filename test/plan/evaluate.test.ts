/** The planner on a scenario computed by hand (fixtures.ts: 1 MB, 1 MB/s, α = 10 ms, 10 s of compute). */
import { describe, expect, it } from "vitest";
import { evaluateStrategy, planScenario, strategiesOf } from "../../plan/evaluate.js";
import { validateScenario } from "../../plan/validate.js";
import { TINY } from "./fixtures.js";

describe("planner on the tiny scenario", () => {
  const scenario = validateScenario(TINY);
  const ring = evaluateStrategy(scenario, { name: "ring" });

  it("ring without overlap: sync 2(α + (B/2)/β) = 1.02 s, all exposed", () => {
    expect(ring.syncSeconds).toBeCloseTo(1.02, 9);
    expect(ring.exposedCommSeconds).toBeCloseTo(1.02, 9);
    expect(ring.stepSeconds).toBeCloseTo(11.02, 9);
    expect(ring.wanBytesPerStep).toBe(1e6);
  });

  it("efficiency is one site's step over this one (one site: both GPUs share a free link)", () => expect(ring.efficiency).toBeCloseTo(10 / 11.02, 6));

  it("bandwidth for 95% is solved: 0.02 + 1e6/r = 10/0.95 − 10, so r = 1.975 MB/s = 0.0158 Gbit/s", () => {
    const r = 1e6 / (10 / 0.95 - 10 - 0.02);
    expect(ring.bandwidthFor95Gbit! / ((r * 8) / 1e9)).toBeCloseTo(1, 5);
  });

  it("with overlap only the last of 4 buckets shows: 2(α + (B/8)/β) = 0.27 s", () => {
    expect(evaluateStrategy(scenario, { name: "ring+overlap" }).exposedCommSeconds).toBeCloseTo(0.27, 9);
  });

  it("DiLoCo, H = 10, fp16 outer gradient (2 MB): one outer sync of 2α + (1 MB + a 1 MB message)/β = 2.02 s per 10 steps, 5x fewer WAN bytes", () => {
    const d = evaluateStrategy(scenario, { name: "diloco", innerSteps: 10, compression: "fp16" });
    expect(d.syncSeconds).toBeCloseTo(2.02, 9);
    expect(d.exposedCommSeconds).toBeCloseTo(0.202, 9);
    expect(d.bytesReduction).toBeCloseTo(5, 9);
  });

  it("no WAN bandwidth reaches 99% for a latency-bound sync: null, not a guess", () => {
    const slow = validateScenario({ ...TINY, compute: { stepSeconds: 0.001 } });
    expect(evaluateStrategy(slow, { name: "ring" }).bandwidthFor99Gbit).toBeNull();
  });

  it("one site needs no WAN: 0 where it reaches the target, null where it cannot", () => {
    const single = validateScenario({ ...TINY, sites: [{ name: "a", gpus: 2, lat: 0, lon: 0 }], wan: { gbit: 1 } });
    expect(evaluateStrategy(single, { name: "ring+overlap" }).bandwidthFor95Gbit).toBe(0);
    // 1 MB/s inside the site: the tree (2 s) never gets within 99% of the ring (1 s), whatever the WAN.
    const slow = validateScenario({ ...TINY, sites: [{ name: "a", gpus: 2, lat: 0, lon: 0 }], wan: { gbit: 1 }, intraSite: { gbitPerGpu: 0.008, latencyUs: 0 } });
    expect(evaluateStrategy(slow, { name: "tree" }).bandwidthFor99Gbit).toBeNull();
  });

  it("strategies default to the full list, or the scenario's, or the ones asked for", () => {
    expect(strategiesOf(scenario).map((s) => s.name)).toContain("streaming-diloco");
    expect(strategiesOf(scenario, ["tree"])).toEqual([{ name: "tree" }]);
    expect(planScenario(scenario, [{ name: "tree" }]).results).toHaveLength(1);
  });
});
