import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeReport } from "../../../bench/report/write.js";
import { checkWellFormed, RESULTS } from "./fixtures.js";

describe("writeReport", async () => {
  const dir = await mkdtemp(join(tmpdir(), "longhaul-report-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes report.md, results.json and both SVG plots", async () => {
    const written = await writeReport(dir, RESULTS, { png: null });
    expect((await readdir(dir)).sort()).toEqual(["report.md", "results.json", "time-vs-distance.svg", "time-vs-size.svg"]);
    expect(written.files).toHaveLength(4);
    expect(JSON.parse(await readFile(join(dir, "results.json"), "utf8"))).toEqual(RESULTS);
    checkWellFormed(await readFile(join(dir, "time-vs-size.svg"), "utf8"));
  });

  it("report.md states the efficiency per algorithm and links the plots", async () => {
    const md = await readFile(join(dir, "report.md"), "utf8");
    expect(md).toContain("| ring | 4 MiB |");
    expect(md).toMatch(/\| hierarchical \| 4 MiB \| [^|]+ \| [^|]+ \| 5\.0% \|/);
    expect(md).toContain("96%");
    expect(md).not.toContain("Above 100%");
    expect(md).toContain("![time vs size](time-vs-size.svg)");
    expect(md).toContain("![time vs distance](time-vs-distance.svg)");
    expect(md).toContain("| new-york → london | 5,570 | 40.9 ms | 81.8 ms | 1000 Mbit/s |");
    // Distance rows against the two-region single-site run: 5 ms / (10 ms + 1000 km × 20 µs) = 16.7%.
    expect(md).toContain("| ring | 1 MiB | 1,000 | 30.0 ms | 0.0524 | 5.00 ms | 17% |");
  });

  it("adds the model's prediction and the network floor where rows carry them", async () => {
    const other = await mkdtemp(join(tmpdir(), "longhaul-report-"));
    try {
      const wan = RESULTS.wan.map((r) => ({ ...r, predictedUs: r.timeUs * 0.9, lowerBoundUs: 250_000 }));
      await writeReport(other, { ...RESULTS, wan }, { png: null });
      const md = await readFile(join(other, "report.md"), "utf8");
      expect(md).toContain("| algorithm | size | time | busbw GB/s | single-site | efficiency | #wrong | model | network floor |");
      expect(md).toMatch(/\| ring \| 4 MiB \| 1\.20 s \| [^|]+ \| 60\.0 ms \| 5\.0% \| 0 \| 1\.08 s \| 250 ms \|/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    expect(await readFile(join(dir, "report.md"), "utf8")).not.toContain("network floor");
  });

  it("adds a training section when training rows are present", async () => {
    const training = [
      { method: "sync", ranks: 8, steps: 100, testAccuracy: 0.9, oneProcessAccuracy: 0.905, wanBytes: 80e6, stepsPerSec: 4, baselineStepsPerSec: 10 },
      { method: "diloco", ranks: 8, steps: 100, testAccuracy: 0.89, oneProcessAccuracy: 0.905, wanBytes: 1.6e6, stepsPerSec: 9.7, baselineStepsPerSec: 10 },
    ];
    const other = await mkdtemp(join(tmpdir(), "longhaul-report-"));
    try {
      await writeReport(other, { ...RESULTS, training }, { png: null });
      const md = await readFile(join(other, "report.md"), "utf8");
      expect(md).toContain("## Training across the continents");
      expect(md).not.toContain("Above 100%");
      expect(md).toContain("| sync | 100 | 90.0% | 90.5% | 80.00 MB | 1.0× | 4.0 | 10.0 | 40% |");
      expect(md).toContain("| diloco | 100 | 89.0% | 90.5% | 1.60 MB | 50.0× | 9.7 | 10.0 | 97% |");
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    expect(await readFile(join(dir, "report.md"), "utf8")).not.toContain("## Training");
  });

  it("renders PNGs through the renderer it is given", async () => {
    const rendered: string[] = [];
    const written = await writeReport(dir, RESULTS, {
      png: { name: "fake", render: async (_svg, png) => void rendered.push(png) },
    });
    expect(rendered.map((p) => p.slice(dir.length + 1)).sort()).toEqual(["time-vs-distance.png", "time-vs-size.png"]);
    expect(written.files).toContain("time-vs-size.png");
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain("time-vs-size.png");
  });
});
