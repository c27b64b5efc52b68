import { describe, expect, it } from "vitest";
import { lossVsWanSvg, timeVsDistanceSvg, timeVsSizeSvg } from "../../../bench/report/plots.js";
import { lineChart } from "../../../bench/report/svg.js";
import { checkWellFormed, DISTANCE, WAN } from "./fixtures.js";

const seriesNames = (svg: string): string[] => [...svg.matchAll(/<g class="series" data-series="([^"]*)"/g)].map((m) => m[1]);

describe("SVG plots", () => {
  it("the well-formedness check itself rejects broken XML", () => {
    expect(() => checkWellFormed("<svg><g></svg>")).toThrow();
    expect(() => checkWellFormed("<svg><text>a < b</text></svg>")).toThrow();
  });

  it("time vs size: well-formed, one series per algorithm, one point per size", () => {
    const svg = timeVsSizeSvg(WAN, "all-reduce across continents");
    checkWellFormed(svg);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(seriesNames(svg)).toEqual(["ring", "hierarchical"]);
    expect(svg.match(/<circle /g)).toHaveLength(WAN.length);
    expect(svg).toContain(">4 KiB<");
    expect(svg).toContain(">4 MiB<");
  });

  it("time vs distance: one series per algorithm and size, x ticks in km", () => {
    const svg = timeVsDistanceSvg(DISTANCE, "two regions");
    checkWellFormed(svg);
    expect(seriesNames(svg)).toEqual(["ring 1 MiB", "tree 1 MiB"]);
    expect(svg).toContain(">8,000<");
    expect(svg.match(/<polyline /g)).toHaveLength(2);
  });

  it("validation loss against WAN bytes: one point per method that sent bytes, the one-process reference as a flat line", () => {
    const svg = lossVsWanSvg(
      [
        { method: "sync", wanBytes: 211e6, valLoss: 2.73 },
        { method: "diloco", wanBytes: 2.1e6, valLoss: 3.05 },
        { method: "local", wanBytes: 0, valLoss: 3.3 },
      ],
      "LM < continents",
      2.62,
    );
    checkWellFormed(svg);
    expect(seriesNames(svg)).toEqual(["sync", "diloco", "one process"]);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain("LM &lt; continents");
    expect(svg).toContain("validation loss");
    const y = (name: string) => Number(new RegExp(`data-series="${name}"[^]*?<circle cx="[\\d.]+" cy="([\\d.]+)"`).exec(svg)![1]);
    expect(y("diloco")).toBeLessThan(y("sync")); // the higher loss sits higher on the chart
  });

  it("escapes text and puts the larger time higher on a log axis", () => {
    const svg = lineChart({
      title: "a < b & c",
      xLabel: "x",
      yLabel: "y",
      yLog: true,
      series: [{ name: "s", points: [[1, 10], [2, 1000]] }],
    });
    checkWellFormed(svg);
    expect(svg).toContain("a &lt; b &amp; c");
    const [p1, p2] = svg.match(/points="([^"]*)"/)![1].split(" ").map((p) => Number(p.split(",")[1]));
    expect(p2).toBeLessThan(p1);
  });

  it("labels a narrow log range with several ticks (linear steps), not one decade", () => {
    const svg = lineChart({ title: "t", xLabel: "x", yLabel: "y", yLog: true, yTick: String, series: [{ name: "s", points: [[1, 150], [2, 700]] }] });
    const labels = [...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(["200", "400", "600"]);
  });
});
