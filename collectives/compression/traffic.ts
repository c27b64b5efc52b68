import type { Topology } from "../../world/topology.js";
import type { HostLinks } from "../../world/env.js";
import type { SharedArena } from "../../transports/threads/shared-arena.js";
import type { Transport } from "../../transports/transport.js";

/** Bytes this rank sent, split by whether they crossed a region boundary (the WAN). */
export interface Traffic {
  wanBytes: number;
  lanBytes: number;
  wanMessages: number;
  lanMessages: number;
}

/**
 * A Transport that counts payload bytes per send (headers excluded) and delegates everything,
 * including what "auto" and the shared-memory algorithms read (inProcess, shared, hostLinks) and
 * the copy-free receive (recvWith), so counting changes no algorithm's choice or path.
 * Wrap the transport before building the Communicator; sum `traffic.wanBytes` over ranks for the
 * world's WAN volume.
 */
export class CountingTransport implements Transport {
  readonly traffic: Traffic = { wanBytes: 0, lanBytes: 0, wanMessages: 0, lanMessages: 0 };
  /** Present only when the inner transport has it (collectives fall back to recv otherwise); bound once, not per receive. */
  readonly recvWith?: Transport["recvWith"];

  constructor(
    readonly inner: Transport,
    private readonly topology: Topology,
  ) {
    if (inner.recvWith) this.recvWith = inner.recvWith.bind(inner);
  }

  get rank(): number {
    return this.inner.rank;
  }

  get size(): number {
    return this.inner.size;
  }

  get inProcess(): boolean | undefined {
    return this.inner.inProcess;
  }

  get shared(): SharedArena | undefined {
    return this.inner.shared;
  }

  get hostLinks(): HostLinks | undefined {
    return this.inner.hostLinks;
  }


  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    if (peer >= 0 && peer < this.topology.size && this.topology.regionOf(peer).index !== this.topology.regionOf(this.rank).index) {
      this.traffic.wanBytes += payload.byteLength;
      this.traffic.wanMessages++;
    } else {
      this.traffic.lanBytes += payload.byteLength;
      this.traffic.lanMessages++;
    }
    return this.inner.send(peer, tag, payload);
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    return this.inner.recv(peer, tag, timeoutMs);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function countTraffic(transport: Transport, topology: Topology): CountingTransport {
  return new CountingTransport(transport, topology);
}
