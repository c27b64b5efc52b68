import net from "node:net";
import { PeerClosing, type ByeVerdict } from "../closing.js";
import type { AbortableTransport } from "../composite.js";
import { DroppedFrames } from "../dropped-frames.js";
import { CommError } from "../../world/comm-error.js";
import { FLAG_ACK, FrameKind, type FrameHeader } from "../frames.js";
import { decodeAgreement, disagreement, encodeAgreement } from "../job.js";
import { Mailboxes } from "../mailboxes.js";
import { peerCall } from "../peer-call.js";
import { ReceivePool } from "../receive-pool.js";
import { AckClock } from "../resend/ack-clock.js";
import { bytesOf } from "../transport.js";
import { UnixLink } from "./link.js";
import { listenUnix } from "./listen.js";
import { dialSocket, helloFrame, helloRefusal, readHello } from "./connections.js";
import type { WireIdentity } from "../zmq/transport.js";
import { disagrees, unconfirmedClose } from "../zmq/limits.js";
import { drainLimitMs, waitUntil } from "../zmq/drain.js";

/** How soon a dial to a peer that is not listening yet is tried again (ms). */
const REDIAL_MS = 10;

/** What a Unix transport is told beyond a ZeroMQ one's identity (it has no CURVE). */
export type UnixIdentity = Omit<WireIdentity, "curve"> & {
  /** How long a peer may take to dial again after its connection broke before it is lost (the op timeout). */
  reconnectTimeoutMs: number;
};

/**
 * Transport between processes of one host over Unix sockets, with Node's own socket code: this
 * thread writes to the kernel and reads from it, where ZeroMQ passes every message through two I/O
 * threads (measured here, two processes: one-way 4 KiB 25 µs against ZeroMQ ipc's 93 µs; a
 * 64 MiB stream 3.3 GB/s against 1.4).
 *
 * Each rank listens on its own socket file and dials every peer's: the connection a rank dials is
 * the one it reads from (a dialed socket can read into buffers this rank chooses, `onread`), the one
 * it accepts is the one it writes to. The dialer's first and only frame is its HELLO (rank, job,
 * agreement); the acceptor answers READY on the same connection once it checked it. Frames on one
 * connection arrive in order and all of them, so the closing handshake's count is exact.
 *
 * A read connection that ends before its peer's BYE is dialed again: a peer that no longer listens
 * is gone (PEER_LOST at once); one that answers gets a HELLO carrying how many of its DATA frames
 * arrived, and writes the rest again on the new connection (its link kept them until this rank's
 * cumulative ACK covered them; a large one only until the kernel took it — see UnixLink). A peer
 * that does not dial again within the op timeout is lost.
 */
export class UnixTransport implements AbortableTransport {
  readonly hostLinks = "unix";
  readonly mailboxes: Mailboxes;
  readonly dropped: DroppedFrames;
  /** Where this rank writes to each peer (the connection the peer dialed). */
  readonly links: Array<UnixLink | undefined> = [];
  /** Connections this rank dialed and reads from, per peer. */
  private readonly reads: Array<net.Socket | undefined> = [];
  /** Peers that answered this rank's HELLO with READY. */
  private readonly readyFrom = new Set<number>();
  /** Peers whose HELLO this rank answered, the READY handed to the kernel. */
  private readonly readySent = new Set<number>();
  /** Re-checks a pending linked() wait (set while one waits). */
  private handshakeStep?: () => void;
  private readonly closing: PeerClosing[];
  /** Per peer: the sequence number of the next DATA frame expected, and when to acknowledge. */
  private readonly nextSeq: number[];
  private readonly acks: AckClock[];
  private readonly pool = new ReceivePool();
  private server?: net.Server;
  private closed = false;
  private handshakeError?: CommError;
  private wake?: () => void;
  private readonly onBeforeExit = (): void => this.closeAbandoned();

