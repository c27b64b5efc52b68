import type { LinkProfile } from "../profile.js";
import type { LinkImpairment } from "../emulator/impairment.js";
import { destinationLeafCommand, type Command } from "./builder.js";
import { netemArgs } from "./netem-args.js";

/**
 * A fault schedule's link faults on the real path, as commands on a per-destination tree
 * (perDestinationCommands): a loss, rate or delay fault changes the destination's netem leaf in
 * place; `down` and `partition` swap the leaf for a FIFO of length zero, which drops every packet
 * (a black hole that needs no tc action module, which some kernels lack: the u32 `action drop`
 * of a drop filter is refused there); lifting puts the netem leaf back. A partition also resets the
 * open connections to the destination (`ss -K`), as the userspace emulator does.
 */

/** The profile a link has while `impairment` lasts: its loss or Gilbert-Elliott model and its rate replace the profile's, its delay adds. */
export function impairedProfile(base: LinkProfile, impairment: LinkImpairment | undefined): LinkProfile {
  if (!impairment) return base;
  let profile: LinkProfile = { ...base };
  if (impairment.gilbertElliott) profile = { ...profile, lossPct: undefined, gilbertElliott: impairment.gilbertElliott };
  else if (impairment.lossPct !== undefined) profile = { ...profile, lossPct: impairment.lossPct, gilbertElliott: undefined };
  if (impairment.rateMbit !== undefined) profile = { ...profile, rateMbit: impairment.rateMbit };
  if (impairment.extraDelayMs !== undefined) profile = { ...profile, delayMs: base.delayMs + impairment.extraDelayMs };
  return profile;
}

/** Every packet to the `index`-th destination dropped: its leaf becomes a zero-length FIFO. */
export function blackHoleCommands(dev: string, index: number): Command[] {
  return [destinationLeafCommand(dev, index, ["pfifo", "limit", "0"])];
}

/** The `index`-th destination's netem leaf with `profile` (after a black hole, or to change it in place). */
export function leafCommands(dev: string, index: number, profile: LinkProfile): Command[] {
  return [destinationLeafCommand(dev, index, netemArgs(profile))];
}

/** Resets (RST) every open TCP connection to `ip` on this host (needs CONFIG_INET_DIAG_DESTROY). */
export function resetConnectionsCommand(ip: string): Command {
  return ["ss", "-K", "dst", ip];
}

/** What laying `now` (after `before`) on a destination's link runs. */
export function impairmentCommands(dev: string, index: number, ip: string, base: LinkProfile, before: LinkImpairment | undefined, now: LinkImpairment | undefined): Command[] {
  if (now?.down || now?.partition) {
    const reset = now.partition && !before?.partition ? [resetConnectionsCommand(ip)] : [];
    return [...blackHoleCommands(dev, index), ...reset];
  }
  return leafCommands(dev, index, impairedProfile(base, now));
}
