import { describe, expect, it } from "vitest";
import { decideQuorum, type Joiner } from "../../../launch/elastic/quorum-rule.js";

const joined = (entries: Array<[number, number, boolean?]>): Map<number, Joiner> => new Map(entries.map(([rank, step, healthy = true]) => [rank, { step, healthy }]));

describe("the lighthouse's quorum rule", () => {
  it("nobody asked: nothing to decide", () => {
    expect(decideQuorum({ size: 3, minMembers: 1, live: new Set([0, 1, 2]), joiners: new Map() })).toEqual({ kind: "none" });
  });

  it("waits for every live rank, naming the missing ones", () => {
    const decision = decideQuorum({ size: 3, minMembers: 1, live: new Set([0, 1, 2]), joiners: joined([[0, 4], [2, 4]]) });
    expect(decision).toEqual({ kind: "wait", reason: "waiting for live rank 1 to reach the step boundary" });
  });

  it("the first quorum takes the whole world, even when a rank is not live yet", () => {
    expect(decideQuorum({ size: 3, minMembers: 1, live: new Set([0, 1]), joiners: joined([[0, 0], [1, 0]]) }).kind).toBe("wait");
    expect(decideQuorum({ size: 3, minMembers: 1, live: new Set([0, 1, 2]), joiners: joined([[2, 0], [0, 0], [1, 0]]) })).toEqual({ kind: "quorum", epoch: 1, members: [0, 1, 2], steps: [0, 0, 0] });
  });

  it("keeps the epoch when the members are the same and healthy; a failed or new member makes a new one", () => {
    const last = { epoch: 4, members: [0, 1, 2] };
    const live = new Set([0, 1, 2]);
    expect(decideQuorum({ size: 3, minMembers: 1, live, last, joiners: joined([[0, 9], [1, 9], [2, 9]]) })).toMatchObject({ kind: "quorum", epoch: 4 });
    expect(decideQuorum({ size: 3, minMembers: 1, live, last, joiners: joined([[0, 9], [1, 9, false], [2, 9]]) })).toMatchObject({ kind: "quorum", epoch: 5 });
    expect(decideQuorum({ size: 4, minMembers: 1, live: new Set([0, 1, 2, 3]), last, joiners: joined([[0, 9], [1, 9], [2, 9], [3, 0]]) })).toEqual({ kind: "quorum", epoch: 5, members: [0, 1, 2, 3], steps: [9, 9, 9, 0] });
  });

  it("a rank that is not live is not waited for: the survivors form the next epoch", () => {
    expect(decideQuorum({ size: 3, minMembers: 1, live: new Set([0, 1]), last: { epoch: 2, members: [0, 1, 2] }, joiners: joined([[0, 5], [1, 5]]) })).toEqual({ kind: "quorum", epoch: 3, members: [0, 1], steps: [5, 5] });
  });

  it("a minority of the last quorum waits (a partition's smaller side does not train alone), as does a quorum below --min-nodes", () => {
    const last = { epoch: 2, members: [0, 1, 2, 3] };
    const half = decideQuorum({ size: 4, minMembers: 1, live: new Set([0, 1]), last, joiners: joined([[0, 5], [1, 5]]) });
    expect(half).toEqual({ kind: "wait", reason: "2 of the last quorum's 4 members joined, not a majority: a minority does not train on alone" });
    const few = decideQuorum({ size: 4, minMembers: 4, live: new Set([0, 1, 2]), last, joiners: joined([[0, 5], [1, 5], [2, 5]]) });
    expect(few).toEqual({ kind: "wait", reason: "3 ranks joined, fewer than the 4 the run needs (--min-nodes)" });
    expect(decideQuorum({ size: 4, minMembers: 3, live: new Set([0, 1, 2]), last, joiners: joined([[0, 5], [1, 5], [2, 5]])}).kind).toBe("quorum");
  });
});
