import { describe, expect, it } from "vitest";
import { ElasticDiLoCo } from "../../../collectives/elastic/elastic-diloco.js";
import { stateHash } from "../../../collectives/elastic/heal.js";
import type { Membership, Quorum } from "../../../collectives/elastic/membership.js";
import { OuterNesterov } from "../../../collectives/diloco/nesterov.js";
import { CommError } from "../../../world/comm-error.js";
import { memoryComms } from "../world.js";

/** A membership whose quorums a test scripts, one per round (the last repeats). */
function scripted(rounds: Array<Omit<Quorum, "epoch" | "members"> & { members?: number[] }>): Membership {
  let round = 0;
  return {
    quorum: async () => {
      const r = rounds[Math.min(round++, rounds.length - 1)];
      return { epoch: round, members: r.members ?? [0], ...r };
    },
    failed: () => undefined,
    leave: async () => undefined,
  };
}

describe("ElasticDiLoCo", () => {
  it("a joiner heals from the most advanced member (parameters and momentum, hash-checked) and weighs nothing in that round's outer step", async () => {
    const n = 64;
    const [solo] = memoryComms(1);
    const pair = memoryComms(2);
    const veteran = new ElasticDiLoCo(scripted([
      { comm: solo, index: 0, steps: [0], fresh: true }, // start, alone
      { comm: solo, index: 0, steps: [0], fresh: false }, // outer step 1, alone
      { comm: pair[0], index: 0, steps: [1, 0], fresh: true, members: [0, 1] }, // outer step 2, the joiner is there
    ]), Float32Array.from({ length: n }, (_, i) => i), { innerSteps: 2 });
    const innerSteps = async (by: number) => {
      for (let k = 0; k < 2; k++) {
        for (let i = 0; i < n; i++) veteran.params[i] += by;
        await veteran.step();
      }
    };
    await veteran.start();
    await innerSteps(1);
    // Outer step 1 alone: Nesterov from the initial parameters with the pseudo-gradient -2 everywhere.
    const expected = Float32Array.from({ length: n }, (_, i) => i);
    const reference = new OuterNesterov(n);
    reference.step(expected, new Float32Array(n).fill(-2));
    expect(veteran.outerSteps).toBe(1);
    expect([...veteran.global]).toEqual([...expected]);

    const joiner = new ElasticDiLoCo(scripted([{ comm: pair[1], index: 1, steps: [1, 0], fresh: true, members: [0, 1] }]), new Float32Array(n).fill(99), { innerSteps: 2 });
    await Promise.all([innerSteps(0.5), joiner.start()]);
    // The joiner weighed nothing: outer step 2 is the veteran's pseudo-gradient (-1) alone, with its momentum.
    reference.step(expected, new Float32Array(n).fill(-1));
    // (float32 rounding of params + 0.5 + 0.5 makes the pseudo-gradient -1 only to within 1e-5)
    const farthest = Math.max(...veteran.global.map((x, i) => Math.abs(x - expected[i])));
    expect(farthest).toBeLessThan(1e-4);
    for (const worker of [veteran, joiner]) {
      expect(worker.outerSteps).toBe(2);
      expect([...worker.params]).toEqual([...veteran.global]);
    }
    // Bit-identical on both members.
    expect([...joiner.global]).toEqual([...veteran.global]);
    expect(stateHash(joiner.global)).toBe(stateHash(veteran.global));
    expect(joiner.events.map((e) => e.kind)).toEqual(["healed", "outer-step"]);
  });

  it("retries an outer step the membership's op failed, with the same local progress", async () => {
    const comms = memoryComms(1);
    let calls = 0;
    const membership: Membership = {
      quorum: async () => ({ comm: calls++ === 1 ? { ...comms[0], allReduce: async () => { throw new CommError("gone", { code: "PEER_LOST" }); } } : comms[0], epoch: calls, members: [0], index: 0, steps: [0], fresh: false }),
      failed: () => undefined,
      leave: async () => undefined,
    };
    const d = new ElasticDiLoCo(membership, new Float32Array(4), { innerSteps: 1 });
    await d.start();
    d.params.fill(1);
    await d.step();
    expect(d.events.map((e) => e.kind)).toEqual(["retry", "outer-step"]);
    expect(d.outerSteps).toBe(1);
    expect(d.global[0]).not.toBe(0);
  });
});
