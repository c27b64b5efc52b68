import { describe, expect, it } from "vitest";
import { formatSize, parseSize, parseSizes } from "../../bench/sizes.js";
import { busFactor, combineRanks, median } from "../../bench/sweep-types.js";

describe("sizes", () => {
  it("parses binary and decimal units and formats back", () => {
    expect(parseSizes("4KiB,256KiB,4MiB,64MiB")).toEqual([4096, 262144, 4 << 20, 64 << 20]);
    expect(parseSize("1000")).toBe(1000);
    expect(parseSize("4KB")).toBe(4000);
    expect(formatSize(64 << 20)).toBe("64MiB");
    expect(formatSize(1000)).toBe("1000B");
    expect(() => parseSize("4 parsecs")).toThrow(/size "4 parsecs" has unknown unit "parsecs"/);
  });
});

describe("combineRanks", () => {
  it("takes the median over iterations of the slowest rank and nccl-tests' bus factor", () => {
    const row = combineRanks(
      [
        { rank: 1, algorithm: "ring", bytes: 4e6, count: 1e6, timesUs: [10, 30, 20], cpuUs: 7, wrong: 0, peakRssMiB: 5 },
        { rank: 0, algorithm: "ring", bytes: 4e6, count: 1e6, timesUs: [40, 10, 10], cpuUs: 5, wrong: 2, peakRssMiB: 3 },
      ],
      { op: "allreduce", dtype: "float32", transport: "tcp", topology: "2", buffers: "plain" },
    );
    expect(row.timeUs).toBe(30); // slowest per iteration: 40, 30, 20
    expect(row.algbwGBps).toBeCloseTo(4e6 / 30e-6 / 1e9);
    expect(row.busbwGBps).toBeCloseTo(row.algbwGBps * busFactor("allreduce", 2));
    expect(row.wrong).toBe(2);
    expect(row.peakRssMiBPerRank).toEqual([3, 5]);
    expect(row.cpuMs).toBeCloseTo(0.012); // processes: summed over ranks
    expect(busFactor("allgather", 4)).toBe(0.75);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});
