/**
 * Memory every rank of a threads world can read: one SharedArrayBuffer holding, per rank, two
 * slots (used alternately by successive ops, so a fast rank's next op never overwrites data a slow
 * rank is still reading) and one arrival counter. An op writes its slot, arrives, and waits for the
 * others: one futex wake-up instead of log2(p) message round trips through MessagePorts (NCCL's
 * one-shot all-reduce inside a node, TensorRT-LLM's custom all-reduce).
 *
 * Safety of the two slots: op g writes slot g % 2; every rank finished reading op g − 2's slots
 * before it arrived at op g − 1, which this rank waited for. So every rank must run the arena's ops
 * in the same order (one communicator per transport, as with every collective).
 */
import { threadId } from "node:worker_threads";
import { CommError } from "../../world/comm-error.js";

/** Payload bytes per slot by default (the one-shot all-reduce serves buffers up to this size): 8 MiB of arena for 4 ranks. */
export const SHARED_SLOT_BYTES = 1 << 20;
/** Per-slot header: byte length and an element-type code, so ranks that disagree are told so. */
export const SLOT_HEADER_BYTES = 16;
const ARRIVALS = 0;
const EXITS = 1; // how many ranks the parent marked exited
const THREAD_IDS = 2; // + rank: each rank's threadId + 1, to know whether blocking waits are safe
/** After the thread ids, + rank: 1 once the parent saw that rank's worker exit (markRankExited). */
const exitedIndex = (size: number, rank: number) => THREAD_IDS + size + rank;
/**
 * How long a rank blocks its thread waiting for the others before yielding to its event loop. Not
 * shorter: on this VM a wait with a 2 ms timeout woke 12–15 µs later than one with 20 ms or more
 * (4 threads, a barrier round 46–54 µs vs 32–39 µs).
 */
const BLOCKING_WAIT_MS = 20;
/** Poll period once yielded: peer loss and the deadline are checked this often. */
const ASYNC_WAIT_MS = 20;

function controlBytes(size: number): number {
  return Math.ceil((exitedIndex(size, size) * 4) / 64) * 64;
}

/** Creates the buffer every rank's arena views; hand it to each rank's ThreadTransport. */
export function createSharedArena(size: number, slotBytes = SHARED_SLOT_BYTES): SharedArrayBuffer {
  if (!Number.isInteger(size) || size < 1) throw new CommError(`createSharedArena: size must be a positive integer, got ${size}`, { code: "INVALID_ARGUMENT" });
  if (!Number.isInteger(slotBytes) || slotBytes < 8 || slotBytes % 8 !== 0) {
    throw new CommError(`createSharedArena: slotBytes must be a positive multiple of 8, got ${slotBytes}`, { code: "INVALID_ARGUMENT" });
  }
  return new SharedArrayBuffer(controlBytes(size) + size * 2 * (SLOT_HEADER_BYTES + slotBytes));
}

/**
 * For the parent of a threads world: records that `rank`'s worker exited, so ranks waiting in the
 * arena reject with PEER_LOST. A thread that ends before its peers listen on their MessagePorts
 * never shows up as a port 'close' (Node emits none then); the parent's Worker 'exit' always comes.
 */
export function markRankExited(buffer: SharedArrayBuffer, size: number, rank: number): void {
  const control = new Int32Array(buffer, 0, exitedIndex(size, size));
  if (Atomics.exchange(control, exitedIndex(size, rank), 1) === 1) return;
  Atomics.add(control, EXITS, 1);
  Atomics.notify(control, EXITS);
  Atomics.notify(control, ARRIVALS);
}

