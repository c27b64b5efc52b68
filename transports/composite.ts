/**
 * One rank's links split by where the peer runs (NCCL's shape): peers that are threads of this
 * process go through the threads transport (MessagePorts, shared memory), the others through
 * ZeroMQ. Tags and ordering are each transport's own; a (peer, tag) pair always takes one route.
 */
import { CommError } from "../world/comm-error.js";
import type { ThreadTransport } from "./threads/transport.js";
import type { Transport } from "./transport.js";

export interface AbortableTransport extends Transport {
  /** Closes at once, without the closing handshake (a failed init). */
  abort(): void;
}

export class CompositeTransport implements AbortableTransport {
  readonly inProcess = false;
  private readonly localIndex: ReadonlyMap<number, number>;

  /** `localRanks[i]` is the global rank of the threads transport's rank i; `rank` must be among them. */
  constructor(
    readonly rank: number,
    readonly size: number,
    localRanks: readonly number[],
    private readonly local: ThreadTransport,
    private readonly remote: AbortableTransport,
  ) {
    this.localIndex = new Map(localRanks.map((global, index) => [global, index]));
    if (this.localIndex.get(rank) !== local.rank || remote.rank !== rank || remote.size !== size) {
      throw new CommError(`rank ${rank}: the threads transport (rank ${local.rank} of ${localRanks.join(",")}) and the remote one (rank ${remote.rank} of ${remote.size}) do not describe this rank`, { code: "INVALID_ARGUMENT", rank });
    }
  }

  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    const index = this.localIndex.get(peer);
    return index === undefined ? this.remote.send(peer, tag, payload) : this.local.send(index, tag, payload);
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    const index = this.localIndex.get(peer);
    return index === undefined ? this.remote.recv(peer, tag, timeoutMs) : this.local.recv(index, tag, timeoutMs);
  }

  async recvWith(peer: number, tag: number, timeoutMs: number, consume: (bytes: Uint8Array) => void): Promise<void> {
    const index = this.localIndex.get(peer);
    if (index !== undefined) return this.local.recvWith(index, tag, timeoutMs, consume);
    consume(await this.remote.recv(peer, tag, timeoutMs));
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.remote.close(), this.local.close()]);
    for (const result of results) if (result.status === "rejected") throw result.reason;
  }

  abort(): void {
    this.remote.abort();
    this.local.abort();
  }
}
