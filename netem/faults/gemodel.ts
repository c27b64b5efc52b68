import type { GilbertElliott } from "../../model/profile.js";

/**
 * Burst loss with a given mean, as netem's `loss gemodel p r 1-h 1-k`: every segment in the bad
 * state is lost (1-h = 100%), none in the good state (1-k = 0%), and the bad state is left with
 * r = 25% per segment, so bursts average 1/r = 4 segments (a few back-to-back drops, as a congested
 * or flapping path gives; netem's own gemodel example uses r 25% too). The chain spends
 * p / (p + r) of the time in the bad state, so p = r · L / (1 − L) gives mean loss L:
 * 1% → p = 0.2525%. Means above 80% would need p above 100%.
 */
export const GEMODEL_R_PCT = 25;
export const GEMODEL_MAX_MEAN_PCT = 80;

export function gemodelForMeanLoss(meanPct: number): GilbertElliott {
  if (!(meanPct > 0 && meanPct <= GEMODEL_MAX_MEAN_PCT)) throw new RangeError(`gemodel mean loss must be above 0% and at most ${GEMODEL_MAX_MEAN_PCT}% (got ${meanPct}%)`);
  const mean = meanPct / 100;
  const p = (GEMODEL_R_PCT * mean) / (1 - mean);
  return { p: Number(p.toPrecision(6)), r: GEMODEL_R_PCT, lossBadPct: 100, lossGoodPct: 0 };
}

/** Long-run loss of a Gilbert-Elliott chain (percent). */
export function gemodelMeanLoss(ge: GilbertElliott): number {
  const bad = ge.p / (ge.p + ge.r);
  return bad * (ge.lossBadPct ?? 100) + (1 - bad) * (ge.lossGoodPct ?? 0);
}
