/**
 * Where a step's all-reduces spend their time, per bucket (`longhaul bench overlap`): a
 * Communicator runs its ops one after another in issue order, so a bucket waits behind the one
 * before it (queued), then runs; while it runs the rank either works on its CPU (copies,
 * reductions, the sockets' system calls) or waits (for the link, or for peers that wait for theirs,
 * or for a core the machine's other processes hold). Times are ms from the step's start.
 */
import { cpuUsage } from "node:process";

export interface BucketTiming {
  /** Layer whose gradient this bucket carries (-1: the whole gradient in one op). */
  layer: number;
  issuedMs: number;
  /** Behind the buckets issued before it. */
  queuedMs: number;
  /** From its start to its end. */
  runMs: number;
  /** The rank's CPU time while it ran (all its threads). */
  cpuMs: number;
  doneMs: number;
}

const cpuMsNow = (): number => {
  const u = cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Times the ops of one step; `track` them in the order they are issued. */
export class BucketClock {
  readonly buckets: BucketTiming[] = [];
  private readonly start = performance.now();
  private lastEndMs = 0;
  private cpuAtLastEnd = cpuMsNow();

  track<T>(layer: number, op: Promise<T>): Promise<T> {
    const issuedMs = performance.now() - this.start;
    const cpuAtIssue = cpuMsNow();
    return op.then((value) => {
      const doneMs = performance.now() - this.start;
      const cpu = cpuMsNow();
      // It started when it was issued, or when the op before it ended if that was later.
      const startedMs = Math.max(issuedMs, this.lastEndMs);
      const cpuAtStart = issuedMs >= this.lastEndMs ? cpuAtIssue : this.cpuAtLastEnd;
      this.buckets.push({ layer, issuedMs, queuedMs: startedMs - issuedMs, runMs: doneMs - startedMs, cpuMs: cpu - cpuAtStart, doneMs });
      this.lastEndMs = doneMs;
      this.cpuAtLastEnd = cpu;
      return value;
    });
  }
}

/** The mean of each bucket's timings over steps (buckets matched by their place in the step). */
export function meanBuckets(steps: readonly (readonly BucketTiming[])[]): BucketTiming[] {
  if (steps.length === 0) return [];
  const keys = ["issuedMs", "queuedMs", "runMs", "cpuMs", "doneMs"] as const;
  return steps[0].map((first, i) => {
    const mean = { ...first };
    for (const key of keys) mean[key] = steps.reduce((sum, s) => sum + (s[i]?.[key] ?? 0), 0) / steps.length;
    return mean;
  });
}
