import { Pull } from "zeromq";
import { watchForAbandonment } from "./abandon-watch.js";
import { CommError } from "./errors.js";
import { decodeHeader, FLAG_ACK, FrameKind, type FrameHeader } from "./frames.js";
import { Mailboxes } from "./mailboxes.js";
import { Reassembly } from "./reassembly.js";
import type { Transport } from "./transport.js";
import { bytesOf } from "./transport.js";
import { PeerLink, type LinkOptions } from "./zmq-link.js";

const DISCONNECT_GRACE_MS = 100;

export type ZmqLinkSettings = Omit<LinkOptions, "rank" | "peer" | "endpoint" | "streams" | "copyBelowBytes">;

/** Link settings that may differ per peer. */
export interface PerPeer {
  streams: (peer: number) => number;
  copyBelowBytes: (peer: number) => number;
}

/**
 * Transport over ZeroMQ: one PULL socket (one reader loop) receives from every peer; one PeerLink
 * of PUSH sockets sends to each peer. Frames are [32-byte header, payload].
 */
export class ZmqTransport implements Transport {
  readonly mailboxes: Mailboxes;
  readonly links: Array<PeerLink | undefined>;
  readonly hellos = new Set<number>();
  private readonly pull = new Pull({ linger: 0 });
  private readonly reassembly: Reassembly[];
  private closing = false;
  private handshakeError?: CommError;
  private stopWatch?: () => void;

  constructor(
    readonly rank: number,
    readonly size: number,
    endpoints: (peer: number) => string,
    perPeer: PerPeer,
    settings: ZmqLinkSettings,
  ) {
    this.mailboxes = new Mailboxes(rank, size);
    this.reassembly = Array.from({ length: size }, (_, peer) => new Reassembly((h, bytes) => this.onData(peer, h, bytes)));
    this.links = Array.from({ length: size }, (_, peer) => {
      if (peer === rank) return undefined;
      const streams = Math.max(1, Math.floor(perPeer.streams(peer)));
      const options = { ...settings, rank, peer, endpoint: endpoints(peer), streams, copyBelowBytes: perPeer.copyBelowBytes(peer) };
      return new PeerLink(options, () => this.peerDisconnected(peer));
    });
  }

