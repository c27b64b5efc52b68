/**
 * The sizes and shapes the all-reduce algorithms cut buffers into, in one place for the code that
 * runs them (collectives/) and the cost model that replays or counts them (cost-schedules.ts,
 * closed-form.ts): a threshold written twice drifts.
 */
import type { Region } from "../world/topology.js";

/** At or below this many bytes, recursive doubling of the whole buffer beats halving it (fewer steps). */
export const HALVING_DOUBLING_SHORT_BYTES = 16 * 1024;

export function largestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** At or below this many bytes the hierarchical all-reduce uses the two-hop exchange (one WAN latency). */
export const HIERARCHICAL_EXCHANGE_MAX_BYTES = 64 * 1024;
/** Large buffers are cut into chunks of about this size, all in flight together (so intra-region steps overlap WAN transfers). */
export const HIERARCHICAL_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNKS = 32;

/** Number of stripes: the largest region's rank count. */
export function stripeCount(regions: readonly Region[]): number {
  return Math.max(...regions.map((r) => r.ranks.length));
}

/** The rank of `region` that owns stripe `k`. */
export function stripeOwner(region: Region, k: number): number {
  return region.ranks[k % region.ranks.length];
}

export function chunkCount(bytes: number): number {
  return Math.min(MAX_CHUNKS, Math.max(1, Math.ceil(bytes / HIERARCHICAL_CHUNK_BYTES)));
}
