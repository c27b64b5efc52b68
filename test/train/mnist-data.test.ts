import { describe, expect, it } from "vitest";
import { batchRows, loadMnist, shardOf } from "../../train/mnist-data.js";

describe("MNIST data", () => {
  const { train, test } = loadMnist();

  it("holds out 15% of each digit's real samples for testing", () => {
    expect(train.n + test.n).toBe(10_000);
    expect(test.n).toBeGreaterThan(1400);
    expect(test.n).toBeLessThan(1600);
    for (let d = 0; d < 10; d++) expect(test.y.filter((y) => y === d).length).toBeGreaterThan(100);
    expect(train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("gives ranks disjoint, equal shards", () => {
    const size = 3;
    const shards = Array.from({ length: size }, (_, r) => shardOf(train, r, size));
    expect(new Set(shards.map((s) => s.n)).size).toBe(1);
    expect(shards[0].n).toBe(Math.floor(train.n / size));
    // Row 0 of shard r is training sample r.
    shards.forEach((s, r) => expect(Array.from(s.x.subarray(0, 784))).toEqual(Array.from(train.x.subarray(r * 784, (r + 1) * 784))));
  });

  it("cycles batches through a shard", () => {
    const shard = shardOf(train, 0, 8);
    expect(batchRows(shard, 0, 4)).toEqual([0, 1, 2, 3]);
    expect(batchRows(shard, Math.floor(shard.n / 4), 4)[0]).toBe(Math.floor(shard.n / 4) * 4 % shard.n);
  });
});
