/** Per-bucket timings of bench overlap: queued behind the bucket before, then running; means over steps. */
import { describe, expect, it } from "vitest";
import { BucketClock, meanBuckets } from "../../bench/overlap/bucket-clock.js";

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("BucketClock", () => {
  it("a bucket issued while the one before still runs is queued until that one ends", async () => {
    const clock = new BucketClock();
    // Two ops run back to back as a Communicator runs them: the second starts when the first ends (~60 ms).
    const first = after(60);
    const second = first.then(() => after(40));
    await Promise.all([clock.track(1, first), clock.track(0, second)]);
    const [a, b] = clock.buckets;
    expect(a.layer).toBe(1);
    expect(a.queuedMs).toBe(0);
    expect(a.runMs).toBeGreaterThanOrEqual(59);
    expect(b.queuedMs).toBeGreaterThanOrEqual(59);
    expect(b.runMs).toBeGreaterThanOrEqual(39);
    expect(b.doneMs).toBeCloseTo(b.issuedMs + b.queuedMs + b.runMs, 6);
    // Timers leave the CPU free: far less CPU than run time.
    expect(a.cpuMs).toBeLessThan(a.runMs);
  });

  it("meanBuckets averages each place over steps", () => {
    const step = (x: number) => [{ layer: 0, issuedMs: x, queuedMs: 0, runMs: 2 * x, cpuMs: 1, doneMs: 3 * x }];
    expect(meanBuckets([step(10), step(20)])).toEqual([{ layer: 0, issuedMs: 15, queuedMs: 0, runMs: 30, cpuMs: 1, doneMs: 45 }]);
    expect(meanBuckets([])).toEqual([]);
  });
});
