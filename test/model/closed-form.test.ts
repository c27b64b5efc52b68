/** Closed forms: exact values on hand-computable worlds, and agreement with the message-level replay at small sizes. */
import { describe, expect, it } from "vitest";
import { scheduleOf, type ScheduledAlgorithm } from "../../collectives/cost-schedules.js";
import { simulate } from "../../collectives/cost-sim.js";
import type { LinkModel, SoftwareCosts } from "../../collectives/link-model.js";
import { hierarchicalCost, ringCost, treeCost } from "../../model/closed-form.js";
import type { Fabric } from "../../model/fabric.js";
import { parseTopology } from "../../transports/topology.js";

const ZERO: SoftwareCosts = { localAlphaS: 0, localBetaS: 0, perMessageS: 0, gammaS: 0, perOpS: 0, emulatorAlphaS: 0, emulatorBetaS: 0, ackFromBytes: Infinity };

/** A network-only link model: every WAN pair has one-way `alphaS` and `rateBps`, windows unlimited. */
function links(spec: string, alphaS: number, rateBps: number): LinkModel {
  const topology = parseTopology(spec);
  const grid = (v: number, diagonal: number) => topology.regions.map((a) => topology.regions.map((b) => (a.index === b.index ? diagonal : v)));
  return { topology, source: "declared", alphaS: grid(alphaS, 0), rateBps: grid(rateBps, Infinity), windowBytes: Infinity, streams: grid(1, 1), emulated: false, cores: Infinity, hostOf: topology.regions.flatMap((g) => g.ranks.map(() => 0)), software: ZERO };
}

function fabricOf(model: LinkModel, segmentBytes: number): Fabric {
  return {
    ranksPerSite: model.topology.regions.map((r) => r.ranks.length),
    localAlphaS: 0,
    localBytesPerS: Infinity,
    wanAlphaS: model.alphaS,
    wanBytesPerS: model.rateBps,
    wanShape: "mesh",
    gammaS: 0,
    segmentBytes,
  };
}

const SEGMENT = 1 << 20;
const CLOSED = { ring: (f: Fabric, b: number) => ringCost(f, b), tree: treeCost, hierarchical: hierarchicalCost } as const;

describe("closed forms against the message-level replay (network only), within 5%", () => {
  const worlds = ["new-york:2,london:2", "new-york:2,chicago:2,london:2,asuncion:2", "new-york:3,london:2", "new-york:4,london:4"];
  for (const spec of worlds) {
    for (const [alphaS, rate] of [[0.04, 125e6], [0.01, 12.5e6]] as const) {
      for (const bytes of [4 << 20, 64 << 20]) {
        for (const algorithm of ["ring", "tree", "hierarchical"] as const satisfies readonly ScheduledAlgorithm[]) {
          it(`${algorithm} on ${spec}, α ${alphaS * 1000} ms, ${(rate * 8) / 1e6} Mbit/s, ${bytes >> 20} MiB`, () => {
            const model = links(spec, alphaS, rate);
            const replay = simulate(model, scheduleOf(algorithm, model.topology, bytes, SEGMENT), { software: false, bandwidth: true }).seconds;
            const closed = CLOSED[algorithm](fabricOf(model, SEGMENT), bytes).seconds;
            expect(Math.abs(closed - replay) / replay).toBeLessThan(0.05);
          });
        }
      }
    }
  }
});
