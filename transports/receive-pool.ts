import { Slab } from "./slab.js";

/** Messages from this size on are recycled; smaller ones are carved from a slab. */
const POOLED_MIN_BYTES = 64 * 1024;

/** Buffers kept per size: a ring's segments come in one or two sizes, a few in flight at once. */
const KEPT_PER_SIZE = 4;

/**
 * Receive buffers handed back after a `recvWith` consumer returned, reused for the next message of
 * the same size. Every fresh ArrayBuffer counts as V8 external memory, and each ~64 MB of it
 * costs a full mark-compact: a 64 MiB ring over fresh buffers spends a sixth of its time in GC.
 */
export class ReceivePool {
  private readonly free = new Map<number, Uint8Array[]>();
  /** Buffers this pool handed out (only those may come back). */
  private readonly ours = new WeakSet<ArrayBufferLike>();

  private readonly small = new Slab();

  take(bytes: number): Uint8Array {
    if (bytes < POOLED_MIN_BYTES) return this.small.take(bytes);
    const reused = this.free.get(bytes)?.pop();
    if (reused) return reused;
    const fresh = new Uint8Array(bytes);
    this.ours.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a buffer whose bytes nobody reads any more. */
  release(bytes: Uint8Array): void {
    if (!this.ours.has(bytes.buffer) || bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) return;
    let list = this.free.get(bytes.byteLength);
    if (!list) this.free.set(bytes.byteLength, (list = []));
    if (list.length < KEPT_PER_SIZE && !list.includes(bytes)) list.push(bytes);
  }

  clear(): void {
    this.free.clear();
  }
}
