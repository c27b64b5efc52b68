import { describe, expect, it } from "vitest";
import { compareRows, compareTable } from "../../cli/train-compare.js";
import type { TrainSummary } from "../../train/run-training.js";

const base = { model: "lm", commThread: false, topology: "continents", emulate: true, ranks: 8, steps: 300, samples: 19200, waitFraction: 0, syncs: 1, seconds: 1 };
const summary = (method: string, valLoss: number, wanBytes: number, stepsPerSec: number, baselineStepsPerSec: number): TrainSummary =>
  ({ ...base, method, valLoss, valPerplexity: Math.exp(valLoss), wanBytes, stepsPerSec, baselineStepsPerSec, tokensPerSec: stepsPerSec * 2048, oneProcessValLoss: 2.6, oneProcessValPerplexity: Math.exp(2.6) });

describe("train --compare rows", () => {
  const rows = compareRows([summary("sync", 2.7, 200e6, 2.5, 5), summary("diloco", 2.8, 2e6, 5, 5)]);

  it("divides sync's WAN bytes by each method's and each step rate by its one-site rate", () => {
    expect(rows[0].wanReductionVsSync).toBe(1);
    expect(rows[1].wanReductionVsSync).toBeCloseTo(100, 9);
    expect(rows.map((r) => r.stepRateVsOneSite)).toEqual([0.5, 1]);
    expect(compareRows([summary("diloco", 2.8, 2e6, 5, 5)])[0].wanReductionVsSync).toBeUndefined();
  });

  it("prints one row per method with perplexity, bytes, reduction and step rate, then the one-process reference", () => {
    const lines = compareTable(rows).split("\n");
    expect(lines[0]).toMatch(/^method\s+val perplexity\s+val loss\s+WAN bytes\s+vs sync\s+steps\/s\s+one-site steps\/s\s+vs one site\s+tokens\/s$/);
    expect(lines[1]).toMatch(/^sync\s+14\.880\s+2\.7000\s+200\.00 MB\s+1\.0x fewer\s+2\.50\s+5\.00\s+50\.0%\s+5120$/);
    expect(lines[2]).toMatch(/^diloco\s+16\.445\s+2\.8000\s+2\.00 MB\s+100\.0x fewer\s+5\.00\s+5\.00\s+100\.0%\s+10240$/);
    expect(lines[3]).toBe("one process, same samples: val perplexity 13.464, val loss 2.6000");
  });
});
