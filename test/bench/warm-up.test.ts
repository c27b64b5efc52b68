import { describe, expect, it } from "vitest";
import { MAX_ITERS, warmUp } from "../../bench/rank-sweep.js";
import type { RankSweepConfig } from "../../bench/sweep-types.js";
import type { Communicator } from "../../collectives/types.js";

/** A world of one: the "slowest rank" all-reduce returns this rank's value. */
const alone = { allReduce: async (data: Float64Array) => data } as unknown as Communicator;
const config = (minTimeMs: number) => ({ minTimeMs, timeoutMs: 1000 }) as RankSweepConfig;

describe("bench warm-up (--min-time)", () => {
  it("judges the timed count by the last warm-up round, so an op that speeds up as it warms is timed at its warm speed", async () => {
    let runs = 0;
    const speedingUp = async (): Promise<number> => (runs++ < 50 ? 5000 : 1000); // µs: slow for 50 runs, then fast
    const perIterationUs = await warmUp(alone, config(1000), speedingUp);
    expect(perIterationUs).toBe(1000);
    expect(runs).toBeGreaterThan(50);
  });

  it("stops once the rounds add up to the warm-up time, and never runs more than MAX_ITERS", async () => {
    let runs = 0;
    await warmUp(alone, config(100), async () => (runs++, 10_000)); // 10 ms ops, 100 ms of warm-up
    expect(runs).toBe(1 + 2 + 4 + 8); // 150 ms after the fourth round
    runs = 0;
    await warmUp(alone, config(60_000), async () => (runs++, 1));
    expect(runs).toBeLessThanOrEqual(MAX_ITERS);
  });
});
