import { describe, expect, it } from "vitest";
import { efficiencySection } from "../../../bench/report/markdown.js";
import { efficiencyFigures, summarize } from "../../../bench/report/summary.js";
import { BASELINE, RESULTS, row, WAN } from "./fixtures.js";

describe("summarize", () => {
  it("joins each WAN row with the same algorithm and size on one site", () => {
    const lines = summarize(WAN, BASELINE);
    expect(lines.map((l) => [l.algorithm, l.bytes])).toEqual([
      ["ring", 4096],
      ["ring", 4 << 20],
      ["hierarchical", 4096],
      ["hierarchical", 4 << 20],
    ]);
    expect(lines[1].baselineUs).toBe(60_000);
    expect(lines[1].efficiencyPct).toBeCloseTo(5, 10);
    expect(lines[3].efficiencyPct).toBeCloseTo(5, 10);
  });

  it("leaves efficiency empty where the baseline lacks the size", () => {
    const lines = summarize([row("tree", 64, 10)], BASELINE);
    expect(lines[0].baselineUs).toBeUndefined();
    expect(lines[0].efficiencyPct).toBeUndefined();
  });
});

describe("efficiencyFigures", () => {
  it("reports each algorithm at its largest size with a baseline, as a throughput ratio", () => {
    const figures = efficiencyFigures(WAN, BASELINE);
    expect(figures.map((f) => [f.algorithm, f.bytes])).toEqual([
      ["ring", 4 << 20],
      ["hierarchical", 4 << 20],
    ]);
    const ring = figures[0];
    expect(ring.efficiencyPct).toBeCloseTo((100 * ring.wanBusbwGBps) / ring.baselineBusbwGBps, 8);
  });

  it("matches NVIDIA-style arithmetic: 96% when the WAN run takes 1/0.96 of the time", () => {
    const [f] = efficiencyFigures([row("ring", 1 << 26, 100_000 / 0.96)], [row("ring", 1 << 26, 100_000)]);
    expect(f.efficiencyPct).toBeCloseTo(96, 8);
  });
});

describe("efficiencySection", () => {
  it("explains a figure above 100% (CPU-bound single-site run) and only then", () => {
    const faster = { ...RESULTS, wan: [row("ring", 1 << 26, 900)], baseline: [row("ring", 1 << 26, 1000)] };
    expect(efficiencySection(faster)).toMatch(/\| ring \| 64 MiB \| [^|]+ \| [^|]+ \| 111% \|[\s\S]*Above 100%/);
    expect(efficiencySection(RESULTS)).not.toContain("Above 100%");
  });
});
