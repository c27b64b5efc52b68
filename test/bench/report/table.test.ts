import { describe, expect, it } from "vitest";
import { formatBytes, formatTime } from "../../../bench/report/format.js";
import { summarize } from "../../../bench/report/summary.js";
import { markdownTable, SUMMARY_HEADER, summaryCells, textTable } from "../../../bench/report/table.js";
import { BASELINE, WAN } from "./fixtures.js";

describe("formatting", () => {
  it("uses binary units and three significant digits", () => {
    expect([0, 4096, 4 << 20, 1000, 1 << 30].map(formatBytes)).toEqual(["0 B", "4 KiB", "4 MiB", "1000 B", "1 GiB"]);
    expect([12.345, 1234, 600_000, 1_200_000].map(formatTime)).toEqual(["12.3 µs", "1.23 ms", "600 ms", "1.20 s"]);
  });
});

describe("summary table", () => {
  const cells = summaryCells(summarize(WAN, BASELINE));

  it("has one row per algorithm and size with time, baseline and efficiency", () => {
    expect(cells[1]).toEqual(["ring", "4 MiB", "1.20 s", cells[1][3], "60.0 ms", "5.0%", "0"]);
    expect(cells[2].slice(0, 3)).toEqual(["hierarchical", "4 KiB", "400 ms"]);
  });

  it("renders as a GitHub markdown table", () => {
    const md = markdownTable(SUMMARY_HEADER, cells).split("\n");
    expect(md[0]).toBe("| algorithm | size | time | busbw GB/s | single-site | efficiency | #wrong |");
    expect(md[1]).toBe("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    expect(md).toHaveLength(2 + WAN.length);
    expect(md[4]).toMatch(/^\| hierarchical \| 4 KiB \| 400 ms \| .* \| 1\.00 ms \| 0\.3% \| 0 \|$/);
  });

  it("escapes pipes inside cells", () => {
    expect(markdownTable(["a"], [["x|y"]]).split("\n")[2]).toBe("| x\\|y |");
  });

  it("aligns the terminal table in columns", () => {
    const lines = textTable(SUMMARY_HEADER, cells).split("\n");
    expect(lines[0]).not.toContain("|");
    const ends = lines.map((l) => [...l].length);
    expect(new Set(ends).size).toBe(1);
    expect(lines[1].startsWith("ring ")).toBe(true);
  });
});
