/**
 * The WAN bandwidth at which a strategy reaches a target efficiency: the least bandwidth on a log
 * scale where it gets there. Efficiency mostly grows with bandwidth, but not always: with slow start
 * after idle a connection climbs back from 10 segments to a window that grows with the bandwidth
 * (log2 of it in round trips), so past some rate more bandwidth costs a little more time. A coarse
 * scan from below finds the first bandwidth that reaches the target, and bisection pins the edge
 * between it and the scan point before. Null when no bandwidth in the range gets there (latency or
 * compute bound).
 */
export const SOLVE_RANGE_GBIT = [1e-4, 1e9] as const;
/** Scan points per decade: four is a factor of 1.78 between neighbours. */
const SCAN_PER_DECADE = 4;
/** Steps of bisection inside one scan interval (ln 1.78 / 2^24 ≈ 3e-8 relative). */
const STEPS = 24;

export function bandwidthFor(target: number, efficiencyAt: (gbit: number) => number): number | null {
  const [lo, hi] = SOLVE_RANGE_GBIT.map(Math.log);
  const step = Math.LN10 / SCAN_PER_DECADE;
  const points = Math.ceil((hi - lo) / step);
  if (efficiencyAt(Math.exp(lo)) >= target) return Math.exp(lo);
  for (let i = 1; i <= points; i++) {
    let up = Math.min(hi, lo + i * step);
    if (efficiencyAt(Math.exp(up)) < target) continue;
    let down = lo + (i - 1) * step;
    for (let k = 0; k < STEPS; k++) {
      const mid = (down + up) / 2;
      if (efficiencyAt(Math.exp(mid)) >= target) up = mid;
      else down = mid;
    }
    return Math.exp(up);
  }
  return null;
}
