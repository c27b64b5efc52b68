/**
 * Gradient sync overlapped with the backward pass, bucketed per layer as PyTorch DDP and
 * Megatron/NeMo do: bucket i is ready at window·i/buckets and goes through the sync's phases (one
 * resource each: intra-site reduce-scatter, the WAN, intra-site all-gather) in order, each phase
 * FIFO. A phase holds its resource only for its busy part (its bottleneck's bytes / rate and its
 * reductions, Cost.phaseBusy); its latency is pipeline flight time, which the next bucket's same
 * phase overlaps, as the segments of one ring do — so bucketing does not multiply a WAN's round
 * trips (over 24 buckets a 128 ms ring used to cost 24 round trips of exposed time, more than the
 * whole unbucketed sync). What is exposed is how far the last bucket's sync ends after the
 * backward pass: one bucket's sync when the link keeps up, the backlog when it does not.
 */
export function exposedWithOverlap(bucketPhases: readonly number[], buckets: number, windowS: number, phaseBusy: readonly number[] = bucketPhases, firstBucketExtra: readonly number[] = []): number {
  const free = bucketPhases.map(() => 0);
  let done = 0;
  for (let i = 1; i <= buckets; i++) {
    let t = (windowS * i) / buckets;
    for (let p = 0; p < bucketPhases.length; p++) {
      const extra = i === 1 ? (firstBucketExtra[p] ?? 0) : 0;
      const start = Math.max(t, free[p]);
      free[p] = start + Math.min(phaseBusy[p], bucketPhases[p]) + extra;
      t = start + bucketPhases[p] + extra;
    }
    done = t;
  }
  return Math.max(0, done - windowS);
}
