/**
 * The WAN bandwidth at which a strategy reaches a target efficiency, by bisection on a log scale:
 * efficiency only grows with bandwidth, so the answer is the edge between "below" and "at or
 * above". Null when even a practically unlimited WAN does not get there (latency or compute bound).
 */
export const SOLVE_RANGE_GBIT = [1e-4, 1e9] as const;
/** Steps of bisection: the range spans 30 e-folds; 24 halvings of the log pin the answer to 2e-6 relative. */
const STEPS = 24;

export function bandwidthFor(target: number, efficiencyAt: (gbit: number) => number): number | null {
  let [lo, hi] = SOLVE_RANGE_GBIT.map(Math.log);
  if (efficiencyAt(Math.exp(hi)) < target) return null;
  if (efficiencyAt(Math.exp(lo)) >= target) return Math.exp(lo);
  for (let i = 0; i < STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (efficiencyAt(Math.exp(mid)) >= target) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}
