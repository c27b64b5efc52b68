/**
 * Bucketed gradient sync, as PyTorch DDP does it: variables grouped into buckets of about
 * bucketBytes (DDP's 25 MiB by default), each bucket's all-reduce started as soon as all its
 * gradients are in and awaited only before the optimizer applies them. Steps with sync off add
 * their gradients into the buckets instead (gradient accumulation); the next synced step sends the sum.
 *
 * Several all-reduces are in flight at once on one Communicator. That is safe because the
 * Communicator takes each op's sequence number when it is issued and runs ops in issue order: every
 * rank must issue them in the same order, so buckets start strictly in bucket order (bucket 0 first,
 * then 1, …), whatever order the gradients arrive in.
 */
import type { CompressOptions } from "../collectives/compression/types.js";
import type { Communicator } from "../collectives/types.js";
import { invalidArgument } from "../world/comm-error.js";

export const DEFAULT_BUCKET_BYTES = 25 * 2 ** 20;

export interface BucketOptions {
  /** Bytes per bucket (default 25 MiB); a variable larger than this is a bucket alone. */
  bucketBytes?: number;
  /** Each bucket keeps its own error-feedback residual: key `bucket-<i>` (or `<compress.key>-bucket-<i>`). */
  compress?: CompressOptions;
  timeoutMs?: number;
}

/**
 * Variable indices per bucket: from the last variable back (backward produces the last layer's
 * gradient first, as DDP assumes), each bucket filled up to bucketBytes of float32.
 */
export function assignBuckets(sizes: readonly number[], bucketBytes = DEFAULT_BUCKET_BYTES): number[][] {
  if (!(Number.isSafeInteger(bucketBytes) && bucketBytes >= 4)) throw invalidArgument(`bucketBytes must be a whole number of bytes >= 4 (got ${bucketBytes}); DDP's default is 25 MiB`, "DistributedOptimizer");
  const buckets: number[][] = [];
  let bytes = Infinity;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if (bytes + sizes[i] * 4 > bucketBytes && bytes > 0) buckets.push([]), (bytes = 0);
    buckets[buckets.length - 1].push(i);
    bytes += sizes[i] * 4;
  }
  return buckets;
}

interface Bucket {
  data: Float32Array;
  /** Where each of its variables starts in `data`. */
  offsets: Map<number, number>;
  filled: number;
  pending?: Promise<unknown>;
}

export class GradientBuckets {
  private readonly buckets: Bucket[];
  private readonly bucketOf: number[] = [];
  private readonly seen: boolean[];
  private started = 0;
  private sync = true;
  /** The buffers hold gradients of earlier steps with sync off: add to them instead of replacing. */
  private accumulating = false;

  constructor(
    private readonly comm: Communicator,
    private readonly sizes: readonly number[],
    private readonly options: BucketOptions = {},
  ) {
    this.buckets = assignBuckets(sizes, options.bucketBytes).map((vars, b) => {
      const offsets = new Map<number, number>();
      let at = 0;
      for (const v of vars) offsets.set(v, at), (at += sizes[v]), (this.bucketOf[v] = b);
      return { data: new Float32Array(at), offsets, filled: 0 };
    });
    this.seen = sizes.map(() => false);
  }

  get count(): number {
    return this.buckets.length;
  }

  /** Starts a step: with sync false its gradients are only accumulated. */
  begin(sync: boolean): void {
    this.sync = sync;
    this.started = 0;
    this.seen.fill(false);
    for (const b of this.buckets) (b.filled = 0), (b.pending = undefined);
  }

  /** Variable i's gradient is ready: copied (or added) into its bucket; complete buckets start in bucket order. */
  add(i: number, grad: ArrayLike<number>): void {
    if (this.seen[i]) throw invalidArgument(`gradient of variable ${i} given twice in one step; call begin() before each step`, "DistributedOptimizer");
    if (grad.length !== this.sizes[i]) throw invalidArgument(`gradient of variable ${i} has ${grad.length} elements, the variable ${this.sizes[i]}; pass the same variable list every step`, "DistributedOptimizer");
    this.seen[i] = true;
    const bucket = this.buckets[this.bucketOf[i]];
    const view = bucket.data.subarray(bucket.offsets.get(i)!, bucket.offsets.get(i)! + grad.length);
    if (this.accumulating) for (let k = 0; k < view.length; k++) view[k] += grad[k];
    else view.set(grad);
    bucket.filled++;
    if (this.sync) this.startReady();
  }

  /**
   * Waits for every bucket's all-reduce (a step with sync off: only records that the buffers now
   * hold a partial sum) and returns each variable's averaged gradient, as views that the next step overwrites.
   */
  async wait(): Promise<Float32Array[]> {
    const missing = this.seen.findIndex((s) => !s);
    if (missing >= 0) throw invalidArgument(`gradient of variable ${missing} was not given this step; add every variable's gradient before wait()`, "DistributedOptimizer");
    if (!this.sync) {
      this.accumulating = true;
      return [];
    }
    await Promise.all(this.buckets.map((b) => b.pending));
    this.accumulating = false;
    return this.sizes.map((n, i) => {
      const bucket = this.buckets[this.bucketOf[i]];
      return bucket.data.subarray(bucket.offsets.get(i)!, bucket.offsets.get(i)! + n);
    });
  }

  private startReady(): void {
    while (this.started < this.buckets.length && this.buckets[this.started].filled === this.buckets[this.started].offsets.size) {
      const b = this.started++;
      const bucket = this.buckets[b];
      const compress = this.options.compress && { ...this.options.compress, key: this.options.compress.key ? `${this.options.compress.key}-bucket-${b}` : `bucket-${b}` };
      bucket.pending = this.comm.allReduce(bucket.data, { op: "avg", compress, timeoutMs: this.options.timeoutMs });
      bucket.pending.catch(() => undefined); // surfaced by wait(); not an unhandled rejection before it
    }
  }
}