  async bind(endpoints: string[]): Promise<void> {
    for (const endpoint of endpoints) {
      try {
        await this.pull.bind(endpoint);
      } catch (error) {
        throw new CommError(
          `rank ${this.rank}: cannot listen on ${endpoint} (${(error as Error).message}); another process (an earlier run?) holds it — pick another base port (LONGHAUL_BASE_PORT / --base-port) or stop that process`,
          { code: "INVALID_ARGUMENT", rank: this.rank, op: "connect", cause: error },
        );
      }
    }
    void this.readLoop();
  }

  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    try {
      const link = this.linkTo(peer, "send");
      checkTag(this.rank, tag);
      return link.sendData(tag, bytesOf(payload));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    try {
      this.linkTo(peer, "recv");
      checkTag(this.rank, tag);
      return this.mailboxes.take(peer, tag, timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Closes the transport when the program left without calling close() (0: never). */
  closeWhenAbandoned(idleMs: number): void {
    if (idleMs <= 0 || this.closing) return;
    const busy = (): boolean => this.links.some((l) => l?.writers.some((w) => w.depth > 0));
    this.stopWatch = watchForAbandonment(idleMs, busy, () => {
      process.stderr.write(`longhaul: rank ${this.rank}: the program looks finished but never called close(); closing the ZeroMQ transport so the process can exit\n`);
      void this.close();
    });
  }

  async close(lingerMs = 1000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopWatch?.();
    const live = this.links.filter((l): l is PeerLink => l !== undefined && !l.lost);
    // BYE tells peers this rank left on purpose, so their pending recvs fail at once, not at the timeout.
    await Promise.allSettled(live.map((l) => l.sendControl(FrameKind.BYE, 0, 1, 0, 0)));
    this.mailboxes.close(() => new CommError(`rank ${this.rank}: transport closed`, { code: "CLOSED", rank: this.rank }));
    await Promise.all(this.links.map((l) => l?.close(lingerMs)));
    this.pull.close();
  }

  /** Sends HELLO on every stream to every peer; the peer's READY on a stream proves it works. */
  sayHello(): void {
    for (const link of this.links) {
      link?.writers.forEach((_, stream) => {
        link.sendControl(FrameKind.HELLO, stream, link.writers.length, 0, this.size).catch(() => undefined);
      });
    }
  }

  /** Peers not yet heard from or not yet confirming all our streams. */
  pendingPeers(): number[] {
    if (this.handshakeError) throw this.handshakeError;
    return this.links.flatMap((l, peer) => (l && (!l.ready || !this.hellos.has(peer)) ? [peer] : []));
  }

  private linkTo(peer: number, what: string): PeerLink {
    const link = Number.isInteger(peer) ? this.links[peer] : undefined;
    if (!link) {
      throw new CommError(`rank ${this.rank}: cannot ${what} with peer ${peer}; peers are 0..${this.size - 1} except self`, { code: "INVALID_ARGUMENT", rank: this.rank, peer, op: what });
    }
    return link;
  }

  private async readLoop(): Promise<void> {
    while (!this.closing) {
      let frames: Buffer[];
      try {
        frames = await this.pull.receive();
      } catch (error) {
        if (this.closing || this.pull.closed) return;
        throw error;
      }
      const header = frames.length <= 2 ? decodeHeader(frames[0]) : undefined;
      if (!header || header.src >= this.size || header.src === this.rank) continue; // not ours: ignore
      this.onFrame(header, frames[1] ?? new Uint8Array(0));
    }
  }

  private onFrame(h: FrameHeader, payload: Uint8Array): void {
    const link = this.links[h.src]!;
    switch (h.kind) {
      case FrameKind.DATA:
        this.reassembly[h.src].accept(h, payload);
        return;
      case FrameKind.ACK:
        link.ackReceived(h.seq);
        return;
      case FrameKind.HELLO:
        if (h.tag !== this.size) {
          this.handshakeError = new CommError(
            `rank ${this.rank}: rank ${h.src} runs a world of ${h.tag} ranks, this rank a world of ${this.size}; start every rank with the same WORLD_SIZE and topology`,
            { code: "MISMATCH", rank: this.rank, peer: h.src, op: "connect" },
          );
        }
        this.hellos.add(h.src);
        link.sendControl(FrameKind.READY, 0, 1, 0, h.stripe).catch(() => undefined);
        return;
      case FrameKind.READY:
        if (h.tag < link.confirmed.length) link.confirmed[h.tag] = true;
        if (link.ready) link.markEstablished();
        return;
      case FrameKind.BYE:
        this.peerLost(h.src, "it closed its transport");
        return;
    }
  }

  private onData(peer: number, h: FrameHeader, bytes: Uint8Array): void {
    if (h.flags & FLAG_ACK) this.links[peer]!.sendControl(FrameKind.ACK, 0, 1, h.seq, 0).catch(() => undefined);
    this.mailboxes.deliver(peer, h.tag, bytes);
  }

  /**
   * The monitor can report a dropped connection before the reader loop has taken the peer's last
   * frames (its ACKs, its BYE) off the PULL socket; wait briefly so those count first.
   */
  private peerDisconnected(peer: number): void {
    setTimeout(() => this.peerLost(peer, "its connection dropped"), DISCONNECT_GRACE_MS).unref();
  }

  private peerLost(peer: number, why: string): void {
    if (this.closing) return;
    const link = this.links[peer]!;
    const error = (): CommError =>
      new CommError(`rank ${this.rank}: peer ${peer} is gone (${why}; endpoint ${link.options.endpoint}); check rank ${peer}'s output for why it stopped`, {
        code: "PEER_LOST",
        rank: this.rank,
        peer,
      });
    this.mailboxes.failPeer(peer, error);
    link.fail(error);
  }
}

function checkTag(rank: number, tag: number): void {
  if (!Number.isSafeInteger(tag) || tag < 0) {
    throw new CommError(`rank ${rank}: tag ${tag} is not a non-negative safe integer`, { code: "INVALID_ARGUMENT", rank });
  }
}
