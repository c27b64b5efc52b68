/**
 * Ranks as worker threads of one process (NCCL's shared-memory idea inside a node): one
 * MessageChannel per pair of ranks, set up by the parent. A send copies the payload once, into a
 * pooled buffer (slots.ts) or, when none is free or the payload is large, into a fresh one,
 * and transfers it; `recvWith` lets the receiver reduce straight out of it and hand it back.
 * No kernel socket is involved, so co-located ranks skip the TCP/ipc path.
 */
import type { MessagePort } from "node:worker_threads";
import { MessageChannel } from "node:worker_threads";
import { CommError } from "../../world/comm-error.js";
import { Mailboxes } from "../mailboxes.js";
import { SharedArena } from "./shared-arena.js";
import { SlotReceiver, SlotSender, type Envelope } from "./slots.js";
import type { Transport } from "../transport.js";

/**
 * A peer that closed its transport says so ("bye", behind its last messages on the same port), so it
 * is known gone at once and in order. Only a thread that ended without close() is learnt of from the
 * parent's exit flag, which nothing orders after that thread's last messages: those are given this
 * long to arrive before the peer counts as lost.
 */
const EXIT_GRACE_MS = 1000;

/** `ports[peer]` reaches `peer` (undefined at this rank's own index). */
export type ThreadPorts = Array<MessagePort | undefined>;

/** Creates the full mesh of channels: result[r] are rank r's ports, to hand to its worker (transfer them). */
export function createThreadMesh(size: number): ThreadPorts[] {
  const ports: ThreadPorts[] = Array.from({ length: size }, () => new Array<MessagePort | undefined>(size).fill(undefined));
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      const channel = new MessageChannel();
      ports[a][b] = channel.port1;
      ports[b][a] = channel.port2;
    }
  }
  return ports;
}

export interface ThreadTransportOptions {
  /** The world's createSharedArena(size) buffer, the same for every rank: enables the one-shot all-reduce and the shared barrier. */
  shared?: SharedArrayBuffer;
  /** Let the thread end while the ports are open (`launch --threads`: a trainer that forgot close() still exits). */
  unref?: boolean;
}

export class ThreadTransport implements Transport {
  readonly inProcess = true;
  readonly shared?: SharedArena;
  private readonly mailboxes: Mailboxes;
  private readonly senders: SlotSender[];
  private readonly receivers: SlotReceiver[];
  private closed = false;

  constructor(
    readonly rank: number,
    readonly size: number,
    private readonly ports: ThreadPorts,
    options: ThreadTransportOptions = {},
  ) {
    if (ports.length !== size) throw new CommError(`rank ${rank}: got ${ports.length} ports for a world of ${size}`, { code: "INVALID_ARGUMENT", rank });
    this.mailboxes = new Mailboxes(rank, size);
    if (options.shared) {
      this.shared = new SharedArena(options.shared, rank, size, () => this.firstLoss());
      this.shared.watchExits((peer) => {
        if (!this.mailboxes.isLost(peer)) setTimeout(() => this.peerGone(peer), EXIT_GRACE_MS).unref();
      });
    }
    this.senders = ports.map((port) => new SlotSender((message, transfer) => port?.postMessage(message, transfer)));
    this.receivers = ports.map(() => new SlotReceiver());
    ports.forEach((port, peer) => {
      if (!port) return;
      port.on("message", (message: Envelope) => this.onMessage(peer, message));
      // 'close' fires when the other side's thread ends or closes its port (if it did so after this side started listening).
      port.on("close", () => this.peerGone(peer));
      if (options.unref) port.unref();
    });
  }

  async send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    this.port(peer, "send");
    if (this.mailboxes.isLost(peer)) throw this.lost(peer);
    await this.senders[peer].send(tag, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
  }

  /** The caller owns what this returns, so a pooled buffer is kept (the sender is told, to free its slot). */
  async recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    this.port(peer, "recv");
    const bytes = await this.mailboxes.take(peer, tag, timeoutMs);
    if (this.receivers[peer].isPooled(bytes) && !this.closed) this.ports[peer]?.postMessage({ kind: "kept" } satisfies Envelope);
    return bytes;
  }

  async recvWith(peer: number, tag: number, timeoutMs: number, consume: (bytes: Uint8Array) => void): Promise<void> {
    this.port(peer, "recv");
    const bytes = await this.mailboxes.take(peer, tag, timeoutMs);
    try {
      consume(bytes);
    } finally {
      const buffer = bytes.buffer as ArrayBuffer;
      if (this.receivers[peer].isPooled(bytes) && !this.closed) this.ports[peer]?.postMessage({ kind: "free", buffer } satisfies Envelope, [buffer]);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.mailboxes.close(() => this.closedError());
    for (const sender of this.senders) sender.fail(() => this.closedError());
    for (const port of this.ports) {
      port?.postMessage({ kind: "bye" } satisfies Envelope);
      port?.close();
    }
  }

  /** Closes at once (there is no closing handshake between threads). */
  abort(): void {
    void this.close();
  }

  private onMessage(peer: number, message: Envelope): void {
    switch (message.kind) {
      case "data":
        return this.mailboxes.deliver(peer, message.tag, new Uint8Array(message.buffer));
      case "cloned":
        return this.mailboxes.deliver(peer, message.tag, message.bytes);
      case "pooled":
        return this.mailboxes.deliver(peer, message.tag, this.receivers[peer].view(message.buffer, message.length));
      case "free":
        return this.senders[peer].returned(message.buffer);
      case "kept":
        return this.senders[peer].returned(undefined);
      case "bye":
        return this.peerGone(peer);
    }
  }

  private port(peer: number, what: string): MessagePort {
    const port = Number.isInteger(peer) ? this.ports[peer] : undefined;
    if (!port) {
      throw new CommError(`rank ${this.rank}: cannot ${what} with peer ${peer}; peers are 0..${this.size - 1} except self`, { code: "INVALID_ARGUMENT", rank: this.rank, peer });
    }
    if (this.closed) throw new CommError(`rank ${this.rank}: transport is closed`, { code: "CLOSED", rank: this.rank, peer });
    return port;
  }

  private peerGone(peer: number): void {
    this.mailboxes.failPeer(peer, () => this.lost(peer));
    this.senders[peer].fail(() => this.lost(peer));
  }

  /** A lost peer's error, or a closed transport's, for waits on the shared arena. */
  private firstLoss(): CommError | undefined {
    if (this.closed) return this.closedError();
    for (let peer = 0; peer < this.size; peer++) if (peer !== this.rank && this.mailboxes.isLost(peer)) return this.lost(peer);
    return undefined;
  }

  private closedError(): CommError {
    return new CommError(`rank ${this.rank}: transport is closed`, { code: "CLOSED", rank: this.rank });
  }

  private lost(peer: number): CommError {
    return new CommError(`rank ${this.rank}: peer ${peer} left (its thread ended or closed its port); the world cannot continue without it`, { code: "PEER_LOST", rank: this.rank, peer });
  }
}
