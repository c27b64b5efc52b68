/** Closed forms: exact values on hand-computable worlds, and agreement with the message-level replay at small sizes. */
import { describe, expect, it } from "vitest";
import { scheduleOf, type ScheduledAlgorithm } from "../../model/cost-schedules.js";
import { simulate } from "../../model/cost-sim.js";
import type { LinkModel, SoftwareCosts } from "../../model/link-model.js";
import { HIERARCHICAL_CHUNK_BYTES } from "../../model/algorithm-shapes.js";
import { CLOSED_FORMS, hierarchicalCost, ringCost, treeCost } from "../../model/closed-form.js";
import { sparseHierarchicalCost } from "../../model/closed-form-sparse.js";
import type { Fabric } from "../../model/fabric.js";
import { fabricOfLinks } from "../../model/fabric-of-links.js";
import { parseTopology } from "../../world/topology.js";
import { ZERO_SOFTWARE as ZERO } from "./zero-software.js";


/** A network-only link model: every WAN pair has one-way `alphaS` and `rateBps`, windows unlimited. */
function links(spec: string, alphaS: number, rateBps: number): LinkModel {
  const topology = parseTopology(spec);
  const grid = (v: number, diagonal: number) => topology.regions.map((a) => topology.regions.map((b) => (a.index === b.index ? diagonal : v)));
  return { topology, source: "declared", alphaS: grid(alphaS, 0), rateBps: grid(rateBps, Infinity), windowBytes: Infinity, streams: grid(1, 1), emulated: false, cores: Infinity, hostOf: topology.regions.flatMap((g) => g.ranks.map(() => 0)), software: ZERO };
}

const SEGMENT = 1 << 20;

describe("closed forms against the message-level replay (network only), within 5%", () => {
  const worlds = [
    "new-york:1,london:1", "new-york:1,chicago:1,london:1", "new-york:2,london:2", "new-york:3,london:2",
    "new-york:3,chicago:1,london:2", "new-york:4,london:4", "new-york:2,chicago:2,london:2,asuncion:2",
  ];
  for (const spec of worlds) {
    for (const [alphaS, rate] of [[0.04, 125e6], [0.01, 12.5e6]] as const) {
      for (const bytes of [4 << 20, 64 << 20]) {
        for (const algorithm of ["ring", "tree", "hierarchical"] as const satisfies readonly ScheduledAlgorithm[]) {
          it(`${algorithm} on ${spec}, α ${alphaS * 1000} ms, ${(rate * 8) / 1e6} Mbit/s, ${bytes >> 20} MiB`, () => {
            const model = links(spec, alphaS, rate);
            const replay = simulate(model, scheduleOf(algorithm, model.topology, bytes, SEGMENT), { software: false, bandwidth: true }).seconds;
            const closed = CLOSED_FORMS[algorithm](fabricOfLinks(model, SEGMENT), bytes).seconds;
            expect(Math.abs(closed - replay) / replay).toBeLessThan(0.05);
          });
        }
      }
    }
  }
});

/** Two sites of one rank each: α = 10 ms, β = 1 µs/byte (1 MB/s), a 1 MB buffer in one segment. */
const PAIR: Fabric = { ranksPerSite: [1, 1], localAlphaS: 0, localBytesPerS: Infinity, wanAlphaS: [[0, 0.01], [0.01, 0]], wanBytesPerS: [[Infinity, 1e6], [1e6, Infinity]], wanShape: "mesh", gammaS: 0, segmentBytes: 1e6 };

describe("closed forms by hand (α = 10 ms, 1 MB/s, B = 1 MB, two ranks on two sites)", () => {
  it("ring: 2(α + (B/2)β) = 1.02 s, each direction carries B", () => {
    expect(ringCost(PAIR, 1e6).seconds).toBeCloseTo(1.02, 9);
    expect(ringCost(PAIR, 1e6).wanBytes).toBe(1e6);
  });
  it("bidirectional ring: 2(α + (B/4)β) = 0.52 s, each direction carries B/2", () => {
    expect(ringCost(PAIR, 1e6, 2).seconds).toBeCloseTo(0.52, 9);
    expect(ringCost(PAIR, 1e6, 2).wanBytes).toBe(5e5);
  });
  it("tree: reduce then broadcast, 2(α + Bβ) = 2.02 s", () => expect(treeCost(PAIR, 1e6).seconds).toBeCloseTo(2.02, 9));
  it("hierarchical: 1/2 out, reduced 1/2 back: 2(α + (B/2)β) = 1.02 s in the inter-site phase", () => {
    expect(hierarchicalCost(PAIR, 1e6).phases).toEqual([0, expect.closeTo(1.02, 9), 0]);
  });
  it("top-k inter-site step: α + sent·β; 10 kB sent: 20 ms", () => expect(sparseHierarchicalCost(PAIR, 1e6, 1e4).seconds).toBeCloseTo(0.02, 9));
  it("one rank, or an empty buffer, costs nothing", () => {
    expect(ringCost({ ...PAIR, ranksPerSite: [1] }, 1e6).seconds).toBe(0);
    expect(hierarchicalCost(PAIR, 0).seconds).toBe(0);
  });
});

describe("hierarchical inside one site (4 ranks, α = 10 µs, 1 GB/s each, 4 MB)", () => {
  const site: Fabric = { ...PAIR, ranksPerSite: [4], localAlphaS: 1e-5, localBytesPerS: 1e9, wanAlphaS: [[0]], wanBytesPerS: [[Infinity]] };
  it("reduce-scatter and all-gather as rings: 2(3α + (3/4)·B/β) = 6.06 ms", () => expect(hierarchicalCost(site, 4e6).seconds).toBeCloseTo(0.00606, 9));
  it("a loop of sites runs the inter-site step as a bidirectional ring", () => {
    const loop: Fabric = { ...PAIR, wanShape: "loop" };
    expect(hierarchicalCost(loop, 1e6).phases[1]).toBeCloseTo(ringCost(PAIR, 1e6, 2).seconds, 9);
  });
  it("chunks follow the algorithm's constant", () => expect(HIERARCHICAL_CHUNK_BYTES).toBe(4 << 20));
});
