/**
 * Staging memory for arrays that do not lie in shared memory: a pool of SharedArrayBuffers reused
 * across ops, so repeated sizes (a trainer's buckets, a bench's iterations) allocate once. Each op
 * in flight holds its own buffer until its result has been copied out.
 */
const ALIGN = 64;
/** Idle buffers kept for reuse; beyond this the least recently released one is dropped. */
const MAX_IDLE = 32;

export class StagingPool {
  private idle: SharedArrayBuffer[] = [];
  /** Buffers created so far (for tests: repeated sizes must not add any). */
  allocations = 0;

  /** A buffer of at least `bytes`, reusing an idle one no more than twice that size. */
  acquire(bytes: number): SharedArrayBuffer {
    const want = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const size = this.idle[i].byteLength;
      if (size >= want && size <= 2 * want && (best < 0 || size < this.idle[best].byteLength)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0];
    this.allocations++;
    return new SharedArrayBuffer(want);
  }

  release(buffer: SharedArrayBuffer): void {
    this.idle.push(buffer);
    if (this.idle.length > MAX_IDLE) this.idle.shift();
  }
}
