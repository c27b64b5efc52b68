import { perDestinationCommands, type Command, type Destination } from "../netem/tc/builder.js";
import { linkProfilesFor } from "../netem/pairs.js";
import type { DistanceOptions } from "../netem/distance.js";
import { badValue } from "../netem/errors.js";
import type { Topology } from "../world/topology.js";

/** What one container needs to shape its egress towards every other continent. */
export interface EgressSpec {
  readonly topology: Topology;
  /** This container's region. */
  readonly self: string;
  /** Fixed address of every region's container. */
  readonly hosts: Readonly<Record<string, string>>;
  /** Interface on the experiment network (eth0 in a one-network container). */
  readonly dev: string;
  /** Profile options (rate, jitter…) on top of the distance model. */
  readonly profile?: DistanceOptions;
}

/** One destination per other region: its container's IP with the self→region profile from the distance model. */
export function egressDestinations(spec: EgressSpec): Destination[] {
  const matrix = linkProfilesFor(spec.topology, spec.profile);
  const self = matrix.regions.indexOf(spec.self);
  if (self < 0) throw badValue(`region "${spec.self}" is not in topology "${spec.topology.spec}" (${matrix.regions.join(", ")}); set LONGHAUL_REGION to one of them`);
  return matrix.regions.flatMap((name, index) => {
    if (index === self) return [];
    const ip = spec.hosts[name];
    if (ip === undefined) throw badValue(`no address for region "${name}"; add ${name}=IP to LONGHAUL_HOSTS`);
    return [{ ip, profile: matrix.profile(self, index) }];
  });
}

/** The per-destination htb/u32/netem tree (netem/tc/builder.ts) for this container's egress. */
export function egressCommands(spec: EgressSpec): Command[] {
  return perDestinationCommands(spec.dev, egressDestinations(spec));
}
