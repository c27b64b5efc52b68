import type { Topology } from "../world/topology.js";
import { fromDistance, type DistanceOptions } from "./distance.js";
import type { LinkProfile } from "./profile.js";
import { distanceKm } from "./regions.js";

/** The profile of the link from built-in region A to region B (symmetric: distance-based). */
export function profileBetween(regionA: string, regionB: string, options: DistanceOptions = {}): LinkProfile {
  return fromDistance(regionA === regionB ? 0 : distanceKm(regionA, regionB), regionA === regionB ? { ...options, overheadMs: 0 } : options);
}

/** Link matrix of a topology, indexed by region index: what the emulator shapes and the cost model reads. */
export interface LinkMatrix {
  readonly regions: readonly string[];
  /** Great-circle km between region i and j (0 on the diagonal). */
  readonly km: readonly (readonly number[])[];
  /** profiles[src][dst]: one-way profile from region src to region dst; the diagonal is a zero-delay link. */
  readonly profiles: readonly (readonly LinkProfile[])[];
  profile(srcRegion: number, dstRegion: number): LinkProfile;
}

/** Profiles for every (srcRegion, dstRegion) of `topology`, from the regions' distances. */
export function linkProfilesFor(topology: Topology, options: DistanceOptions = {}): LinkMatrix {
  const regions = topology.regions.map((r) => r.name);
  const km = regions.map((a) => regions.map((b) => (a === b ? 0 : distanceKm(a, b))));
  const local: LinkProfile = { delayMs: 0 };
  const profiles = regions.map((a, i) => regions.map((b, j) => (i === j ? local : profileBetween(a, b, options))));
  return { regions, km, profiles, profile: (src, dst) => profiles[src][dst] };
}
