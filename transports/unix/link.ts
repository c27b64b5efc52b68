import type { Socket } from "node:net";
import { CommError } from "../../world/comm-error.js";
import { Slab } from "../slab.js";
import { encodeFrameInto, FLAG_ACK, FrameKind, HEADER_BYTES, type FrameKindValue } from "../frames.js";
import { Outbox } from "../resend/outbox.js";

/** Payloads up to this size are copied behind their header into one buffer: one write, one syscall. */
const JOIN_BELOW_BYTES = 64 * 1024;

/** A DATA frame kept until the peer's cumulative ACK covers it. */
interface KeptFrame {
  readonly seq: number;
  /** The header, with the payload behind it when it was joined (a copy). */
  readonly frame: Buffer;
  /** A large payload: the caller's buffer, which its send does not release before the ACK. */
  readonly payload?: Uint8Array;
  readonly bytes: number;
  /** Settles a large payload's send; its timer bounds the wait (and, like a recv's, holds the process while it lasts). */
  waiter?: { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
}

/**
 * The sending side of one peer link over a Unix socket: frames are [40-byte header][payload],
 * written by this thread straight to the kernel (no I/O thread). Every DATA frame carries the
 * link's next sequence number and is kept until the peer's cumulative ACK covers it: a connection
 * that breaks while the peer lives is dialed again by the peer, and what it had not acknowledged is
 * written again on the new one (reattach). A small payload is copied behind its header anyway, so
 * its send resolves once the kernel took it (or at once while the link is down); a large payload is
 * not copied — its send resolves on the peer's ACK, asked for at once (FLAG_ACK), so the caller's
 * buffer is only released when it can no longer be needed again.
 */
export class UnixLink {
  /** DATA frames sent, for the closing handshake's count. */
  sentFrames = 0;
  /** Payload bytes of sends not yet acknowledged by the peer. */
  pendingBytes = 0;
  private failure?: () => CommError;
  private nextSeq = 0;
  private readonly outbox = new Outbox<KeptFrame>();
  /** Frames are carved from a slab: Node holds each until the kernel took it, and a carved region is never reused. */
  private readonly frames = new Slab();
  private socket: Socket | undefined;
  /** While the connection is broken: the bound on the peer's dialing again. */
  private redialDeadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly rank: number,
    readonly peer: number,
    private readonly job: bigint,
    socket: Socket,
    /** The connection broke and the peer did not dial again within `boundMs`. */
    private readonly onGone: (why: string) => void,
    /** How long the peer may take to dial again after the connection broke, and a large send to be acknowledged (the op timeout). */
    private readonly boundMs: number,
  ) {
    this.attach(socket);
  }

  get lost(): boolean {
    return this.failure !== undefined;
  }

  /** The connection broke and the peer has not dialed again yet. */
  get down(): boolean {
    return this.socket === undefined;
  }

  sendData(tag: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const bytes = payload.byteLength;
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) >>> 0;
    this.sentFrames++;
    this.pendingBytes += bytes;
    const joined = bytes < JOIN_BELOW_BYTES;
    const frame = this.frame(FrameKind.DATA, joined ? 0 : FLAG_ACK, seq, tag, payload, joined);
    const kept: KeptFrame = { seq, frame, bytes, ...(!joined && { payload }) };
    this.outbox.add(kept);
    if (joined) return this.socket ? this.write(frame, undefined) : Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        kept.waiter = undefined;
        reject(new CommError(`rank ${this.rank}: peer ${this.peer} did not confirm a message of ${bytes} bytes within ${this.boundMs} ms; check that rank (is it alive and receiving?), or raise timeoutMs`, { code: "TIMEOUT", rank: this.rank, peer: this.peer, op: "send" }));
      }, this.boundMs);
      kept.waiter = { resolve, reject, timer };
      if (this.socket) this.write(frame, payload).catch(() => undefined); // the ACK, or the link's failure, settles it
    });
  }

  /** A control frame; `tag` carries its number (a BYE's count of DATA frames), `seq` an ACK's cumulative count. */
  sendControl(kind: FrameKindValue, tag = 0, payload?: Uint8Array, seq = 0): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    if (!this.socket) return Promise.resolve(); // an ACK is sent again on reattach; a lost one is replaced by the next
    const frame = this.frame(kind, 0, seq, tag, payload, payload !== undefined && payload.byteLength < JOIN_BELOW_BYTES);
    return this.write(frame, payload && payload.byteLength >= JOIN_BELOW_BYTES ? payload : undefined);
  }

  /** The peer has every DATA frame before `next`. */
  acknowledged(next: number): void {
    this.outbox.release(next, (kept) => {
      this.pendingBytes -= kept.bytes;
      if (!kept.waiter) return;
      clearTimeout(kept.waiter.timer);
      kept.waiter.resolve();
    });
  }

  /**
   * The peer dialed again after the connection broke, having every frame before `next`: writes the
   * rest of what it had not acknowledged on the new connection, in order, before anything newer.
   */
  reattach(socket: Socket, next: number): void {
    clearTimeout(this.redialDeadline);
    this.socket?.destroy();
    this.attach(socket);
    this.acknowledged(next);
    for (const kept of this.outbox.kept()) this.write(kept.frame, kept.payload).catch(() => undefined);
  }

  /** Fails later sends with `error`; ends the socket once what is queued on it was written (a last BYE_ACK). */
  fail(error: () => CommError): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.redialDeadline);
    this.rejectKept(error);
    this.socket?.end();
  }

  /** Fails later sends and drops the socket now, queued bytes and all. */
  destroy(error: () => CommError): void {
    this.failure ??= error;
    clearTimeout(this.redialDeadline);
    this.rejectKept(error);
    this.socket?.destroy();
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    // A write to a peer that is gone fails with EPIPE on its callback; the event must have a listener.
    socket.on("error", () => undefined);
    socket.once("close", () => {
      if (this.socket !== socket) return; // replaced already
      this.socket = undefined;
      if (this.failure) return;
      this.redialDeadline = setTimeout(() => {
        if (!this.socket && !this.failure) this.onGone(`its connection broke and it did not dial again within ${this.boundMs} ms`);
      }, this.boundMs);
      this.redialDeadline.unref();
    });
  }

  private rejectKept(error: () => CommError): void {
    for (const kept of this.outbox.clear()) {
      if (!kept.waiter) continue;
      clearTimeout(kept.waiter.timer);
      kept.waiter.reject(error());
    }
    this.pendingBytes = 0;
  }

  private frame(kind: FrameKindValue, flags: number, seq: number, tag: number, payload: Uint8Array | undefined, joined: boolean): Buffer {
    const bytes = payload?.byteLength ?? 0;
    const frame = this.frames.take(HEADER_BYTES + (joined ? bytes : 0));
    const header = { kind, flags, stripe: 0, stripes: 1, src: this.rank, seq, tag, total: bytes, job: this.job };
    return encodeFrameInto(header, joined ? payload : undefined, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  /**
   * Writes one frame (its header, then `payload` when it is not joined) on the current connection.
   * Resolves once the kernel took it; a write the broken connection refused also resolves — what it
   * carried is kept and written again on the next connection — unless the link failed.
   */
  private write(frame: Buffer, payload: Uint8Array | undefined): Promise<void> {
    const socket = this.socket!;
    return new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => {
        if (error && this.failure) reject(this.failure());
        else resolve();
      };
      if (!payload) {
        socket.write(frame, done);
        return;
      }
      socket.cork();
      socket.write(frame);
      socket.write(payload, done);
      socket.uncork();
    });
  }
}
