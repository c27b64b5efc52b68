import net from "node:net";
import { PeerClosing, type ByeVerdict } from "../closing.js";
import type { AbortableTransport } from "../composite.js";
import { DroppedFrames } from "../dropped-frames.js";
import { CommError } from "../../world/comm-error.js";
import { FrameStreamReader } from "../frame-stream.js";
import { encodeFrameInto, FrameKind, HEADER_BYTES, type FrameHeader } from "../frames.js";
import { decodeAgreement, disagreement, encodeAgreement, MAX_AGREEMENT_BYTES } from "../job.js";
import { Mailboxes } from "../mailboxes.js";
import { peerCall } from "../peer-call.js";
import { ReceivePool } from "../receive-pool.js";
import { bytesOf } from "../transport.js";
import { UnixLink } from "./link.js";
import { listenUnix } from "./listen.js";
import type { WireIdentity } from "../zmq/transport.js";
import { disagrees, unconfirmedClose } from "../zmq/limits.js";
import { drainLimitMs, waitUntil } from "../zmq/drain.js";

/** How soon a dial to a peer that is not listening yet is tried again (ms). */
const REDIAL_MS = 10;

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
 * connection arrive in order and all of them, so the closing handshake's count is exact, and a
 * read connection that ends before its peer's BYE means the peer's process is gone.
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
    private readonly identity: Omit<WireIdentity, "curve">,
    /** The peers to link to (default: all). */
    private readonly connects: (peer: number) => boolean = () => true,
  ) {
    this.mailboxes = new Mailboxes(rank, size);
    this.dropped = new DroppedFrames(rank);
    this.closing = Array.from({ length: size }, () => new PeerClosing());
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
    for (const peer of open) this.links[peer]!.sendControl(FrameKind.BYE, this.links[peer]!.sentFrames).catch(() => undefined);
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


  /** Dials `peer`'s socket file; the connection carries this rank's HELLO out and the peer's frames in. */
  private dial(peer: number): void {
    if (this.closed) return;
    const reader = new FrameStreamReader(
      (bytes) => this.pool.take(bytes),
      (header, payload) => this.onFrame(peer, header, payload),
      (why) => this.peerLost(peer, `it sent ${why}`),
    );
    let connected = false;
    const socket = net.connect({
      path: this.socketPath(peer),
      onread: {
        buffer: () => reader.nextBuffer(),
        callback: (bytes: number) => {
          reader.onRead(bytes);
          return true; // false would pause reading
        },
      },
    });
    socket.unref();
    socket.once("connect", () => {
      connected = true;
      this.reads[peer] = socket;
      socket.write(helloFrame(this.rank, this.size, this.identity.job, encodeAgreement(this.identity.agreement)));
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      if (!connected) return void setTimeout(() => this.dial(peer), REDIAL_MS).unref();
      if (!this.closed && !this.closing[peer].left) this.peerLost(peer, "its connection dropped before it closed");
    });
  }

  /** A peer dialed this rank: its HELLO says who it is; the connection is then this rank's way to write to it. */
  private accept(socket: net.Socket): void {
    socket.unref();
    socket.on("error", () => undefined);
    const reader = new FrameStreamReader(
      (bytes) => new Uint8Array(bytes),
      (header, payload) => {
        socket.off("data", feed);
        this.onHello(socket, header, payload);
      },
      (why) => {
        this.dropped.drop(`connection refused: it sent ${why}`);
        socket.destroy();
      },
      MAX_AGREEMENT_BYTES, // nothing is allocated for more before the HELLO proved its job
    );
    const feed = (data: Buffer): void => reader.feed(data);
    socket.on("data", feed);
  }

  private onHello(socket: net.Socket, h: FrameHeader, payload: Uint8Array): void {
    const refuse = (why: string): void => {
      this.dropped.drop(why);
      socket.destroy();
    };
    if (h.kind !== FrameKind.HELLO) return refuse("connection refused: its first frame was not a HELLO");
    if (h.job !== this.identity.job) return refuse("connection of another job refused (is another job using this socket folder?)");
    if (!Number.isInteger(h.src) || h.src >= this.size || h.src === this.rank || !this.connects(h.src)) return refuse("connection from an unknown rank refused");
    if (this.links[h.src]) return refuse(`a second connection claiming rank ${h.src} refused`);
    const theirs = decodeAgreement(payload);
    if (!theirs) return refuse("malformed HELLO");
    const differs = disagreement(this.identity.agreement, theirs);
    if (differs && !this.handshakeError) this.handshakeError = disagrees(this.rank, h.src, differs);
    const link = new UnixLink(this.rank, h.src, this.identity.job, socket);
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

  private onFrame(peer: number, h: FrameHeader, payload: Uint8Array): void {
    if (h.job !== this.identity.job || h.src !== peer) return this.peerLost(peer, "it sent a frame of another job or rank on its connection");
    switch (h.kind) {
      case FrameKind.DATA:
        this.mailboxes.deliver(peer, h.tag, payload);
        return this.onVerdict(peer, this.closing[peer].countData(0));
      case FrameKind.READY:
        this.readyFrom.add(peer);
        return this.handshakeStep?.();
      case FrameKind.BYE:
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
    this.links[peer]?.fail(error);
    if (!this.closing[peer].left) this.reads[peer]?.destroy();
    this.wake?.();
  }
}

function helloFrame(rank: number, size: number, job: bigint, agreement: Uint8Array): Buffer {
  const header = { kind: FrameKind.HELLO, flags: 0, stripe: 0, stripes: 1, src: rank, seq: 0, tag: size, total: agreement.byteLength, job };
  return encodeFrameInto(header, agreement, Buffer.allocUnsafe(HEADER_BYTES + agreement.byteLength));
}
