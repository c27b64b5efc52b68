import { describe, expect, it } from "vitest";
import { planWorld, refusal, type NodeJoin } from "../../launch/node-plan.js";

const join = (arrival: number, over: Partial<NodeJoin> = {}): NodeJoin => ({
  arrival,
  advertiseAddr: `10.0.0.${arrival + 1}`,
  nprocPerNode: 2,
  agreement: { version: "1", rate: "1000" },
  cores: 16,
  ...over,
});

describe("the rendezvous's world plan", () => {
  it("gives a region's nodes consecutive ranks, regions in order of first arrival, nodes by arrival within one", () => {
    const plan = planWorld([join(0, { region: "a" }), join(1, { region: "b" }), join(2, { region: "a" })]);
    expect(plan.topology).toBe("a:4,b:2");
    expect(plan.nodes.map((n) => [n.arrival, n.groupRank, n.ranks])).toEqual([
      [0, 0, [0, 1]],
      [2, 1, [2, 3]],
      [1, 2, [4, 5]],
    ]);
    expect(plan.rankHosts).toEqual(["10.0.0.1", "10.0.0.1", "10.0.0.3", "10.0.0.3", "10.0.0.2", "10.0.0.2"]);
  });

  it("keeps given node ranks, and refuses ones that split a region or leave a gap", () => {
    expect(planWorld([join(0, { nodeRank: 1, region: "b" }), join(1, { nodeRank: 0, region: "a" })]).topology).toBe("a:2,b:2");
    expect(() => planWorld([join(0, { nodeRank: 0, region: "a" }), join(1, { nodeRank: 1, region: "b" }), join(2, { nodeRank: 2, region: "a" })])).toThrow(/region "a" do not have consecutive node ranks/);
    expect(() => planWorld([join(0, { nodeRank: 0 }), join(1, { nodeRank: 0 })])).toThrow(/node rank 1 is missing/);
  });

  it("puts nodes without regions in one region", () => {
    expect(planWorld([join(0), join(1)]).topology).toBe("local:4");
  });

  it.each([
    ["another ranks-per-node", { nprocPerNode: 4 }, /runs 4 ranks per node, the job 2/],
    ["another rate", { agreement: { version: "1", rate: "100" } }, /its rate is "100", the job's "1000"/],
    ["another version", { agreement: { version: "2", rate: "1000" } }, /its version is "2", the job's "1"/],
    ["a node rank past the node count", { nodeRank: 5 }, /node rank 5 is outside 0\.\.2/],
    ["a region when the first node gave none", { region: "x" }, /give it to every node or to none/],
  ])("refuses a node with %s, naming the difference", (_name, over, why) => {
    const first = join(0, over.nodeRank !== undefined ? { nodeRank: 0 } : {});
    expect(refusal(first, join(1, over), 3)).toMatch(why);
    expect(refusal(first, join(1, over.nodeRank !== undefined ? { nodeRank: 1 } : {}), 3)).toBeUndefined();
  });
});