  constructor(
    readonly rank: number,
    readonly size: number,
    /** The socket file each rank listens on. */
    private readonly socketPath: (rank: number) => string,
    private readonly identity: UnixIdentity,
    /** The peers to link to (default: all). */
    private readonly connects: (peer: number) => boolean = () => true,
  ) {
    this.mailboxes = new Mailboxes(rank, size);
    this.dropped = new DroppedFrames(rank);
    this.closing = Array.from({ length: size }, () => new PeerClosing());
    this.nextSeq = new Array<number>(size).fill(0);
    this.acks = Array.from({ length: size }, (_, peer) => new AckClock(() => this.links[peer]?.sendControl(FrameKind.ACK, 0, undefined, this.nextSeq[peer]).catch(() => undefined)));
  }

  /** The peers this rank links to. */
  get peers(): number[] {
    return Array.from({ length: this.size }, (_, p) => p).filter((p) => p !== this.rank && this.connects(p));
  }

  /** Listens on this rank's socket file, then dials every peer's (again and again until it is there or the transport closes). */
  async start(): Promise<void> {
    this.server = await listenUnix(this.rank, this.socketPath(this.rank), (socket) => this.accept(socket));
    for (const peer of this.peers) this.dial(peer);
  }

  /**
   * Peers not yet linked both ways. A disagreement is thrown only once every peer answered this
   * rank's HELLO and this rank answered every peer's: each has then seen what this rank has and
   * refuses it too, and has its READY, so MISMATCH reaches every rank (not a TIMEOUT on the ranks
   * this one leaves when it aborts).
   */
  pendingPeers(): number[] {
    const refused = this.handshakeError;
    const pending = this.peers.filter((p) => !this.readyFrom.has(p) || !this.links[p] || (refused !== undefined && !this.readySent.has(p)));
    if (refused && pending.length === 0) throw refused;
    return pending;
  }

