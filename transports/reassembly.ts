import { alignedView, type FrameHeader } from "./frames.js";
import { stripeBounds } from "./stripes.js";

interface Partial {
  bytes: Uint8Array;
  remaining: number;
}

interface Complete {
  header: FrameHeader;
  bytes: Uint8Array;
}

/**
 * Puts one sender's DATA messages back in send order and joins striped messages. With a single
 * stream every message arrives whole and in order (the fast path, no copy); stripes sent over
 * several sockets may interleave, so a message is released only when all earlier ones were.
 */
export class Reassembly {
  private next = 0;
  private readonly partial = new Map<number, Partial>();
  private readonly complete = new Map<number, Complete>();

  constructor(private readonly emit: (header: FrameHeader, bytes: Uint8Array) => void) {}

  accept(header: FrameHeader, payload: Uint8Array): void {
    if (header.stripes <= 1 && header.seq === this.next && this.complete.size === 0) {
      this.advance();
      this.emit(header, alignedView(payload));
      return;
    }
    if (header.stripes <= 1) {
      this.complete.set(header.seq, { header, bytes: alignedView(payload) });
    } else {
      this.addStripe(header, payload);
    }
    this.drain();
  }

  private addStripe(header: FrameHeader, payload: Uint8Array): void {
    let part = this.partial.get(header.seq);
    if (!part) {
      part = { bytes: new Uint8Array(header.total), remaining: header.stripes };
      this.partial.set(header.seq, part);
    }
    const [start] = stripeBounds(header.total, header.stripes, header.stripe);
    part.bytes.set(payload, start);
    if (--part.remaining === 0) {
      this.partial.delete(header.seq);
      this.complete.set(header.seq, { header, bytes: part.bytes });
    }
  }

  private drain(): void {
    for (let done = this.complete.get(this.next); done; done = this.complete.get(this.next)) {
      this.complete.delete(this.next);
      this.advance();
      this.emit(done.header, done.bytes);
    }
  }

  private advance(): void {
    this.next = (this.next + 1) >>> 0;
  }
}
