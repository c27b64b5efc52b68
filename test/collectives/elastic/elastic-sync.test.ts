import { describe, expect, it } from "vitest";
import { ElasticSync, type TrainingState } from "../../../collectives/elastic/elastic-sync.js";
import { checkHashSlots, HASH_SLOTS, putHashSlots } from "../../../collectives/elastic/heal.js";
import type { Membership } from "../../../collectives/elastic/membership.js";
import { CommError } from "../../../world/comm-error.js";
import { memoryComms } from "../world.js";

const summed = (hashes: number[]): Float32Array => {
  const sum = new Float32Array(HASH_SLOTS);
  for (const hash of hashes) {
    const one = new Float32Array(HASH_SLOTS);
    putHashSlots(hash, one, 0);
    one.forEach((x, i) => (sum[i] += x));
  }
  return sum;
};

describe("the state hash carried in a sum all-reduce", () => {
  it("passes when every member's hash is the same, and names the byte where two differ — even when the sums of the bytes agree", () => {
    expect(() => checkHashSlots(summed([0xdeadbeef, 0xdeadbeef, 0xdeadbeef]), 0, 3, "at step 1")).not.toThrow();
    // 0x10 + 0x30 = 0x20 + 0x20: the plain sums match; the squares do not.
    expect(() => checkHashSlots(summed([0x00000010, 0x00000030, 0x00000020, 0x00000020]), 0, 4, "at step 7")).toThrow(/at step 7, the members' states differ \(their hashes disagree in byte 0\)/);
    expect(() => checkHashSlots(summed([0x01000000, 0x00000000]), 0, 2, "at step 2")).toThrow(/byte 3/);
  });
});

describe("ElasticSync", () => {
  const member = (comm: ReturnType<typeof memoryComms>[number], index: number, fresh: () => boolean): Membership => ({
    quorum: async () => ({ comm, epoch: 1, members: [0, 1], index, steps: [0, 0], fresh: fresh() }),
    failed: () => undefined,
    leave: async () => undefined,
  });
  const state = (values: number[]): TrainingState => {
    const held = Float32Array.from(values);
    return { read: async () => Float32Array.from(held), write: async (s) => held.set(s) };
  };

  it("averages the gradients and checks the members' states in the same all-reduce: a member whose state drifted stops both with MISMATCH", async () => {
    const comms = memoryComms(2);
    let round = 0;
    const states = [state([1, 2, 3]), state([1, 2, 3])];
    const workers = [0, 1].map((i) => new ElasticSync(member(comms[i], i, () => round === 0), states[i], { checkEveryStep: true }));
    await Promise.all(workers.map((w) => w.allReduce(new Float32Array(2)))); // the first quorum heals
    round = 1;
    const grads = [Float32Array.of(1, 3), Float32Array.of(3, 5)];
    await Promise.all(workers.map((w, i) => w.allReduce(grads[i])));
    expect([...grads[0]]).toEqual([2, 4]);
    expect([...grads[1]]).toEqual([2, 4]);
    await states[1].write(Float32Array.of(1, 2, 3.5));
    const results = await Promise.allSettled(workers.map((w) => w.allReduce(new Float32Array(2))));
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as CommError;
      expect(error.code).toBe("MISMATCH");
      expect(error.message).toMatch(/at step 2, the members' states differ/);
    }
  });
});
