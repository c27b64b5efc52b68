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

describe("ElasticDiLoCo in the background", () => {
  it("keeps training while its outer step waits for a slower member; what it trained meanwhile is kept on the new global and weighs in its next step", async () => {
    const n = 8;
    const comms = memoryComms(2);
    let completed: () => void = () => undefined;
    const fastCompleted = new Promise<void>((resolve) => (completed = resolve));
    const worker = (index: number) => new ElasticDiLoCo(scripted([
      { comm: comms[index], index, steps: [0, 0], fresh: true, members: [0, 1] },
      { comm: comms[index], index, steps: [0, 0], fresh: false, members: [0, 1] },
    ]), new Float32Array(n), { innerSteps: 2, background: true, totalInnerSteps: 4 }, (event) => {
      if (index === 0 && event.kind === "outer-step") completed();
    });
    const [fast, slow] = [worker(0), worker(1)];
    await Promise.all([fast.start(), slow.start()]);
    const inner = async (w: ElasticDiLoCo, by: number) => {
      for (let i = 0; i < n; i++) w.params[i] += by;
      return w.step();
    };
    // The fast worker sends after 2 steps (pseudo-gradient -2, weight 2) and trains 3 more while the slow one has not sent.
    for (let k = 0; k < 5; k++) expect(await inner(fast, 1)).toBe(false);
    expect(fast.outerSteps).toBe(0);
    // The slow one sends after 2 steps of +2 (pseudo-gradient -4, weight 2): the round completes on both.
    await inner(slow, 2);
    await inner(slow, 2);
    await fastCompleted; // completed in the background, not landed yet
    expect(fast.outerSteps).toBe(1);
    const expected = new Float32Array(n);
    new OuterNesterov(n).step(expected, new Float32Array(n).fill(-3)); // (-2·2 + -4·2) / 4
    expect([...fast.global]).toEqual([...expected]);
    // The next inner step lands it: the new global plus the 4 steps (+4) trained since the send.
    expect(await inner(fast, 1)).toBe(true);
    expect([...fast.params]).toEqual([...expected].map((x) => Math.fround(x + 4)));
    expect(fast.contributedInnerSteps).toBe(4);
    // The group's 4 inner steps are done: nothing more is sent; finish() leaves both on the same global parameters.
    expect(fast.done && slow.done).toBe(true);
    await Promise.all([fast.finish(), slow.finish()]);
    expect([...slow.params]).toEqual([...fast.params]);
    expect([...fast.params]).toEqual([...expected]);
  });

  it("waits for the round once it is maxAheadSteps past its send", async () => {
    const comms = memoryComms(2);
    const worker = (index: number) => new ElasticDiLoCo(scripted([
      { comm: comms[index], index, steps: [0, 0], fresh: true, members: [0, 1] },
      { comm: comms[index], index, steps: [0, 0], fresh: false, members: [0, 1] },
    ]), new Float32Array(4), { innerSteps: 2, background: true, maxAheadSteps: 3, totalInnerSteps: 4 });
    const [fast, slow] = [worker(0), worker(1)];
    await Promise.all([fast.start(), slow.start()]);
    for (let k = 0; k < 4; k++) expect(await fast.step()).toBe(false); // sent at 2, then 2 steps ahead
    let landed = false;
    const third = fast.step().then((changed) => (landed = changed)); // 3 ahead: waits
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(landed).toBe(false);
    await slow.step();
    await slow.step(); // the slow one sends: the round completes
    await third;
    expect(landed).toBe(true);
    expect(fast.outerSteps).toBe(1);
  });
});
