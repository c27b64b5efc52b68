import { decodeHeader, HEADER_BYTES, type FrameHeader } from "./frames.js";
import { MAX_MESSAGE_BYTES } from "./reassembly.js";

/** Payload bytes still to come from which the socket reads straight into the message (no copy through the chunk). */
const DIRECT_READ_MIN = 64 * 1024;

/** Bytes of the reused read buffer: headers, control frames and small messages land here first. */
export const CHUNK_BYTES = 256 * 1024;

const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream (one Unix socket) into frames: [40-byte header][payload of header.total
 * bytes]. Made for Node's `onread`: `nextBuffer()` names where the next read lands — the reused
 * chunk while a header or a small payload is due, or the rest of the current message's own buffer
 * when at least 64 KiB of it is still to come, so a large payload is read by the kernel straight
 * into the memory the receiver gets (no user-space copy, and no allocation per read).
 *
 * A header that is not one of ours, or announces an impossible length, stops the reader for good
 * (`refuse` says why): a stream has no frame boundaries to resynchronise on.
 */
export class FrameStreamReader {
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** Unconsumed bytes of the chunk are chunk[start, end). */
  private start = 0;
  private end = 0;
  private header: FrameHeader | undefined;
  private body: Uint8Array = EMPTY;
  private filled = 0;
  private direct = false;
  private stopped = false;

  constructor(
    /** Memory for a message of `bytes` payload bytes. */
    private readonly allocate: (bytes: number) => Uint8Array,
    private readonly emit: (header: FrameHeader, payload: Uint8Array) => void,
    private readonly refuse: (why: string) => void,
    /** The largest payload accepted (a connection not yet known to be a peer's gets a small bound). */
    private readonly maxPayloadBytes = MAX_MESSAGE_BYTES,
  ) {}

  /** Where the next read should land. */
  nextBuffer(): Uint8Array {
    if (this.header && this.body.byteLength - this.filled >= DIRECT_READ_MIN) {
      this.direct = true;
      return this.body.subarray(this.filled);
    }
    this.direct = false;
    if (this.start > 0) {
      this.chunk.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    return this.chunk.subarray(this.end);
  }

  /** `bytes` were read into the buffer the last nextBuffer() returned. */
  onRead(bytes: number): void {
    if (this.stopped) return;
    if (this.direct) {
      this.filled += bytes;
      if (this.filled === this.body.byteLength) this.finish();
      return;
    }
    this.end += bytes;
    this.parse();
  }

  /** Feeds bytes that arrived some other way (a socket read with 'data' events). */
  feed(data: Uint8Array): void {
    for (let offset = 0; offset < data.byteLength && !this.stopped; ) {
      const target = this.nextBuffer();
      const n = Math.min(target.byteLength, data.byteLength - offset);
      target.set(data.subarray(offset, offset + n));
      offset += n;
      this.onRead(n);
    }
  }

  private parse(): void {
    while (!this.stopped) {
      if (!this.header) {
        if (this.end - this.start < HEADER_BYTES) return;
        const header = decodeHeader(this.chunk.subarray(this.start, this.start + HEADER_BYTES));
        this.start += HEADER_BYTES;
        if (!header || !Number.isSafeInteger(header.total) || header.total < 0 || header.total > this.maxPayloadBytes) {
          this.stopped = true;
          return this.refuse(header ? "a frame announcing an impossible length" : "bytes that are not a longhaul frame");
        }
        this.header = header;
        this.body = header.total === 0 ? EMPTY : this.allocate(header.total);
        this.filled = 0;
      }
      const n = Math.min(this.end - this.start, this.body.byteLength - this.filled);
      if (n > 0) {
        this.body.set(this.chunk.subarray(this.start, this.start + n), this.filled);
        this.start += n;
        this.filled += n;
      }
      if (this.filled < this.body.byteLength) return;
      this.finish();
    }
  }

  private finish(): void {
    const header = this.header!;
    const body = this.body;
    this.header = undefined;
    this.body = EMPTY;
    this.emit(header, body);
  }
}
