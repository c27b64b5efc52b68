/**
 * Gradient sync overlapped with the backward pass, bucketed per layer as PyTorch DDP and
 * Megatron/NeMo do: bucket i is ready at window·i/buckets and goes through the sync's phases (one
 * resource each: intra-site reduce-scatter, the WAN, intra-site all-gather) in order, each phase
 * FIFO. What is exposed is how far the last bucket's sync ends after the backward pass: one
 * bucket's sync when the link keeps up, the backlog when it does not.
 */
export function exposedWithOverlap(bucketPhases: readonly number[], buckets: number, windowS: number): number {
  const free = bucketPhases.map(() => 0);
  let done = 0;
  for (let i = 1; i <= buckets; i++) {
    let t = (windowS * i) / buckets;
    for (let p = 0; p < bucketPhases.length; p++) {
      t = Math.max(t, free[p]) + bucketPhases[p];
      free[p] = t;
    }
    done = t;
  }
  return Math.max(0, done - windowS);
}
