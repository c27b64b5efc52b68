import { Pull } from "zeromq";
import { watchForAbandonment } from "../abandon-watch.js";
import { PeerClosing, type ByeVerdict } from "../closing.js";
import { admitClients, pullSecurity, pushSecurity, type CurveKeys } from "../curve.js";
import { DroppedFrames } from "../dropped-frames.js";
import { CommError } from "../../world/comm-error.js";
import { decodeHeader, FLAG_ACK, FrameKind, type FrameHeader } from "../frames.js";
import { AckClock } from "../resend/ack-clock.js";
import { decodeAgreement, disagreement, encodeAgreement, type Agreement } from "../job.js";
import { Mailboxes } from "../mailboxes.js";
import { peerCall } from "../peer-call.js";
import { DUPLICATE, Reassembly } from "../reassembly.js";
import type { Transport } from "../transport.js";
import { bytesOf } from "../transport.js";
import { PeerLink, type LinkOptions } from "./link.js";
import { disagrees, FLUSH_MS, portTaken, RECEIVE_HWM, tooManySockets, unconfirmedClose } from "./limits.js";
import { drainLimitMs, waitUntil } from "./drain.js";

export type ZmqLinkSettings = Omit<LinkOptions, "rank" | "peer" | "endpoint" | "streams" | "copyBelowBytes" | "job" | "security">;

/** Link settings that may differ per peer. */
export interface PerPeer {
  streams: (peer: number) => number;
  copyBelowBytes: (peer: number) => number;
  connects?: (peer: number) => boolean; // the peers linked (default: all); others go another way (composite.ts)
}

/** Who this rank is on the wire: its job, what the world must agree on, its keys, its close bounds. */
export interface WireIdentity {
  /** Token of the job id, stamped on every frame. */
  job: bigint;
  /** Sent in every HELLO; a peer that differs is refused with MISMATCH naming the field. */
  agreement: Agreement;
  curve?: CurveKeys;
  /** The fixed part of close()'s wait for peers to confirm what they were sent (ms). */
  closeBaseMs: number;
  /** The slowest link rate assumed when sizing that wait for bytes still in flight (Mbit/s). */
  drainRateMbit: number;
}

/**
 * Transport over ZeroMQ: one PULL socket (one reader loop) receives from every peer; one PeerLink
 * of PUSH sockets sends to each peer. Frames are [40-byte header, payload]. The PULL binds before any
 * PUSH dials, so a rank whose port is taken never disturbs the job that holds it.
 */
export class ZmqTransport implements Transport {
  readonly mailboxes: Mailboxes;
  readonly links: Array<PeerLink | undefined> = [];
  readonly hellos = new Set<number>();
  readonly dropped: DroppedFrames;
  private readonly pull: Pull;
  private readonly reassembly: Reassembly[];
  /** When this rank acknowledges each peer's messages (cumulative ACKs, batched). */
  private readonly acks: AckClock[];
  private readonly closing: PeerClosing[];
  private readonly peerStreams: number[] = [];
  private closed = false;
  private handshakeError?: CommError;
  private stopWatch?: () => void;
  private releaseZap?: () => void;
  private wake?: () => void;

  constructor(
    readonly rank: number,
    readonly size: number,
    private readonly endpoints: (peer: number) => string,
    private readonly perPeer: PerPeer,
    private readonly settings: ZmqLinkSettings,
    private readonly identity: WireIdentity,
  ) {
    this.mailboxes = new Mailboxes(rank, size);
    this.dropped = new DroppedFrames(rank);
    this.pull = new Pull({ linger: 0, receiveHighWaterMark: RECEIVE_HWM, ...(identity.curve ? pullSecurity(identity.curve) : {}) });
    this.closing = Array.from({ length: size }, () => new PeerClosing());
    this.reassembly = Array.from({ length: size }, (_, peer) => new Reassembly((h, bytes) => this.onData(peer, h, bytes), () => this.peerStreams[peer] ?? this.links[peer]?.writers.length ?? 1));
    this.acks = Array.from({ length: size }, (_, peer) => new AckClock(() => this.sendAck(peer, 0)));
  }

