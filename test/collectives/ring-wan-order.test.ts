/**
 * The flat ring crosses the WAN as few times as possible: ranks are region-contiguous, so the ring
 * r → r+1 uses exactly one link per region boundary. Checked on the real ring implementation by
 * recording which rank pairs carry bytes over the in-memory transport.
 */
import { describe, expect, it } from "vitest";
import { ringAllReduce } from "../../collectives/algorithms/allreduce-ring.js";
import type { OpContext } from "../../collectives/types.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { parseTopology } from "../../world/topology.js";
import type { Transport } from "../../transports/transport.js";

function recording(inner: Transport, pairs: Set<string>): Transport {
  return {
    rank: inner.rank,
    size: inner.size,
    send: (peer, tag, payload) => {
      if (payload.byteLength > 64) pairs.add(`${inner.rank}>${peer}`); // data, not the ring's small step headers
      return inner.send(peer, tag, payload);
    },
    recv: (peer, tag, timeoutMs) => inner.recv(peer, tag, timeoutMs),
    close: () => inner.close(),
  };
}

describe("ring all-reduce on region-contiguous ranks", () => {
  it.each(["continents", "new-york:3,london:1,asuncion:2"])("%s: one WAN link per region boundary carries data", async (spec) => {
    const topology = parseTopology(spec);
    const pairs = new Set<string>();
    const world = createMemoryWorld(topology.size).map((t) => recording(t, pairs));
    const ctx = (t: Transport): OpContext => ({ transport: t, topology, opSeq: 1, timeoutMs: 10_000, deadline: Date.now() + 10_000, opName: "allReduce", segmentBytes: 1 << 20 });
    await Promise.all(world.map((t) => ringAllReduce(ctx(t), new Float32Array(4096).fill(1), "sum")));
    const region = (r: number) => topology.regionOf(r).index;
    const wan = [...pairs].filter((p) => {
      const [a, b] = p.split(">").map(Number);
      return region(a) !== region(b);
    });
    expect(wan.length).toBe(topology.regions.length); // the minimum for a ring that visits every region
    expect(pairs.size).toBe(topology.size); // and each rank sends to one neighbour only
  });
});
