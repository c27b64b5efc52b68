import { validateProfile, type LinkProfile } from "../profile.js";

/** Formatting of a LinkProfile as netem's option words (pure; exact strings are tested). */

export const MTU_BYTES = 1500;
/** Line rate assumed for an unshaped link when sizing the queue (a 10 Gbit/s NIC). */
export const UNSHAPED_LINE_MBIT = 10_000;
/** netem's own default limit; never go below it. */
export const NETEM_DEFAULT_LIMIT = 1000;

function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

export function formatTime(ms: number): string {
  return `${trim(ms, 3)}ms`;
}

export function formatRate(mbit: number): string {
  if (mbit >= 1000 && Number.isInteger(mbit / 1000)) return `${mbit / 1000}gbit`;
  if (Number.isInteger(mbit)) return `${mbit}mbit`;
  return `${Math.round(mbit * 1000)}kbit`;
}

export function formatPercent(pct: number): string {
  return `${trim(pct, 6)}%`;
}

/**
 * Queue limit in packets from the bandwidth-delay product: netem keeps every packet of the delay
 * window (and the rate backlog) in its queue, so at WAN delays the default 1000 packets drops
 * silently (1 Gbit/s × 67 ms ≈ 5,600 full packets). Twice the BDP leaves room for the rate queue
 * and jitter; never below netem's default.
 */
export function bdpLimitPackets(profile: LinkProfile): number {
  const mbit = profile.rateMbit ?? UNSHAPED_LINE_MBIT;
  const windowMs = profile.delayMs + 2 * (profile.jitterMs ?? 0);
  const bdpPackets = (mbit * 1e6 / 8) * (windowMs / 1000) / MTU_BYTES;
  return Math.max(NETEM_DEFAULT_LIMIT, Math.ceil(2 * bdpPackets));
}

/** `netem limit N delay D [J [distribution X]] [loss …] [rate R]` as argv words. */
export function netemArgs(profile: LinkProfile): string[] {
  const p = validateProfile(profile);
  const args = ["netem", "limit", String(p.limit ?? bdpLimitPackets(p))];
  if (p.delayMs > 0 || (p.jitterMs ?? 0) > 0) {
    args.push("delay", formatTime(p.delayMs));
    if ((p.jitterMs ?? 0) > 0) {
      args.push(formatTime(p.jitterMs ?? 0));
      // netem's default jitter is uniform, and there is no uniform.dist table to name.
      if (p.distribution && p.distribution !== "uniform") args.push("distribution", p.distribution);
    }
  }
  if (p.lossPct !== undefined && p.lossPct > 0) args.push("loss", "random", formatPercent(p.lossPct));
  const ge = p.gilbertElliott;
  if (ge) {
    args.push("loss", "gemodel", formatPercent(ge.p), formatPercent(ge.r));
    args.push(formatPercent(ge.lossBadPct ?? 100), formatPercent(ge.lossGoodPct ?? 0));
  }
  if (p.rateMbit !== undefined) args.push("rate", formatRate(p.rateMbit));
  return args;
}
