import type { Socket } from "node:net";
import { CommError } from "../../world/comm-error.js";
import { Slab } from "../slab.js";
import { encodeFrameInto, FrameKind, HEADER_BYTES, type FrameKindValue } from "../frames.js";
import { Outbox } from "../resend/outbox.js";

/** Payloads up to this size are copied behind their header into one buffer: one write, one syscall. */
const JOIN_BELOW_BYTES = 64 * 1024;

/** A DATA frame kept until the peer's cumulative ACK covers it. */
interface KeptFrame {
  readonly seq: number;
  /** The header, with the payload behind it when it was joined (a copy). */
  readonly frame: Buffer;
  /** Not joined: its payload is written from the caller's buffer. */
  readonly large: boolean;
  /** The caller's buffer, held while its send is unresolved (until the kernel took it); undefined after. */
  payload?: Uint8Array;
  readonly bytes: number;
  /** Settles a large payload's send once the kernel took it. */
  waiter?: { resolve: () => void; reject: (error: Error) => void };
}

/**
 * The sending side of one peer link over a Unix socket: frames are [40-byte header][payload],
 * written by this thread straight to the kernel (no I/O thread). Every DATA frame carries the
 * link's next sequence number and is kept until the peer's cumulative ACK covers it: a connection
 * that breaks while the peer lives is dialed again by the peer, and what it had not acknowledged is
 * written again on the new one (reattach). A small payload is copied behind its header anyway, so
 * it can always be written again; its send resolves once the kernel took it (or at once while the
 * link is down). A large payload is not copied and its send resolves, as it always did, once the
 * kernel took it — from then on the caller may reuse its buffer, so the link no longer has its bytes:
 * if the connection breaks before the peer read such a frame, the link fails (PEER_LOST naming
 * why) instead of writing stale bytes. Holding large sends until the peer's ACK would make every
 * one of them wait a round trip and wake both processes once more (measured: +11% CPU on a 64 MiB
 * all-reduce of 4 processes here) for a fault a Unix socket between live processes hardly has.
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
    /** How long the peer may take to dial again after the connection broke (the op timeout). */
    private readonly boundMs: number,
  ) {
    this.attach(socket);
  }

  get lost(): boolean {
    return this.failure !== undefined;
  }

  sendData(tag: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const bytes = payload.byteLength;
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) >>> 0;
    this.sentFrames++;
    this.pendingBytes += bytes;
    const joined = bytes < JOIN_BELOW_BYTES;
    const frame = this.frame(FrameKind.DATA, 0, seq, tag, payload, joined);
    const kept: KeptFrame = { seq, frame, bytes, large: !joined, payload: joined ? undefined : payload };
    this.outbox.add(kept);
    if (joined) return this.socket ? this.write(frame) : Promise.resolve();
    return new Promise((resolve, reject) => {
      kept.waiter = { resolve, reject };
      this.writeLarge(kept);
    });
  }

  /** Writes a large frame from the caller's buffer; once the kernel took it the send resolves and the buffer is let go. While the link is down it waits for reattach. */
  private writeLarge(kept: KeptFrame): void {
    if (!this.socket) return;
    this.writeRaw(kept.frame, kept.payload, (error) => {
      const waiter = kept.waiter;
      if (!waiter) return;
      if (error) return void (this.failure && waiter.reject(this.failure())); // else written again on the next connection
      kept.payload = undefined;
      kept.waiter = undefined;
      waiter.resolve();
    });
  }

  /** A control frame; `tag` carries its number (a BYE's count of DATA frames), `seq` an ACK's cumulative count. */
  sendControl(kind: FrameKindValue, tag = 0, payload?: Uint8Array, seq = 0): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    if (!this.socket) return Promise.resolve(); // an ACK is sent again on reattach; a lost one is replaced by the next
    return this.write(this.frame(kind, 0, seq, tag, payload, true));
  }

  /** The peer has every DATA frame before `next`: a large send whose write has not reported back yet is done too. */
  acknowledged(next: number): void {
    this.outbox.release(next, (kept) => {
      this.pendingBytes -= kept.bytes;
      const waiter = kept.waiter;
      kept.waiter = undefined;
      kept.payload = undefined;
      waiter?.resolve();
    });
  }

  /**
   * The peer dialed again after the connection broke, having every frame before `next`: writes the
   * rest of what it had not acknowledged on the new connection, in order, before anything newer.
   * Returns why it cannot when a large frame the peer lacks had already left the caller's buffer.
   */
  reattach(socket: Socket, next: number): string | undefined {
    clearTimeout(this.redialDeadline);
    this.socket?.destroy();
    this.attach(socket);
    this.acknowledged(next);
    const kept = this.outbox.kept();
    const gone = kept.find((k) => k.large && !k.payload);
    if (gone) return `its connection broke before it read a ${gone.bytes}-byte message whose bytes this rank no longer holds (large sends are not copied); rerun the op`;
    for (const frame of kept) {
      if (frame.large) this.writeLarge(frame);
      else this.write(frame.frame).catch(() => undefined);
    }
    return undefined;
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
    for (const kept of this.outbox.clear()) kept.waiter?.reject(error());
    this.pendingBytes = 0;
  }

  private frame(kind: FrameKindValue, flags: number, seq: number, tag: number, payload: Uint8Array | undefined, joined: boolean): Buffer {
    const bytes = payload?.byteLength ?? 0;
    const frame = this.frames.take(HEADER_BYTES + (joined ? bytes : 0));
    const header = { kind, flags, stripe: 0, stripes: 1, src: this.rank, seq, tag, total: bytes, job: this.job };
    return encodeFrameInto(header, joined ? payload : undefined, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  /**
   * Writes one frame on the current connection. Resolves once the kernel took it, and also when the
   * broken connection refused it (what it carried is kept and written again on the next one);
   * rejects only when the link failed.
   */
  private write(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.writeRaw(frame, undefined, (error) => (error && this.failure ? reject(this.failure()) : resolve())));
  }

  /** Writes the header (with a joined payload behind it), then `payload` when it is not joined; `done` gets the kernel's answer. */
  private writeRaw(frame: Buffer, payload: Uint8Array | undefined, done: (error?: Error | null) => void): void {
    const socket = this.socket!;
    if (!payload) {
      socket.write(frame, done);
      return;
    }
    socket.cork();
    socket.write(frame);
    socket.write(payload, done);
    socket.uncork();
  }
}
