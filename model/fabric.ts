/**
 * A world seen by the closed forms: sites (a region of the bench, a data center of the planner), the
 * ranks in each, and α/β per level. A "rank" is whatever takes part in the all-reduce: one process
 * in the bench, one data-parallel replica (tensor × pipeline GPUs, their NICs together) in the planner.
 */
export interface Fabric {
  /** Ranks per site, in ring order (ranks are numbered site by site, as the topology does). */
  readonly ranksPerSite: readonly number[];
  /** One-way latency between two ranks of one site, s. */
  readonly localAlphaS: number;
  /** Bytes/s one rank moves to another of its site, each direction (Infinity: free). */
  readonly localBytesPerS: number;
  /** wanAlphaS[i][j]: one-way latency from site i to site j, s. */
  readonly wanAlphaS: readonly (readonly number[])[];
  /** wanBytesPerS[i][j]: bytes/s of the i → j bottleneck, shared by every flow between the two sites. */
  readonly wanBytesPerS: readonly (readonly number[])[];
  /**
   * "mesh": every site pair has its own link (the hierarchical all-reduce exchanges directly);
   * "loop": the sites sit in ring order on one fiber loop and only neighbours are linked (Epoch's
   * shape), so the inter-site step is a bidirectional ring.
   */
  readonly wanShape: "mesh" | "loop";
  /** Seconds per byte reduced. */
  readonly gammaS: number;
  /** Pipeline segment: the unit a ring or tree forwards before the next hop starts, bytes. */
  readonly segmentBytes: number;
}

/** The cost of one all-reduce on a fabric. */
export interface Cost {
  /** Whole call, s. */
  readonly seconds: number;
  /** Sequential phases on separate resources (hierarchical: intra-site RS, inter-site, intra-site AG); they sum to `seconds`. */
  readonly phases: readonly number[];
  /** Bytes on the busiest directed WAN link (0 without one). */
  readonly wanBytes: number;
  /**
   * How long each phase keeps its resource busy (its bottleneck's bytes / rate, and reductions);
   * the rest of the phase is latency, which the next bucket's same phase may overlap. Absent: the
   * whole phase.
   */
  readonly phaseBusy?: readonly number[];
}

export const NO_COST: Cost = { seconds: 0, phases: [0], wanBytes: 0 };

export function totalRanks(fabric: Fabric): number {
  return fabric.ranksPerSite.reduce((a, b) => a + b, 0);
}

/** Transfer time of `bytes` at `rate` bytes/s (0 when the link is free, Infinity when it has no bandwidth). */
export function transfer(bytes: number, rate: number): number {
  return bytes === 0 ? 0 : bytes / rate;
}
