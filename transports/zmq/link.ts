import { Push, type SocketOptions } from "zeromq";
import { CommError } from "../../world/comm-error.js";
import { encodeHeader, FLAG_ACK, FLAG_RESENT, FrameKind, type FrameKindValue } from "../frames.js";
import { Outbox } from "../resend/outbox.js";
import { stripeBounds } from "../stripes.js";
import { LinkRecovery } from "./recovery.js";
import { SocketWriter } from "./writer.js";

export interface LinkOptions {
  rank: number;
  peer: number;
  endpoint: string;
  /** Sockets (TCP connections) to this peer; large payloads are striped across them. */
  streams: number;
  /** Payloads below this are copied at send; larger ones go zero-copy and resolve on the peer's ACK. */
  copyBelowBytes: number;
  /** Payloads from this size on are striped when streams > 1. */
  stripeMinBytes: number;
  /** How long a zero-copy send waits for the peer's ACK before a TIMEOUT. */
  ackTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** How long a dropped connection may take to come back before the peer counts as lost (the op timeout). */
  reconnectTimeoutMs: number;
  /** Job token stamped on every frame. */
  job: bigint;
  /** CURVE client keys (encrypted, authenticated links), when the job uses them. */
  security?: Partial<SocketOptions<Push>>;
}

interface AckWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * ZeroMQ's redial backoff (doubling from 50 ms) tops out here: a link that comes back after a flap
 * is redialed within this (at 1 s, a 2 s partition cost half a second more). It is fixed at
 * connect (libzmq copies a socket's options into its connection then), so a peer still starting is
 * dialed this often too — four tries a second per socket.
 */
const REDIAL_MAX_MS = 250;

/** A DATA message kept until the peer's cumulative ACK covers it. */
interface KeptMessage {
  readonly seq: number;
  readonly tag: number;
  readonly flags: number;
  readonly stripes: number;
  /** The copy made at send, or — zero-copy — the caller's buffer, which it may not touch before this message's ACK resolves its send. */
  readonly body: Uint8Array;
  waiter?: AckWaiter;
}

export interface LinkEvents {
  /** A stream's connection came back after a drop (what it lost was sent again). */
  reconnected(stream: number): void;
  /** The link will not come back (see LinkRecovery). */
  gone(why: string): void;
}

/**
 * The sending side of one peer link: `streams` PUSH sockets dialing the peer's PULL endpoint, each
 * with its own single writer. A zero-copy payload is still being read by ZeroMQ's I/O thread after
 * zeromq.js resolves its send, so such a send resolves only when the peer ACKs receipt: only then
 * may the caller reuse the buffer, as the Transport contract promises.
 *
 * ZeroMQ redials a connection that was reset, but what was in flight on it (and a message half
 * written) is gone. So every DATA message stays in the outbox until the peer's cumulative ACK covers
 * it, and when a stream's connection is back its part of every kept message is sent again, marked
 * resent (the receiver drops copies it has). Kept are references: the copy made at send anyway, or
 * the caller's buffer of a zero-copy send, which is not released to the caller before its ACK.
 */
export class PeerLink {
  readonly writers: SocketWriter[];
  readonly confirmed: boolean[];
  /** DATA frames handed to each stream's writer, for the closing handshake's counts. */
  readonly sentFrames: number[];
  /** Payload bytes of sends not yet finished (queued, on the wire unconfirmed, or awaiting an ACK). */
  pendingBytes = 0;
  private nextSeq = 0;
  private readonly outbox = new Outbox<KeptMessage>();
  private readonly recovery: LinkRecovery;
  private failure?: () => CommError;
  /** BYE was sent: a stream that comes back sends it again behind what it resends. */
  private closing = false;

  constructor(
    readonly options: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.recovery = new LinkRecovery(options.endpoint, options.reconnectTimeoutMs, {
      back: (stream) => this.resend(stream),
      lost: (why) => events.gone(why),
    });
    this.confirmed = new Array<boolean>(options.streams).fill(false);
    this.sentFrames = new Array<number>(options.streams).fill(0);
    this.writers = Array.from({ length: options.streams }, () => {
      // Kernel socket buffers stay unset: setting SO_SNDBUF/SO_RCVBUF turns off Linux's autotuning and
      // is capped at wmem_max (~208 KiB), far below a WAN bandwidth-delay product. The default HWM
      // (1000 messages) lets many segments be queued; the writer chain waits if it is ever reached.
      const socket = new Push({
        linger: 0,
        heartbeatInterval: options.heartbeatIntervalMs,
        heartbeatTimeout: options.heartbeatTimeoutMs,
        reconnectInterval: 50,
        reconnectMaxInterval: REDIAL_MAX_MS,
        ...options.security,
      });
      socket.connect(options.endpoint);
      return new SocketWriter(socket);
    });
    // A disconnect before the handshake is a peer still starting (or the emulator not yet able to
    // reach it); after it, a flap to recover from. Every stream is watched (each monitor costs
    // ZeroMQ two more sockets): a reset loses what was in flight on that stream alone.
    this.writers.forEach(({ socket }, stream) => {
      socket.events.on("disconnect", () => this.recovery.dropped(stream));
      socket.events.on("connect:retry", () => this.recovery.retried());
      socket.events.on("handshake", () => this.recovery.handshake(stream));
    });
  }

  get ready(): boolean {
    return this.confirmed.every(Boolean);
  }

  markEstablished(): void {
    this.recovery.watch();
  }


  /**
   * Closes the disconnect monitor now instead of a while after its socket: for a worker thread about
   * to be torn down, where a monitor still open aborts the process (zeromq.js #411). Its receive loop
   * then rejects unhandled (ENOTSOCK), so only a thread on its way out calls this.
   */
  closeMonitor(): void {
    for (const { socket } of this.writers) {
      try {
        socket.events.close();
      } catch {
        // already closed
      }
    }
  }

  get lost(): boolean {
    return this.failure !== undefined;
  }

  sendControl(kind: FrameKindValue, stream: number, stripes: number, seq: number, tag: number, total = 0, payload?: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const header = encodeHeader({ kind, flags: 0, stripe: stream, stripes, src: this.options.rank, seq, tag, total, job: this.options.job });
    return this.writers[stream].send(payload ? [header, payload] : [header]);
  }

  /** BYE on every stream, behind everything queued on it, with the count of DATA frames that stream carried. */
  sendBye(): Promise<void> {
    this.closing = true;
    return Promise.all(this.sentFrames.map((_, stream) => this.sendByeOn(stream))).then(() => undefined);
  }

  private sendByeOn(stream: number): Promise<void> {
    return this.sendControl(FrameKind.BYE, stream, this.writers.length, 0, 0, this.sentFrames[stream]);
  }

  sendData(tag: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) >>> 0;
    const total = payload.byteLength;
    const zeroCopy = total >= this.options.copyBelowBytes;
    const body = zeroCopy ? payload : Uint8Array.prototype.slice.call(payload);
    const stripes = this.writers.length > 1 && total >= this.options.stripeMinBytes ? this.writers.length : 1;
    const kept: KeptMessage = { seq, tag, flags: zeroCopy ? FLAG_ACK : 0, stripes, body };
    this.outbox.add(kept);
    for (let stripe = 0; stripe < stripes; stripe++) this.sentFrames[stripe]++;
    this.pendingBytes += total;
    const done = (): void => {
      this.pendingBytes -= total;
    };
    // The common small message: one frame pair, no waiting for the ACK, no extra promise layers (latency path).
    if (!zeroCopy && stripes === 1) {
      return this.writers[0].send(this.frames(kept, 0, 0)).then(done, (error: unknown) => {
        done();
        return Promise.reject(this.sendError(error));
      });
    }
    const acked = zeroCopy ? this.expectAck(kept) : undefined;
    acked?.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
    const sends = Array.from({ length: stripes }, (_, stripe) => this.writers[stripe].send(this.frames(kept, stripe, 0)));
    return Promise.all(sends)
      .then(
        () => acked,
        (error: unknown) => {
          this.settleWaiter(kept);
          return Promise.reject(this.sendError(error));
        },
      )
      .finally(done);
  }

  /** The peer has every message before `next`: their sends are done (zero-copy ones resolve) and nothing of them is kept. */
  acknowledged(next: number): void {
    this.outbox.release(next, (kept) => this.settleWaiter(kept));
  }

  /** Fails pending and future sends to this peer and closes its sockets. */
  fail(error: () => CommError, lingerMs = 0): void {
    if (this.failure) return;
    this.failure = error;
    this.recovery.stop();
    for (const kept of this.outbox.clear()) {
      if (!kept.waiter) continue;
      clearTimeout(kept.waiter.timer);
      kept.waiter.reject(error());
    }
    this.closeSockets(lingerMs);
  }

  /**
   * Ends the link after the closing handshake: later sends fail with CLOSED; frames still queued
   * (a last BYE_ACK) are flushed for at most `flushMs` — ZeroMQ's linger, which holds the process's
   * exit only while a peer is unreachable.
   */
  close(flushMs: number): void {
    const closed = (): CommError => new CommError(`rank ${this.options.rank}: transport closed; cannot send to peer ${this.options.peer}`, { code: "CLOSED", rank: this.options.rank, peer: this.options.peer });
    this.fail(closed, flushMs);
  }

  private closeSockets(lingerMs: number): void {
    for (const { socket } of this.writers) {
      if (socket.closed) continue;
      socket.linger = lingerMs;
      socket.close();
    }
  }

  /** The link's own failure if it has one (a socket closed under a send), else the send's error as PEER_LOST. */
  private sendError(error: unknown): CommError {
    if (this.failure) return this.failure();
    if (error instanceof CommError) return error;
    const { rank, peer } = this.options;
    return new CommError(`rank ${rank}: send to peer ${peer} failed: ${String(error)}`, { code: "PEER_LOST", rank, peer, op: "send", cause: error });
  }

  /** The frames of one stream's part of a message: its header (with `extraFlags`) and its bytes. */
  private frames(kept: KeptMessage, stripe: number, extraFlags: number): Uint8Array[] {
    const { seq, tag, flags, stripes, body } = kept;
    const total = body.byteLength;
    const header = encodeHeader({ kind: FrameKind.DATA, flags: flags | extraFlags, stripe, stripes, src: this.options.rank, seq, tag, total, job: this.options.job });
    if (stripes === 1) return [header, body];
    const [start, end] = stripeBounds(total, stripes, stripe);
    return [header, body.subarray(start, end)];
  }

  /** Stream `stream` is connected again: sends its part of every message the peer has not acknowledged, then says so. */
  private resend(stream: number): void {
    if (this.failure) return;
    for (const kept of this.outbox.kept()) {
      if (stream >= kept.stripes) continue;
      this.writers[stream].send(this.frames(kept, stream, FLAG_RESENT)).catch(() => undefined); // a failure fails the link
    }
    if (this.closing) this.sendByeOn(stream).catch(() => undefined);
    this.events.reconnected(stream);
  }

  private settleWaiter(kept: KeptMessage): void {
    const waiter = kept.waiter;
    if (!waiter) return;
    kept.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve();
  }

  private expectAck(kept: KeptMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        kept.waiter = undefined;
        reject(
          new CommError(
            `rank ${this.options.rank}: peer ${this.options.peer} did not confirm a message within ${this.options.ackTimeoutMs} ms; the link (${this.options.endpoint}) is too slow or the peer stopped reading — raise timeoutMs or check that rank`,
            { code: "TIMEOUT", rank: this.options.rank, peer: this.options.peer, op: "send" },
          ),
        );
      }, this.options.ackTimeoutMs);
      kept.waiter = { resolve, reject, timer };
    });
  }
}
