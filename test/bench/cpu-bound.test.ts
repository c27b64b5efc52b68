/** The CPU-bound verdict on emulated rows: the ranks' CPU per op over the cores against the network floor. */
import { describe, expect, it } from "vitest";
import { cpuBoundNotes, cpuFloorAboveNetwork } from "../../bench/cpu-bound.js";
import type { ResultRow } from "../../bench/sweep-types.js";

function row(extra: Partial<ResultRow>): ResultRow {
  return { op: "allreduce", algorithm: "hierarchical", ranks: 8, bytes: 64 << 20, count: 16 << 20, dtype: "float32", timeUs: 1.1e6, algbwGBps: 0, busbwGBps: 0, wrong: 0, peakRssMiB: 0, peakRssMiBPerRank: [], cpuMs: 1400, transport: "tcp", buffers: "registered", topology: "continents", iters: 5, ...extra };
}

describe("cpuFloorAboveNetwork", () => {
  it("flags 1.4 s of rank CPU on 2 cores against a 436 ms floor (continents, 64 MiB, 1 Gbit/s)", () => {
    expect(cpuFloorAboveNetwork(row({ lowerBoundUs: 436_000 }), 2)).toBeCloseTo(700_000, 6);
  });
  it("passes the same CPU against the 2.85 s floor at 100 Mbit/s, and with enough cores", () => {
    expect(cpuFloorAboveNetwork(row({ lowerBoundUs: 2_852_000 }), 2)).toBeUndefined();
    expect(cpuFloorAboveNetwork(row({ lowerBoundUs: 436_000 }), 4)).toBeUndefined();
  });
  it("says nothing without a network floor or for threads (their CPU figure is process-wide)", () => {
    expect(cpuFloorAboveNetwork(row({}), 2)).toBeUndefined();
    expect(cpuFloorAboveNetwork(row({ lowerBoundUs: 0 }), 2)).toBeUndefined();
    expect(cpuFloorAboveNetwork(row({ lowerBoundUs: 1, transport: "threads" }), 2)).toBeUndefined();
  });
  it("writes one note per CPU-bound row naming the figures and what to change", () => {
    const notes = cpuBoundNotes([row({ lowerBoundUs: 436_000 }), row({ bytes: 4096, cpuMs: 2, lowerBoundUs: 84_000 })], 2);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/hierarchical at 64MiB is CPU-bound.*1400 ms of CPU per op, 700 ms on 2 core\(s\), above the 436 ms.*fewer ranks per host/);
  });
});
