/**
 * Connections per rank pair that keep a WAN link full (NCCL's NSOCKS): one TCP connection moves at
 * most window/RTT, so a region pair gets ceil(BDP / window) streams from its profile's round trip
 * and rate — 1 Gbit/s new-york↔asuncion (129 ms) needs 6 windows of 3 MiB, new-york↔chicago (26 ms) 2. Inside a
 * region, for regions without a built-in profile, or when the rate is unknown, 1.
 */
import type { Topology } from "../world/topology.js";
import { streamsForLink } from "./link-streams.js";
import { linkProfilesFor } from "./pairs.js";
import { REGIONS } from "./regions.js";
import { DEFAULT_WINDOW_BYTES } from "./tcp.js";

/** What one connection may have in flight by default (half of Linux's tcp_rmem max, model/tcp.ts); the emulator models the same cap. */
export { DEFAULT_WINDOW_BYTES };

/** streams[a][b] by region index. */
export function bdpStreams(topology: Topology, rateMbit: number | undefined, windowBytes = DEFAULT_WINDOW_BYTES): number[][] {
  const n = topology.regions.length;
  const ones = () => topology.regions.map(() => new Array<number>(n).fill(1));
  if (!(rateMbit !== undefined && rateMbit > 0) || !topology.regions.every((r) => REGIONS.has(r.name))) return ones();
  const links = linkProfilesFor(topology, { rateMbit });
  return topology.regions.map((_, a) =>
    topology.regions.map((_, b) => (a === b ? 1 : streamsForLink({ rateMbit, rttMs: links.profile(a, b).delayMs + links.profile(b, a).delayMs, windowBytes }))),
  );
}
