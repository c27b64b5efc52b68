import { badValue } from "../world/netem-error.js";

/** netem's delay distributions; the emulator samples uniform, normal and pareto(normal) the same way. */
export type DelayDistribution = "uniform" | "normal" | "pareto" | "paretonormal";
export const DISTRIBUTIONS: readonly DelayDistribution[] = ["uniform", "normal", "pareto", "paretonormal"];

/**
 * Gilbert-Elliott burst loss (netem `loss gemodel p r 1-h 1-k`, all in percent): p = good→bad,
 * r = bad→good, lossBadPct = loss in the bad state (netem 1-h), lossGoodPct = loss in the good state (1-k).
 */
export interface GilbertElliott {
  readonly p: number;
  readonly r: number;
  readonly lossBadPct?: number;
  readonly lossGoodPct?: number;
}

/** One direction of a link, as netem shapes it. Delays are one way. */
export interface LinkProfile {
  readonly delayMs: number;
  readonly jitterMs?: number;
  readonly distribution?: DelayDistribution;
  /** Independent random loss in percent. */
  readonly lossPct?: number;
  /** Burst loss instead of random loss. */
  readonly gilbertElliott?: GilbertElliott;
  /** Bottleneck rate in Mbit/s; undefined = unshaped. */
  readonly rateMbit?: number;
  /** netem queue limit in packets; undefined = sized from the bandwidth-delay product. */
  readonly limit?: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw badValue(message);
}

function finite(value: number | undefined): boolean {
  return value === undefined || Number.isFinite(value);
}

function percent(value: number | undefined, name: string): void {
  check(finite(value) && (value === undefined || (value >= 0 && value <= 100)), `${name} ${value}% is outside 0..100%`);
}

/** Throws NetemError INVALID_ARGUMENT naming the first bad value; returns the profile unchanged. */
export function validateProfile(profile: LinkProfile): LinkProfile {
  const { delayMs, jitterMs, distribution, lossPct, gilbertElliott: ge, rateMbit, limit } = profile;
  check(Number.isFinite(delayMs) && delayMs >= 0, `delay ${delayMs} ms is invalid: one-way delay must be a number >= 0 ms`);
  check(finite(jitterMs) && (jitterMs ?? 0) >= 0, `jitter ${jitterMs} ms is invalid: jitter must be >= 0 ms`);
  check((jitterMs ?? 0) <= delayMs || delayMs === 0, `jitter ${jitterMs} ms exceeds the delay ${delayMs} ms; keep jitter <= delay`);
  check(distribution === undefined || DISTRIBUTIONS.includes(distribution),
    `distribution "${distribution}" is unknown; use one of ${DISTRIBUTIONS.join(", ")}`);
  percent(lossPct, "loss");
  check(lossPct === undefined || ge === undefined, "give either lossPct or gilbertElliott, not both");
  if (ge) {
    percent(ge.p, "gilbert-elliott p");
    percent(ge.r, "gilbert-elliott r");
    percent(ge.lossBadPct, "gilbert-elliott bad-state loss");
    percent(ge.lossGoodPct, "gilbert-elliott good-state loss");
  }
  check(rateMbit === undefined || (Number.isFinite(rateMbit) && rateMbit > 0), `rate ${rateMbit} Mbit/s is invalid: rate must be > 0`);
  check(limit === undefined || (Number.isInteger(limit) && limit > 0), `limit ${limit} is invalid: queue limit must be a whole number of packets > 0`);
  return profile;
}

/** Round-trip time of a link whose two directions have these profiles (no queueing, no serialization). */
export function roundTripMs(forward: LinkProfile, reverse: LinkProfile = forward): number {
  return forward.delayMs + reverse.delayMs;
}
