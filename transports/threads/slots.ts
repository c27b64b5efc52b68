/**
 * Reused buffers and flow control for one direction of a thread link. The sender copies a payload
 * into one of a few pooled ArrayBuffers and transfers it (postMessage moves the backing store, no
 * copy); the receiver reads it in place and transfers it back when done. Compared with a fresh
 * ArrayBuffer per message this saves the page faults and unmapping of new 1 MiB allocations (as
 * much system time as the copy itself), and unlike a SharedArrayBuffer the copies stay plain memcpy
 * (V8 copies into and out of shared memory with slower relaxed-atomic loops).
 *
 * At most SLOT_COUNT pooled buffers are in flight per link; further sends wait, in order per tag,
 * until the receiver hands one back (backpressure instead of allocating), so the pool never churns. Only
 * payloads of POOL_MIN_BYTES..SLOT_BYTES are pooled; others are copied into a fresh buffer at once.
 */
import { parseCount } from "../../world/units.js";
import type { CommError } from "../../world/comm-error.js";

/** Pooled buffers in flight per directed link; LONGHAUL_THREAD_SLOTS=0 turns pooling off (for measuring the difference). */
export const SLOT_COUNT = process.env.LONGHAUL_THREAD_SLOTS ? parseCount(process.env.LONGHAUL_THREAD_SLOTS, "LONGHAUL_THREAD_SLOTS", 0) : 32;
export const SLOT_BYTES = (1 << 20) + 4096;
/** Smaller payloads are copied into a fresh buffer: malloc serves those without page faults. */
export const POOL_MIN_BYTES = 64 * 1024;

/** What travels on a port. */
export type Envelope =
  | { kind: "data"; tag: number; buffer: ArrayBuffer }
  | { kind: "cloned"; tag: number; bytes: Uint8Array }
  | { kind: "pooled"; tag: number; buffer: ArrayBuffer; length: number }
  | { kind: "free"; buffer: ArrayBuffer }
  | { kind: "kept" }
  /** The sender closed its transport; the port delivers it after everything the sender posted before. */
  | { kind: "bye" };

type Post = (message: Envelope, transfer?: ArrayBuffer[]) => void;

interface Pending {
  tag: number;
  bytes: Uint8Array;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Sender side of one link: the pool, the in-flight count and the sends waiting for a buffer. */
export class SlotSender {
  private readonly free: ArrayBuffer[] = [];
  private readonly waiting: Pending[] = [];
  private inFlight = 0;
  private failure: (() => CommError) | undefined;

  constructor(private readonly post: Post) {}

  /** Resolves once the payload has been copied out of the caller's buffer. */
  send(tag: number, bytes: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    // Order only matters per tag, so a send whose tag has nothing held back may pass the held ones
    // (a ring's step headers then still get through while its data waits for buffers).
    const clear = this.waiting.length === 0 || !this.waiting.some((pending) => pending.tag === tag);
    if (clear && this.tryPost(tag, bytes)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ tag, bytes, resolve, reject }));
  }

  /** The receiver handed `buffer` back (or, with undefined, kept it). */
  returned(buffer: ArrayBuffer | undefined): void {
    this.inFlight--;
    if (buffer) this.free.push(buffer);
    while (this.waiting.length > 0 && this.tryPost(this.waiting[0].tag, this.waiting[0].bytes)) this.waiting.shift()!.resolve();
  }

  fail(error: () => CommError): void {
    this.failure = error;
    for (const pending of this.waiting.splice(0)) pending.reject(error());
  }

  private tryPost(tag: number, bytes: Uint8Array): boolean {
    const length = bytes.byteLength;
    if (length < POOL_MIN_BYTES && ownsWholeBuffer(bytes)) {
      // postMessage copies the view while serialising it: cheaper than slice() + transfer for small payloads.
      this.post({ kind: "cloned", tag, bytes });
      return true;
    }
    if (length < POOL_MIN_BYTES || length > SLOT_BYTES || SLOT_COUNT < 1) {
      const buffer = bytes.slice().buffer;
      this.post({ kind: "data", tag, buffer }, [buffer]);
      return true;
    }
    if (this.inFlight >= SLOT_COUNT) return false;
    this.inFlight++;
    const buffer = this.free.pop() ?? new ArrayBuffer(SLOT_BYTES);
    new Uint8Array(buffer, 0, length).set(bytes);
    this.post({ kind: "pooled", tag, buffer, length }, [buffer]);
    return true;
  }
}

/** Structured clone copies a view's whole ArrayBuffer (and shares a SharedArrayBuffer): only a plain view of all of it may be cloned. */
function ownsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}

/** Receiver side: remembers which received views sit in pooled buffers that must go back. */
export class SlotReceiver {
  private readonly pooled = new WeakSet<Uint8Array>();

  view(buffer: ArrayBuffer, byteLength: number): Uint8Array {
    const view = new Uint8Array(buffer, 0, byteLength);
    this.pooled.add(view);
    return view;
  }

  isPooled(view: Uint8Array): boolean {
    return this.pooled.has(view);
  }
}
