import { CommError } from "../world/comm-error.js";
import type { Transport } from "./transport.js";

type Waiter = { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** Mailboxes keyed by (from, tag), shared by all endpoints of one in-process world. */
class MemoryWorld {
  readonly queued = new Map<string, Uint8Array[]>();
  readonly waiting = new Map<string, Waiter[]>();
  readonly closed = new Set<number>();

  deliver(key: string, bytes: Uint8Array): void {
    const waiter = this.waiting.get(key)?.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(bytes);
      return;
    }
    const queue = this.queued.get(key) ?? [];
    queue.push(bytes);
    this.queued.set(key, queue);
  }
}

/**
 * In-process transport for fast unit tests: every message is copied on send (so the caller may
 * reuse its buffer at once) and delivered through a microtask, never synchronously.
 */
export class MemoryTransport implements Transport {
  constructor(
    readonly rank: number,
    readonly size: number,
    private readonly world: MemoryWorld,
  ) {}

  async send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    this.checkPeer(peer, "send");
    if (this.world.closed.has(peer)) {
      throw new CommError(`rank ${this.rank}: peer ${peer} is closed; it left the world`, { code: "PEER_LOST", rank: this.rank, peer });
    }
    const copy = new Uint8Array(payload.byteLength);
    copy.set(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
    await Promise.resolve();
    this.world.deliver(`${this.rank}>${peer}#${tag}`, copy);
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    this.checkPeer(peer, "recv");
    const key = `${peer}>${this.rank}#${tag}`;
    const ready = this.world.queued.get(key)?.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.world.waiting.get(key) ?? [];
        list.splice(list.indexOf(waiter), 1);
        reject(new CommError(`rank ${this.rank}: no message from peer ${peer} (tag ${tag}) within ${timeoutMs} ms; check that peer is alive or raise timeoutMs`, { code: "TIMEOUT", rank: this.rank, peer }));
      }, timeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      const list = this.world.waiting.get(key) ?? [];
      list.push(waiter);
      this.world.waiting.set(key, list);
    });
  }

  async close(): Promise<void> {
    this.world.closed.add(this.rank);
  }

  private checkPeer(peer: number, what: string): void {
    if (!Number.isInteger(peer) || peer < 0 || peer >= this.size || peer === this.rank) {
      throw new CommError(`rank ${this.rank}: cannot ${what} with peer ${peer}; peers are 0..${this.size - 1} except self`, { code: "INVALID_ARGUMENT", rank: this.rank, peer });
    }
  }
}

/** Creates `size` connected in-memory transports, one per rank. */
export function createMemoryWorld(size: number): MemoryTransport[] {
  const world = new MemoryWorld();
  return Array.from({ length: size }, (_, rank) => new MemoryTransport(rank, size, world));
}
