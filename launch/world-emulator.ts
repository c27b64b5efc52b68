import { hostOf, listenPort, proxyPort, type AddressPlan } from "../world/addresses.js";
import type { Topology } from "../world/topology.js";
import { linkProfilesFor } from "../model/pairs.js";
import type { LinkProfile } from "../model/profile.js";
import { startEmulator, type EmulatedRoute, type Emulator } from "../netem/emulator/emulator.js";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";

export interface WorldEmulatorOptions {
  readonly topology: Topology;
  readonly plan: AddressPlan;
  /** One-way profile from region index src to region index dst; default: distance model. */
  readonly profiles?: (srcRegion: number, dstRegion: number) => LinkProfile;
  /** Rate of every region pair when `profiles` is not given (Mbit/s; default unshaped). */
  readonly rateMbit?: number;
  readonly windowBytes?: number;
  readonly queueMs?: number;
  /** Where the proxies listen (default plan.emulatorHost or 127.0.0.1; in a container 0.0.0.0). */
  readonly listenHost?: string;
  readonly tcp?: TcpOptions;
  /** Shape only the routes leaving these regions (a node-level launch shapes its own egress); default all. */
  readonly sourceRegions?: readonly number[];
}

/**
 * A world's routes through the emulator: one proxy per (source region, rank in another region) at
 * proxyPort(topology, plan, src, dst), forwarding to that rank's listen address; the sites are the
 * region indices, or `sites[region]` (a world of some of a larger world's ranks keeps the larger
 * world's links, their faults and their token buckets).
 */
export function worldRoutes(topology: Topology, plan: AddressPlan, listenHost: string, sourceRegions?: readonly number[], sites?: readonly number[]): EmulatedRoute[] {
  const site = (region: number) => sites?.[region] ?? region;
  const routes: EmulatedRoute[] = [];
  for (const region of topology.regions) {
    if (sourceRegions && !sourceRegions.includes(region.index)) continue;
    for (let dst = 0; dst < topology.size; dst++) {
      const dstRegion = topology.regionOf(dst).index;
      if (dstRegion === region.index) continue;
      routes.push({
        listenHost, listenPort: proxyPort(topology, plan, region.index, dst),
        targetHost: hostOf(topology, plan, dst), targetPort: listenPort(plan, dst),
        src: site(region.index), dst: site(dstRegion),
      });
    }
  }
  return routes;
}

/** The userspace emulator between a world's regions, with each pair's profile from the distance model (or `profiles`). */
export function startWorldEmulator(options: WorldEmulatorOptions): Promise<Emulator> {
  const { topology, plan } = options;
  const profile = options.profiles ?? linkProfilesFor(topology, { rateMbit: options.rateMbit }).profile;
  const listenHost = options.listenHost ?? plan.emulatorHost ?? "127.0.0.1";
  return startEmulator({
    routes: worldRoutes(topology, plan, listenHost, options.sourceRegions), profile,
    windowBytes: options.windowBytes, queueMs: options.queueMs, tcp: options.tcp,
  });
}
