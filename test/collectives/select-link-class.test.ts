import { describe, expect, it } from "vitest";
import { choose, linkModelFor, predict } from "../../collectives/select.js";
import { declaredLinkModel } from "../../model/link-model.js";
import { parseTopology } from "../../world/topology.js";

// Two nodes of four ranks, one per region, a 10 Gbit/s WAN between them.
const topology = parseTopology("new-york:4,chicago:4");
const base = { wan: true, hosted: true, rateMbit: 10_000, cores: 4 };

describe("cost model: links between threads of one process vs sockets", () => {
  it("reads the thread blocks from LONGHAUL_THREADS (every rank gets the same model)", () => {
    const env = { LONGHAUL_THREADS: "4", LONGHAUL_RANK_HOSTS: "10.0.0.1*4,10.0.0.2*4", LONGHAUL_LINK_RATE_MBIT: "10gbit" };
    expect(linkModelFor(topology, env).threadGroup).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(linkModelFor(topology, { ...env, LONGHAUL_THREADS: "" }).threadGroup).toBeUndefined();
  });

  it("makes intra-node phases cheaper, which changes the choice: 64 MiB goes ring over sockets, a log-step algorithm with thread links", () => {
    const sockets = declaredLinkModel(topology, base);
    const threads = declaredLinkModel(topology, { ...base, threadsPerProcess: 4 });
    const bytes = 64 << 20;
    expect(predict("hierarchical", bytes, threads)).toBeLessThan(predict("hierarchical", bytes, sockets));
    // The WAN crossing is the same: the ring's WAN-bound time barely moves, the intra-node phases shrink.
    expect(choose(bytes, sockets).algorithm).toBe("ring");
    // Hierarchical's WAN pieces are below the 1 MiB the ZeroMQ link stripes from, so each rides one
    // connection and a 3 MiB window per round trip; halving-doubling's large halves are striped.
    expect(choose(bytes, threads).algorithm).toBe("halving-doubling");
    // With 6 MiB windows (tcp_rmem max 12 MiB) one pair fills the link and hierarchical wins.
    expect(choose(bytes, declaredLinkModel(topology, { ...base, threadsPerProcess: 4, windowBytes: 6 << 20 })).algorithm).toBe("hierarchical");
  });
});