  /**
   * Resolves once every peer is linked both ways; rejects with the disagreement once pendingPeers()
   * throws it. Re-checked at each handshake step (a link accepted, a READY sent or received), not polled.
   */
  linked(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.handshakeStep = () => {
        try {
          if (this.pendingPeers().length > 0) return;
          resolve();
        } catch (error) {
          reject(error);
        }
        this.handshakeStep = undefined;
      };
      this.handshakeStep();
    });
  }

  get handshakeFailure(): CommError | undefined {
    return this.handshakeError;
  }

  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void> {
    return peerCall(this.rank, this.size, peer, tag, "send", this.linkOf(peer), (link) => link.sendData(tag, bytesOf(payload)));
  }

  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    return peerCall(this.rank, this.size, peer, tag, "recv", this.linkOf(peer), () => this.mailboxes.take(peer, tag, timeoutMs));
  }

  /** Like recv; the message's memory goes back to the receive pool once `consume` returns. */
  async recvWith(peer: number, tag: number, timeoutMs: number, consume: (bytes: Uint8Array) => void): Promise<void> {
    const bytes = await this.recv(peer, tag, timeoutMs);
    consume(bytes);
    this.pool.release(bytes);
  }

  /**
   * The sockets do not keep the process alive (pending receives hold a timer, pending writes hold
   * their request), so a program that ends without close() reaches 'beforeExit': the transport then
   * closes itself with the handshake, so its peers see it leave rather than vanish.
   */
  closeWhenAbandoned(): void {
    if (!this.closed) process.on("beforeExit", this.onBeforeExit);
  }

  /**
   * The closing handshake: BYE (with the count of DATA frames sent) to every peer, then resolves
   * once each peer confirmed it received everything, or left itself, or was lost. Rejects with
   * TIMEOUT when a live peer has not confirmed within a limit that grows with the bytes in flight.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.off("beforeExit", this.onBeforeExit);
    const open = this.openPeers();
    for (const peer of open) this.sendBye(peer);
    const pendingBytes = open.reduce((sum, peer) => sum + this.links[peer]!.pendingBytes, 0);
    const limitMs = drainLimitMs(this.identity.closeBaseMs, pendingBytes, this.identity.drainRateMbit);
    const settled = await waitUntil(() => this.openPeers().length === 0, (wake) => (this.wake = wake), limitMs);
    const unconfirmed = this.openPeers();
    this.shutdown(false);
    if (!settled) throw unconfirmedClose(this.rank, unconfirmed, limitMs, pendingBytes);
  }

  /** Closes at once without the handshake (a failed connect). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    process.off("beforeExit", this.onBeforeExit);
    this.shutdown(true);
  }

  private closeAbandoned(): void {
    process.stderr.write(`longhaul: rank ${this.rank}: the program finished without calling close(); closing its transport so its peers see it leave\n`);
    this.close().catch((error: unknown) => process.stderr.write(`longhaul: ${(error as Error).message}\n`));
  }

  private openPeers(): number[] {
    return this.peers.filter((p) => this.links[p] && !this.links[p]!.lost && !this.closing[p].settled);
  }

  private shutdown(now: boolean): void {
    const closedError = (): CommError => new CommError(`rank ${this.rank}: transport closed`, { code: "CLOSED", rank: this.rank });
    this.mailboxes.close(closedError);
    for (const clock of this.acks) clock.stop();
    for (const link of this.links) {
      if (now) link?.destroy(closedError);
      else link?.fail(closedError); // ends after what is queued (a last BYE_ACK) was written
    }
    for (const socket of this.reads) socket?.destroy();
    this.server?.close();
    this.pool.clear();
  }

  private linkOf(peer: number): UnixLink | undefined {
    return Number.isInteger(peer) ? this.links[peer] : undefined;
  }


  /**
   * Dials `peer`'s socket file; the connection carries this rank's HELLO out (with how many of the
   * peer's DATA frames arrived so far) and the peer's frames in. At start a peer not listening yet is
   * dialed again; `again` (its connection broke) it is gone.
   */
  private dial(peer: number, again = false): void {
    if (this.closed) return;
    const hello = (): Buffer => helloFrame(this.rank, this.size, this.identity.job, this.nextSeq[peer], encodeAgreement(this.identity.agreement));
    dialSocket(this.socketPath(peer), hello, {
      allocate: (bytes) => this.pool.take(bytes),
      frame: (header, payload) => this.onFrame(peer, header, payload),
      garbled: (why) => this.peerLost(peer, `it sent ${why}`),
      opened: (socket) => (this.reads[peer] = socket),
      closed: ({ opened, answered, refused }) => {
        if (this.closed || this.closing[peer].left || this.links[peer]?.lost) return;
        // A connection the peer answered on broke: dial again (its frames on the old one are all read, so the HELLO's count is exact).
        if (answered) return this.dial(peer, true);
        if (opened) return this.peerLost(peer, "it hung up on this rank's connection without answering");
        if (again && refused) return this.peerLost(peer, "its connection dropped before it closed, and its socket refuses a new one: its process is gone");
        setTimeout(() => this.dial(peer, again), REDIAL_MS).unref(); // not listening yet, or a passing error (a full backlog)
      },
    });
  }

  /** A peer dialed this rank: its HELLO says who it is; the connection is then this rank's way to write to it. */
  private accept(socket: net.Socket): void {
    readHello(socket, (header, payload) => this.onHello(socket, header, payload), (why) => this.dropped.drop(why));
  }

  private onHello(socket: net.Socket, h: FrameHeader, payload: Uint8Array): void {
    const refuse = (why: string): void => {
      this.dropped.drop(why);
      socket.destroy();
    };
    const stranger = helloRefusal(h, this.identity.job, (src) => src < this.size && src !== this.rank && this.connects(src));
    if (stranger) return refuse(stranger);
    if (this.links[h.src]?.lost) return refuse(`a connection from rank ${h.src}, already lost, refused`);
    const theirs = decodeAgreement(payload);
    if (!theirs) return refuse("malformed HELLO");
    const differs = disagreement(this.identity.agreement, theirs);
    if (differs && !this.handshakeError) this.handshakeError = disagrees(this.rank, h.src, differs);
    if (this.links[h.src]) return this.reattach(h.src, socket, h.seq);
    const link = new UnixLink(this.rank, h.src, this.identity.job, socket, (why) => this.peerLost(h.src, why), this.identity.reconnectTimeoutMs);
    this.links[h.src] = link;
    if (this.closed) return link.destroy(() => new CommError(`rank ${this.rank}: transport closed`, { code: "CLOSED", rank: this.rank }));
    this.handshakeStep?.();
    link.sendControl(FrameKind.READY).then(
      () => {
        this.readySent.add(h.src);
        this.handshakeStep?.();
      },
      () => undefined,
    );
  }

  /** The peer dialed again after its connection broke: the link writes what it had not acknowledged on the new one. */
  private reattach(peer: number, socket: net.Socket, next: number): void {
    const link = this.links[peer]!;
    const cannot = link.reattach(socket, next);
    if (cannot) return this.peerLost(peer, cannot);
    link.sendControl(FrameKind.READY).catch(() => undefined);
    this.acks[peer].flush(); // ACKs lost with the old connection
    if (this.closed) this.sendBye(peer);
  }

  /**
   * BYE carries the count of DATA frames this rank sent the peer and, as an ACK does, how many of
   * the peer's it received: a large send of the peer's that this rank has read completes there
   * even when the BYE (on this rank's connection) overtakes the end of the write (on the peer's).
   */
  private sendBye(peer: number): void {
    const link = this.links[peer]!;
    link.sendControl(FrameKind.BYE, link.sentFrames, undefined, this.nextSeq[peer]).catch(() => undefined);
  }

  private onFrame(peer: number, h: FrameHeader, payload: Uint8Array): void {
    if (h.job !== this.identity.job || h.src !== peer) return this.peerLost(peer, "it sent a frame of another job or rank on its connection");
    switch (h.kind) {
      case FrameKind.DATA:
        if (h.seq !== this.nextSeq[peer]) return this.peerLost(peer, `it sent DATA frame ${h.seq} where ${this.nextSeq[peer]} was due`);
        this.nextSeq[peer] = (h.seq + 1) >>> 0;
        this.acks[peer].delivered(payload.byteLength, (h.flags & FLAG_ACK) !== 0);
        this.mailboxes.deliver(peer, h.tag, payload);
        return this.onVerdict(peer, this.closing[peer].countData(0));
      case FrameKind.ACK:
        return this.links[peer]?.acknowledged(h.seq);
      case FrameKind.READY:
        this.readyFrom.add(peer);
        return this.handshakeStep?.();
      case FrameKind.BYE:
        this.links[peer]?.acknowledged(h.seq);
        return this.onVerdict(peer, this.closing[peer].onBye(0, 1, h.tag));
      case FrameKind.BYE_ACK:
        this.closing[peer].ackedOurs = true;
        return this.wake?.();
      default:
        return this.dropped.drop(`unexpected frame kind ${h.kind} from rank ${peer}`);
    }
  }

  private onVerdict(peer: number, verdict: ByeVerdict): void {
    if (verdict.state === "waiting") return;
    if (verdict.state === "short") return this.peerLost(peer, `its transport closed, but ${verdict.missing} of the frames it sent never arrived`);
    // Everything the peer sent is here: confirm, then fail only what waits for more from it.
    this.links[peer]?.sendControl(FrameKind.BYE_ACK).catch(() => undefined);
    this.peerLost(peer, "it closed its transport");
    this.wake?.();
  }

  private peerLost(peer: number, why: string): void {
    const error = (): CommError =>
      new CommError(`rank ${this.rank}: peer ${peer} is gone (${why}; socket ${this.socketPath(peer)}); check rank ${peer}'s output for why it stopped`, {
        code: "PEER_LOST",
        rank: this.rank,
        peer,
      });
    this.mailboxes.failPeer(peer, error);
    this.acks[peer].stop();
    this.links[peer]?.fail(error);
    if (!this.closing[peer].left) this.reads[peer]?.destroy();
    this.wake?.();
  }
}