  /** Binds this rank's endpoints, then dials every peer. */
  async bind(endpoints: string[]): Promise<void> {
    if (this.identity.curve) this.releaseZap = await admitClients(this.identity.curve.clientPublicKey);
    for (const endpoint of endpoints) {
      try {
        await this.pull.bind(endpoint);
      } catch (error) {
        throw portTaken(this.rank, endpoint, error);
      }
    }
    void this.readLoop();
    const security = this.identity.curve ? pushSecurity(this.identity.curve) : undefined;
    const streams = (peer: number): number => Math.max(1, Math.floor(this.perPeer.streams(peer)));
    for (let peer = 0; peer < this.size; peer++) {
      if (peer === this.rank || this.perPeer.connects?.(peer) === false) continue;
      const options = { ...this.settings, rank: this.rank, peer, endpoint: this.endpoints(peer), streams: streams(peer), copyBelowBytes: this.perPeer.copyBelowBytes(peer), job: this.identity.job, security };
      try {
        this.links[peer] = new PeerLink(options, { reconnected: (stream) => this.sendAck(peer, stream), gone: (why) => this.peerGone(peer, why) });
      } catch (error) {
        let sockets = 1;
        for (let p = 0; p < this.size; p++) if (p !== this.rank) sockets += 3 * streams(p);
        throw tooManySockets(this.rank, this.size, sockets, error);
      }
    }
  }

  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    return peerCall(this.rank, this.size, peer, tag, "send", this.linkOf(peer), (link) => link.sendData(tag, bytesOf(payload)));
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    return peerCall(this.rank, this.size, peer, tag, "recv", this.linkOf(peer), () => this.mailboxes.take(peer, tag, timeoutMs));
  }


  /** Closes the transport when the program left without calling close() (0: never). */
  closeWhenAbandoned(idleMs: number): void {
    if (idleMs <= 0 || this.closed) return;
    const busy = (): boolean => this.links.some((l) => l?.writers.some((w) => w.depth > 0));
    this.stopWatch = watchForAbandonment(idleMs, busy, () => {
      process.stderr.write(`longhaul: rank ${this.rank}: the program looks finished but never called close(); closing the ZeroMQ transport so the process can exit\n`);
      this.close().catch((error: unknown) => process.stderr.write(`longhaul: ${(error as Error).message}\n`));
    });
  }

  /**
   * The closing handshake: BYE (with per-stream frame counts) to every peer, then resolves once each
   * peer confirmed it received everything, or left itself, or was lost. Rejects with TIMEOUT — never a
   * silent drop — when a live peer has not confirmed within a limit that grows with the bytes still
   * in flight at the slowest assumed rate.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch?.();
    const open = this.openPeers();
    for (const peer of open) this.links[peer]!.sendBye().catch(() => undefined);
    const pendingBytes = open.reduce((sum, peer) => sum + this.links[peer]!.pendingBytes, 0);
    const limitMs = drainLimitMs(this.identity.closeBaseMs, pendingBytes, this.identity.drainRateMbit);
    const settled = await waitUntil(() => this.openPeers().length === 0, (wake) => (this.wake = wake), limitMs);
    const unconfirmed = this.openPeers();
    this.shutdown(FLUSH_MS);
    if (!settled) {
      throw unconfirmedClose(this.rank, unconfirmed, limitMs, pendingBytes);
    }
  }

  /** Closes at once without the handshake (a failed connect). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch?.();
    this.shutdown(0);
  }

  /** Sends HELLO (with the agreement) on every stream to every peer; the peer's READY on a stream proves it works. */
  sayHello(): void {
    const agreement = encodeAgreement(this.identity.agreement);
    for (const link of this.links) {
      link?.writers.forEach((_, stream) => {
        link.sendControl(FrameKind.HELLO, stream, link.writers.length, 0, this.size, 0, agreement).catch(() => undefined);
      });
    }
  }

  /**
   * Peers not yet heard from or not yet confirming all our streams. A disagreement is thrown only
   * once every peer confirmed our HELLO: each of them has then seen what this rank has and refuses
   * it too, so the MISMATCH reaches every rank instead of a TIMEOUT on the ones this rank left.
   */
  pendingPeers(): number[] {
    if (this.handshakeError && this.links.every((l) => !l || l.ready)) throw this.handshakeError;
    return this.links.flatMap((l, peer) => (l && (!l.ready || !this.hellos.has(peer)) ? [peer] : []));
  }

  /** The disagreement found so far in the peers' HELLOs, if any. */
  get handshakeFailure(): CommError | undefined {
    return this.handshakeError;
  }

  private openPeers(): number[] {
    return this.links.flatMap((l, peer) => (l && !l.lost && !this.closing[peer].settled ? [peer] : []));
  }

  private shutdown(flushMs: number): void {
    this.mailboxes.close(() => new CommError(`rank ${this.rank}: transport closed`, { code: "CLOSED", rank: this.rank }));
    for (const clock of this.acks) clock.stop();
    for (const link of this.links) link?.close(flushMs);
    this.pull.close();
    this.releaseZap?.();
  }

  private linkOf(peer: number): PeerLink | undefined {
    return Number.isInteger(peer) ? this.links[peer] : undefined;
  }


  private async readLoop(): Promise<void> {
    while (!this.pull.closed) {
      let frames: Buffer[];
      try {
        frames = await this.pull.receive();
      } catch {
        return; // closed under the receive
      }
      try {
        this.onMessage(frames);
      } catch (error) {
        this.dropped.drop(`frame handling failed: ${(error as Error).message}`);
      }
    }
  }

  private onMessage(frames: Buffer[]): void {
    const header = frames.length <= 2 ? decodeHeader(frames[0]) : undefined;
    if (!header) return this.dropped.drop("not a longhaul frame");
    if (header.job !== this.identity.job) return this.dropped.drop("frame of another job (is another job using these ports?)");
    if (header.src >= this.size || header.src === this.rank || !this.links[header.src]) return this.dropped.drop("unknown sender");
    this.onFrame(header, frames[1] ?? new Uint8Array(0));
  }

  private onFrame(h: FrameHeader, payload: Uint8Array): void {
    const link = this.links[h.src]!;
    switch (h.kind) {
      case FrameKind.DATA: {
        const refused = this.reassembly[h.src].accept(h, payload);
        if (refused === DUPLICATE) return;
        if (refused) return this.dropped.drop(refused);
        return this.onVerdict(h.src, this.closing[h.src].countData(h.stripe));
      }
      case FrameKind.ACK:
        return link.acknowledged(h.seq);
      case FrameKind.HELLO:
        return this.onHello(h, payload);
      case FrameKind.READY:
        if (h.tag < link.confirmed.length) link.confirmed[h.tag] = true;
        if (link.ready) link.markEstablished();
        return;
      case FrameKind.BYE:
        return this.onVerdict(h.src, this.closing[h.src].onBye(h.stripe, h.stripes, h.total));
      case FrameKind.BYE_ACK:
        this.closing[h.src].ackedOurs = true;
        return this.wake?.();
    }
  }

  private onHello(h: FrameHeader, payload: Uint8Array): void {
    const theirs = decodeAgreement(payload);
    if (!theirs) return this.dropped.drop("malformed HELLO");
    const differs = disagreement(this.identity.agreement, theirs);
    if (differs && !this.handshakeError) {
      this.handshakeError = disagrees(this.rank, h.src, differs);
    }
    this.peerStreams[h.src] = Math.max(1, h.stripes);
    this.hellos.add(h.src);
    this.links[h.src]!.sendControl(FrameKind.READY, 0, 1, 0, h.stripe).catch(() => undefined);
  }

  private onVerdict(peer: number, verdict: ByeVerdict): void {
    // Short: frames the peer counted are missing — after a reset they come again behind its BYE, so
    // wait; if they never do, the recv waiting for them times out and so does the peer's close.
    if (verdict.state !== "left") return;
    // Everything the peer sent is here: confirm, then fail only what waits for more from it.
    this.links[peer]!.sendControl(FrameKind.BYE_ACK, 0, 1, 0, 0).catch(() => undefined);
    this.peerLost(peer, "it closed its transport", FLUSH_MS);
    this.wake?.();
  }

  private onData(peer: number, h: FrameHeader, bytes: Uint8Array): void {
    this.acks[peer].delivered(bytes.byteLength, (h.flags & FLAG_ACK) !== 0);
    this.mailboxes.deliver(peer, h.tag, bytes);
  }

  /** The cumulative ACK of `peer`'s messages, on `stream` (after a reconnect: the one that came back). */
  private sendAck(peer: number, stream: number): void {
    this.links[peer]?.sendControl(FrameKind.ACK, stream, 1, this.reassembly[peer].nextSeq, 0).catch(() => undefined);
  }

  /**
   * Our link to a peer dropped after the handshake and will not come back (nothing listens there, or
   * it stayed down past the bound). A peer that closes cleanly keeps listening until this rank
   * confirmed its BYE, so this means the peer's process or its network is gone.
   */
  private peerGone(peer: number, why: string): void {
    if (this.closing[peer].left) return;
    this.peerLost(peer, `${why}, before it closed`);
    this.wake?.();
  }

  private peerLost(peer: number, why: string, flushMs = 0): void {
    const link = this.links[peer]!;
    const error = (): CommError =>
      new CommError(`rank ${this.rank}: peer ${peer} is gone (${why}; endpoint ${link.options.endpoint}); check rank ${peer}'s output for why it stopped, or whether the link to it was cut for longer than the op timeout (a shorter flap or partition is recovered from; raise timeoutMs to ride out longer ones)`, {
        code: "PEER_LOST",
        rank: this.rank,
        peer,
      });
    this.mailboxes.failPeer(peer, error);
    this.acks[peer].stop();
    link.fail(error, flushMs);
  }
}
