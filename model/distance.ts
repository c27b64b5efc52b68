import { badValue } from "../world/netem-error.js";
import { validateProfile, type DelayDistribution, type LinkProfile } from "./profile.js";

/** Light in fiber (refractive index ~1.47): ~4.9 µs per km, one way. */
export const FIBER_MS_PER_KM = 0.0049;

/**
 * Default route inflation: real fiber paths are longer than the great circle (published cloud
 * inter-region tables show 1.2–2.5×). Calibrated by least squares against netem/data/rtt-reference.csv
 * (Azure's published P95 inter-region RTTs, MicrosoftDocs/azure-docs azure-network-latency.md) with
 * the model rtt = 2·(km·4.9 µs·f + overhead): f = 1.6 with a 4 ms one-way overhead fits the eight pairs
 * with a median absolute error of ~12% (983 km Virginia–Chicago: model 23.4 ms vs 24 ms measured;
 * 8,006 km Texas–São Paulo: 133.5 ms vs 142 ms). Short pairs sit above the physics line (routers,
 * last mile, P95 queueing), which is what the fixed overhead stands for.
 */
export const DEFAULT_ROUTE_INFLATION = 1.6;
/** One-way fixed overhead in ms (switching, metro segments, queueing at P95). */
export const DEFAULT_OVERHEAD_MS = 4;

export interface DistanceOptions {
  /** Route length / great-circle length (default DEFAULT_ROUTE_INFLATION). */
  readonly inflation?: number;
  /** One-way fixed overhead in ms (default DEFAULT_OVERHEAD_MS). */
  readonly overheadMs?: number;
  readonly rateMbit?: number;
  readonly jitterMs?: number;
  readonly distribution?: DelayDistribution;
  readonly lossPct?: number;
  readonly limit?: number;
}

/** The one-way link profile of `km` of fiber route. */
export function fromDistance(km: number, options: DistanceOptions = {}): LinkProfile {
  const inflation = options.inflation ?? DEFAULT_ROUTE_INFLATION;
  const overheadMs = options.overheadMs ?? DEFAULT_OVERHEAD_MS;
  if (!Number.isFinite(km) || km < 0) throw badValue(`distance ${km} km is invalid: give a distance >= 0 km`);
  if (!Number.isFinite(inflation) || inflation < 1) throw badValue(`route inflation ${inflation} is invalid: a route is at least the great circle (>= 1)`);
  if (!Number.isFinite(overheadMs) || overheadMs < 0) throw badValue(`overhead ${overheadMs} ms is invalid: give >= 0 ms`);
  const delayMs = Math.round((km * FIBER_MS_PER_KM * inflation + overheadMs) * 1000) / 1000;
  return validateProfile({
    delayMs,
    ...(options.jitterMs !== undefined && { jitterMs: options.jitterMs }),
    ...(options.distribution !== undefined && { distribution: options.distribution }),
    ...(options.lossPct !== undefined && { lossPct: options.lossPct }),
    ...(options.rateMbit !== undefined && { rateMbit: options.rateMbit }),
    ...(options.limit !== undefined && { limit: options.limit }),
  });
}
