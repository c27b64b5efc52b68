import type { GilbertElliott } from "../profile.js";

/**
 * A fault laid over one directed link of the emulator for a while (a fault schedule's link entry,
 * netem/faults/). Several may be active on one link at once; `mergeImpairments` combines them.
 */
export interface LinkImpairment {
  /** Black hole: open connections stay open and nothing is delivered until it ends; TCP retransmits on its backoff clock meanwhile. */
  readonly down?: boolean;
  /** Connections crossing the link are reset when it starts, and new ones are refused while it lasts. */
  readonly partition?: boolean;
  /** Random segment loss in percent, in place of the profile's loss. */
  readonly lossPct?: number;
  /** Burst loss in place of the profile's loss. */
  readonly gilbertElliott?: GilbertElliott;
  /** Bottleneck rate in Mbit/s, in place of the profile's rate. */
  readonly rateMbit?: number;
  /** Added to the one-way delay. */
  readonly extraDelayMs?: number;
}

/** The combined effect of impairments active at once: any down or partition wins, the lowest rate, the worst loss, delays add up. */
export function mergeImpairments(list: Iterable<LinkImpairment>): LinkImpairment | undefined {
  let merged: { -readonly [K in keyof LinkImpairment]: LinkImpairment[K] } | undefined;
  for (const item of list) {
    merged ??= {};
    if (item.down) merged.down = true;
    if (item.partition) merged.partition = true;
    if (item.rateMbit !== undefined) merged.rateMbit = Math.min(merged.rateMbit ?? Infinity, item.rateMbit);
    if (item.extraDelayMs !== undefined) merged.extraDelayMs = (merged.extraDelayMs ?? 0) + item.extraDelayMs;
    if (item.gilbertElliott !== undefined) {
      merged.gilbertElliott = item.gilbertElliott;
      merged.lossPct = undefined;
    } else if (item.lossPct !== undefined && merged.gilbertElliott === undefined) {
      merged.lossPct = Math.max(merged.lossPct ?? 0, item.lossPct);
    }
  }
  return merged;
}
