import { Push, type SocketOptions } from "zeromq";
import { CommError } from "../../world/comm-error.js";
import { encodeHeader, FLAG_ACK, FrameKind, type FrameKindValue } from "../frames.js";
import { stripeBounds } from "../stripes.js";
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

/** ZeroMQ does not copy frames of 128 bytes or less itself; copying those again would be waste. */
const ZMQ_COPIES_BELOW = 129;

/**
 * The sending side of one peer link: `streams` PUSH sockets dialing the peer's PULL endpoint, each
 * with its own single writer. A zero-copy payload is still being read by ZeroMQ's I/O thread after
 * zeromq.js resolves its send, so such a send resolves only when the peer ACKs receipt: only then
 * may the caller reuse the buffer, as the Transport contract promises.
 */
export class PeerLink {
  readonly writers: SocketWriter[];
  readonly confirmed: boolean[];
  /** DATA frames handed to each stream's writer, for the closing handshake's counts. */
  readonly sentFrames: number[];
  /** Payload bytes of sends not yet finished (queued, on the wire unconfirmed, or awaiting an ACK). */
  pendingBytes = 0;
  private nextSeq = 0;
  private readonly acks = new Map<number, AckWaiter>();
  private failure?: () => CommError;
  private established = false;

  constructor(
    readonly options: LinkOptions,
    onDisconnect: () => void,
  ) {
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
        reconnectMaxInterval: 1000,
        ...options.security,
      });
      socket.connect(options.endpoint);
      return new SocketWriter(socket);
    });
    // A disconnect before the handshake is a peer still starting (or the emulator not yet able to
    // reach it); after it, the peer's process is gone. Stream 0 alone is watched: every stream
    // reaches the same peer, and each watched socket costs ZeroMQ two more sockets (its monitor).
    this.writers[0].socket.events.on("disconnect", () => {
      if (this.established && !this.failure) onDisconnect();
    });
  }

  get ready(): boolean {
    return this.confirmed.every(Boolean);
  }

  markEstablished(): void {
    this.established = true;
  }

  /**
   * Closes the disconnect monitor now instead of a while after its socket: for a worker thread about
   * to be torn down, where a monitor still open aborts the process (zeromq.js #411). Its receive loop
   * then rejects unhandled (ENOTSOCK), so only a thread on its way out calls this.
   */
  closeMonitor(): void {
    try {
      this.writers[0].socket.events.close();
    } catch {
      // already closed
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
    const streams = this.writers.length;
    return Promise.all(this.sentFrames.map((count, stream) => this.sendControl(FrameKind.BYE, stream, streams, 0, 0, count))).then(() => undefined);
  }

  sendData(tag: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) >>> 0;
    const total = payload.byteLength;
    const zeroCopy = total >= this.options.copyBelowBytes;
    const body = zeroCopy || total < ZMQ_COPIES_BELOW ? payload : Uint8Array.prototype.slice.call(payload);
    const stripes = this.writers.length > 1 && total >= this.options.stripeMinBytes ? this.writers.length : 1;
    const flags = zeroCopy ? FLAG_ACK : 0;
    const header = (stripe: number): Buffer => encodeHeader({ kind: FrameKind.DATA, flags, stripe, stripes, src: this.options.rank, seq, tag, total, job: this.options.job });
    for (let stripe = 0; stripe < stripes; stripe++) this.sentFrames[stripe]++;
    this.pendingBytes += total;
    const done = (): void => {
      this.pendingBytes -= total;
    };
    // The common small message: one frame pair, no ACK, no extra promise layers (latency path).
    if (!zeroCopy && stripes === 1) {
      return this.writers[0].send([header(0), body]).then(done, (error: unknown) => {
        done();
        return Promise.reject(this.sendError(error));
      });
    }
    const acked = zeroCopy ? this.expectAck(seq) : undefined;
    acked?.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
    const sends = Array.from({ length: stripes }, (_, stripe) => {
      const [start, end] = stripeBounds(total, stripes, stripe);
      return this.writers[stripe].send([header(stripe), stripes === 1 ? body : body.subarray(start, end)]);
    });
    return Promise.all(sends)
      .then(
        () => acked,
        (error: unknown) => {
          this.ackReceived(seq);
          return Promise.reject(this.sendError(error));
        },
      )
      .finally(done);
  }

  ackReceived(seq: number): void {
    const waiter = this.acks.get(seq);
    if (!waiter) return;
    this.acks.delete(seq);
    clearTimeout(waiter.timer);
    waiter.resolve();
  }

  /** Fails pending and future sends to this peer and closes its sockets. */
  fail(error: () => CommError, lingerMs = 0): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.acks.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error());
    }
    this.acks.clear();
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

  private expectAck(seq: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(seq);
        reject(
          new CommError(
            `rank ${this.options.rank}: peer ${this.options.peer} did not confirm a message within ${this.options.ackTimeoutMs} ms; the link (${this.options.endpoint}) is too slow or the peer stopped reading — raise timeoutMs or check that rank`,
            { code: "TIMEOUT", rank: this.options.rank, peer: this.options.peer, op: "send" },
          ),
        );
      }, this.options.ackTimeoutMs);
      this.acks.set(seq, { resolve, reject, timer });
    });
  }
}