/** One rank's view of the arena. `failure` reports a lost peer (checked while waiting). */
export class SharedArena {
  readonly slotBytes: number;
  private readonly control: Int32Array;
  /** slots[owner * 2 + parity], made once: one-shot reads every slot on every op. */
  private readonly slots: ReadonlyArray<{ header: Int32Array; payload: Uint8Array }>;
  private generation = 0;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly rank: number,
    readonly size: number,
    private readonly failure: () => CommError | undefined = () => undefined,
  ) {
    const dataStart = controlBytes(size);
    this.slotBytes = (buffer.byteLength - dataStart) / (size * 2) - SLOT_HEADER_BYTES;
    if (!Number.isInteger(this.slotBytes) || this.slotBytes < 8) {
      throw new CommError(`rank ${rank}: the shared arena (${buffer.byteLength} bytes) was not made for a world of ${size}; create it with createSharedArena(${size})`, { code: "INVALID_ARGUMENT", rank });
    }
    this.control = new Int32Array(buffer, 0, exitedIndex(size, size));
    Atomics.store(this.control, THREAD_IDS + rank, threadId + 1);
    this.slots = Array.from({ length: size * 2 }, (_, index) => {
      const offset = dataStart + index * (SLOT_HEADER_BYTES + this.slotBytes);
      return { header: new Int32Array(buffer, offset, 2), payload: new Uint8Array(buffer, offset + SLOT_HEADER_BYTES, this.slotBytes) };
    });
  }

  /** Starts the next arena op on this rank; every rank gets the same numbers in the same order. */
  begin(): number {
    return this.generation++;
  }

  /** The header (2 Int32: byte length, type code) and payload of `owner`'s slot for op `generation`. */
  slot(owner: number, generation: number): { readonly header: Int32Array; readonly payload: Uint8Array } {
    return this.slots[owner * 2 + (generation % 2)];
  }

  /** Counts this rank in for op `generation`; the last one in wakes the others. */
  arrive(generation: number): void {
    const after = Atomics.add(this.control, ARRIVALS, 1) + 1;
    if (after === this.target(generation)) Atomics.notify(this.control, ARRIVALS);
  }

  /** Resolves once every rank arrived at op `generation`; rejects on a lost peer or at `deadline` (Date.now()). */
  async waitForAll(generation: number, deadline: number, opName: string): Promise<void> {
    const target = this.target(generation);
    if (this.reached(target)) return;
    // Block briefly: a futex wake costs tens of µs, a trip through the event loop more. Not when
    // another rank lives on this thread: it could not arrive while we block.
    if (this.othersOnOtherThreads()) {
      const until = Math.min(deadline, Date.now() + BLOCKING_WAIT_MS);
      for (let now = Date.now(); now < until; now = Date.now()) {
        const seen = Atomics.load(this.control, ARRIVALS);
        if (reachedCount(seen, target)) return;
        Atomics.wait(this.control, ARRIVALS, seen, until - now);
      }
    }
    for (;;) {
      if (this.reached(target)) return;
      const lost = this.failure() ?? this.exitedPeer(opName);
      if (lost) throw lost;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CommError(`${opName} on rank ${this.rank}: timed out waiting for the other ranks to reach shared-memory op ${generation}; some rank did not call it (or is stuck); raise timeoutMs if the ranks are just slow`, { code: "TIMEOUT", rank: this.rank, op: opName });
      }
      const seen = Atomics.load(this.control, ARRIVALS);
      if (reachedCount(seen, target)) return;
      await this.waitAsync(seen, Math.min(left, ASYNC_WAIT_MS));
    }
  }

  /** Waits until the counter leaves `seen` or `ms` pass. A pending Atomics.waitAsync does not keep the event loop alive; the timer does. */
  private waitAsync(seen: number, ms: number): Promise<void> {
    const wait = Atomics.waitAsync(this.control, ARRIVALS, seen, ms);
    if (!wait.async) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms + 1);
      void wait.value.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The arrival count at which op `generation` is complete (wraps like the Int32 counter). */
  private target(generation: number): number {
    return ((generation + 1) * this.size) | 0;
  }

  private reached(target: number): boolean {
    return reachedCount(Atomics.load(this.control, ARRIVALS), target);
  }

  /**
   * Calls `onExit(peer)` once for each peer the parent marks exited, from this thread's event loop
   * (the pending wait does not keep the thread alive), so message-based ops learn of it too.
   */
  watchExits(onExit: (peer: number) => void): void {
    const reported = new Set<number>();
    const watch = async (): Promise<void> => {
      while (reported.size < this.size - 1) {
        const seen = Atomics.load(this.control, EXITS);
        for (let peer = 0; peer < this.size; peer++) {
          if (peer === this.rank || reported.has(peer) || Atomics.load(this.control, exitedIndex(this.size, peer)) !== 1) continue;
          reported.add(peer);
          onExit(peer);
        }
        const wait = Atomics.waitAsync(this.control, EXITS, seen);
        if (wait.async) await wait.value;
      }
    };
    void watch();
  }

  private exitedPeer(opName: string): CommError | undefined {
    for (let peer = 0; peer < this.size; peer++) {
      if (peer !== this.rank && Atomics.load(this.control, exitedIndex(this.size, peer)) === 1) {
        return new CommError(`${opName} on rank ${this.rank}: peer ${peer}'s thread ended (its worker exited); the world cannot continue without it`, { code: "PEER_LOST", rank: this.rank, peer, op: opName });
      }
    }
    return undefined;
  }

  private othersOnOtherThreads(): boolean {
    const mine = Atomics.load(this.control, THREAD_IDS + this.rank);
    for (let r = 0; r < this.size; r++) if (r !== this.rank && Atomics.load(this.control, THREAD_IDS + r) === mine) return false;
    return true;
  }
}

/** Whether `count` is at or past `target`, on a counter that wraps at 2^32. */
function reachedCount(count: number, target: number): boolean {
  return ((count - target) | 0) >= 0;
}
