/** Bucketed gradient sync over the in-memory transport: bucket layout, exact averages, order, accumulation, per-bucket compression. */
import { describe, expect, it } from "vitest";
import type { Communicator } from "../../collectives/types.js";
import { assignBuckets, DEFAULT_BUCKET_BYTES, GradientBuckets } from "../../train/grad-buckets.js";
import { inWorld } from "../collectives/world.js";

/** Rank r's gradient of variable i: (r + 1) · (10 i + k + 1) — over 3 ranks the average is 2 · (10 i + k + 1), exact. */
const gradOf = (rank: number, i: number, n: number, scale = 1) => Float32Array.from({ length: n }, (_, k) => (rank + 1) * (10 * i + k + 1) * scale);
const avgOf = (i: number, n: number, scale = 1) => Array.from({ length: n }, (_, k) => 2 * (10 * i + k + 1) * scale);

/** Counts the all-reduces a rank has issued. */
function counting(comm: Communicator): { comm: Communicator; issued: () => number } {
  let issued = 0;
  const allReduce: Communicator["allReduce"] = (data, options) => (issued++, comm.allReduce(data, options));
  return { comm: Object.assign(Object.create(comm) as Communicator, { allReduce }), issued: () => issued };
}

describe("assignBuckets", () => {
  it("fills buckets from the last variable back; a variable over the size is a bucket alone", () => {
    expect(assignBuckets([10, 20, 5, 5], 40)).toEqual([[3, 2], [1], [0]]);
    expect(assignBuckets([10, 20, 5, 5])).toEqual([[3, 2, 1, 0]]);
    expect(DEFAULT_BUCKET_BYTES).toBe(25 * 2 ** 20);
    expect(assignBuckets([], 40)).toEqual([]);
  });

  it("refuses a bucket size that is not a whole number of bytes >= 4, naming DDP's default", () => {
    expect(() => assignBuckets([1], 0)).toThrow(/bucketBytes must be a whole number of bytes >= 4 \(got 0\); DDP's default is 25 MiB/);
  });
});

describe("GradientBuckets over 3 ranks", () => {
  const sizes = [3, 5, 2, 7];

  it("starts each bucket's all-reduce before wait(), in bucket order whatever order gradients arrive in, and averages exactly", async () => {
    const results = await inWorld(3, async (base, rank) => {
      const { comm, issued } = counting(base);
      const buckets = new GradientBuckets(comm, sizes, { bucketBytes: 28 });
      buckets.begin(true);
      // Rank 0 gives gradients first to last, the others last to first: buckets still start in one order.
      const order = rank === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
      for (const i of order) buckets.add(i, gradOf(rank, i, sizes[i]));
      const inFlight = issued();
      const averaged = await buckets.wait();
      return { count: buckets.count, inFlight, averaged: averaged.map((a) => Array.from(a)) };
    });
    for (const r of results) {
      expect(r.count).toBe(3); // [3], [2, 1], [0] at 28 bytes (7 elements)
      expect(r.inFlight).toBe(3);
      expect(r.averaged).toEqual(sizes.map((n, i) => avgOf(i, n)));
    }
  });

  it("with sync off accumulates: the next synced step averages the sum of both steps' gradients, the one after only its own", async () => {
    const results = await inWorld(3, async (comm, rank) => {
      const buckets = new GradientBuckets(comm, sizes, { bucketBytes: 28 });
      const step = async (sync: boolean, scale: number) => {
        buckets.begin(sync);
        sizes.forEach((n, i) => buckets.add(i, gradOf(rank, i, n, scale)));
        return (await buckets.wait()).map((a) => Array.from(a));
      };
      const accumulated = await step(false, 1);
      const summed = await step(true, 2);
      const alone = await step(true, 4);
      return { accumulated, summed, alone };
    });
    for (const r of results) {
      expect(r.accumulated).toEqual([]);
      expect(r.summed).toEqual(sizes.map((n, i) => avgOf(i, n, 3)));
      expect(r.alone).toEqual(sizes.map((n, i) => avgOf(i, n, 4)));
    }
  });

  it("keeps one error-feedback residual per bucket under compression (buckets of different lengths never share one)", async () => {
    await inWorld(3, async (comm, rank) => {
      const buckets = new GradientBuckets(comm, sizes, { bucketBytes: 28, compress: { kind: "topk", ratio: 0.5 } });
      for (let s = 0; s < 3; s++) {
        buckets.begin(true);
        sizes.forEach((n, i) => buckets.add(i, gradOf(rank, i, n)));
        const averaged = await buckets.wait();
        expect(averaged.map((a) => a.length)).toEqual(sizes);
      }
    });
  });

  it("refuses a gradient given twice, one of the wrong length, and wait() before every gradient is in", async () => {
    await inWorld(1, async (comm) => {
      const buckets = new GradientBuckets(comm, [2, 3]);
      buckets.begin(true);
      buckets.add(0, new Float32Array(2));
      expect(() => buckets.add(0, new Float32Array(2))).toThrow(/variable 0 given twice in one step/);
      expect(() => buckets.add(1, new Float32Array(2))).toThrow(/variable 1 has 2 elements, the variable 3/);
      await expect(buckets.wait()).rejects.toThrow(/gradient of variable 1 was not given this step/);
    });
  });
});
