import { lastPort } from "../../world/addresses.js";
import { parseTopology, type Topology } from "../../world/topology.js";

/** The world some ranks of a larger world form for one epoch. */
export interface EpochWorld {
  epoch: number;
  members: number[];
  /** Regions with at least one member, in the larger world's order: "new-york:2,london:1". */
  spec: string;
  topology: Topology;
  basePort: number;
  /** The larger world's region index of each of this world's regions (the emulator's sites). */
  sites: number[];
}

/** Epochs cycle through this many port blocks above the full world's, so an epoch's ports are free again when they come back. */
export const EPOCH_PORT_BLOCKS = 4;

/** The members' world for `epoch`: its own ports, a block above the full world's (emulated worlds span their proxies too). */
export function epochWorld(full: Topology, basePort: number, emulate: boolean, epoch: number, members: readonly number[]): EpochWorld {
  const span = lastPort(full.size, full.regions.length, basePort, emulate) - basePort + 1;
  const regions = full.regions
    .map((r) => ({ name: r.name, index: r.index, count: members.filter((m) => full.regionOf(m).index === r.index).length }))
    .filter((r) => r.count > 0);
  const spec = regions.map((r) => `${r.name}:${r.count}`).join(",");
  return {
    epoch,
    members: [...members],
    spec,
    topology: parseTopology(spec),
    basePort: basePort + span * (1 + (epoch % EPOCH_PORT_BLOCKS)),
    sites: regions.map((r) => r.index),
  };
}
