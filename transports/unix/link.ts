import type { Socket } from "node:net";
import { CommError } from "../../world/comm-error.js";
import { Slab } from "../slab.js";
import { encodeFrameInto, FrameKind, HEADER_BYTES, type FrameKindValue } from "../frames.js";

/** Payloads up to this size are copied behind their header into one buffer: one write, one syscall. */
const JOIN_BELOW_BYTES = 64 * 1024;

/**
 * The sending side of one peer link over a Unix socket: frames are [40-byte header][payload],
 * written by this thread straight to the kernel (no I/O thread, no ACK). A send resolves when Node
 * has handed its bytes to the kernel — until then Node holds the caller's buffer, uncopied, so the
 * Transport contract (no reuse before the promise resolves) is kept without a copy.
 */
export class UnixLink {
  /** DATA frames sent, for the closing handshake's count. */
  sentFrames = 0;
  /** Payload bytes of sends not yet handed to the kernel. */
  pendingBytes = 0;
  private failure?: () => CommError;
  /** Frames are carved from a slab: Node holds each until the kernel took it, and a carved region is never reused. */
  private readonly frames = new Slab();

  constructor(
    private readonly rank: number,
    readonly peer: number,
    private readonly job: bigint,
    private readonly socket: Socket,
  ) {
    // A write to a peer that is gone fails with EPIPE on its callback; the event must have a listener.
    socket.on("error", () => undefined);
  }

  get lost(): boolean {
    return this.failure !== undefined;
  }

  sendData(tag: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    const total = payload.byteLength;
    this.sentFrames++;
    this.pendingBytes += total;
    return this.write(FrameKind.DATA, tag, payload, total);
  }

  /** A control frame; `tag` carries its number (a BYE's count of DATA frames: `total` is always the payload's length on a stream). */
  sendControl(kind: FrameKindValue, tag = 0, payload?: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure());
    return this.write(kind, tag, payload, 0);
  }

  /** Fails later sends with `error`; ends the socket once what is queued on it was written (a last BYE_ACK). */
  fail(error: () => CommError): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.end();
  }

  /** Fails later sends and drops the socket now, queued bytes and all. */
  destroy(error: () => CommError): void {
    this.failure ??= error;
    this.socket.destroy();
  }

  /** Writes one frame; `pending` payload bytes leave pendingBytes once the kernel took them (or the write failed). */
  private write(kind: FrameKindValue, tag: number, payload: Uint8Array | undefined, pending: number): Promise<void> {
    const bytes = payload?.byteLength ?? 0;
    const joined = bytes < JOIN_BELOW_BYTES;
    const frame = this.frames.take(HEADER_BYTES + (joined ? bytes : 0));
    const header = encodeFrameInto({ kind, flags: 0, stripe: 0, stripes: 1, src: this.rank, seq: 0, tag, total: bytes, job: this.job }, joined ? payload : undefined, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    return new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => {
        this.pendingBytes -= pending;
        if (error) reject(this.sendError(error));
        else resolve();
      };
      if (joined) {
        this.socket.write(header, done);
        return;
      }
      this.socket.cork();
      this.socket.write(header);
      this.socket.write(payload!, done);
      this.socket.uncork();
    });
  }

  private sendError(error: Error): CommError {
    if (this.failure) return this.failure();
    return new CommError(`rank ${this.rank}: send to peer ${this.peer} failed: ${error.message}`, { code: "PEER_LOST", rank: this.rank, peer: this.peer, op: "send", cause: error });
  }
}
