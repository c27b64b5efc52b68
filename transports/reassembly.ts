import { alignedView, FLAG_RESENT, type FrameHeader } from "./frames.js";
import { before } from "./resend/outbox.js";
import { stripeBounds } from "./stripes.js";

/** How far ahead of the next expected message a sequence number may be (older or further ones are dropped). */
export const SEQ_WINDOW = 1 << 16;

/** Largest message a peer may announce (Node's typed arrays stop at 2^32 - 1 bytes). */
export const MAX_MESSAGE_BYTES = 2 ** 32 - 1;

/** accept()'s answer for a resent frame whose message (or stripe) is already here: not a fault, nothing to count. */
export const DUPLICATE = "duplicate of a message sent again after a reconnect";

interface Partial {
  header: FrameHeader;
  bytes: Uint8Array;
  seen: Set<number>;
}

interface Complete {
  header: FrameHeader;
  bytes: Uint8Array;
}

/**
 * Puts one sender's DATA messages back in send order and joins striped messages. With a single
 * stream every message arrives whole and in order (the fast path, no copy); stripes sent over
 * several sockets may interleave, so a message is released only when all earlier ones were.
 *
 * Every field is checked before it is used: a frame whose sequence number is outside the window,
 * whose stripe does not fit the sender's stream count, or whose payload length disagrees with the
 * total it announces is refused (accept() returns why) and allocates nothing. A striped message's
 * buffer is allocated at its first stripe, which must itself carry 1/stripes of the total: a forged
 * header cannot make this rank allocate more than `maxStripes` times the bytes it actually sent.
 */
export class Reassembly {
  private next = 0;
  private readonly partial = new Map<number, Partial>();
  private readonly complete = new Map<number, Complete>();

  constructor(
    private readonly emit: (header: FrameHeader, bytes: Uint8Array) => void,
    private readonly maxStripes: () => number,
  ) {}

  /** Every message before this sequence number was emitted (what a cumulative ACK says). */
  get nextSeq(): number {
    return this.next;
  }

  /** Takes one DATA frame; returns undefined when accepted, DUPLICATE for a resent copy already here, else the reason it was dropped. */
  accept(header: FrameHeader, payload: Uint8Array): string | undefined {
    const problem = this.checkShape(header, payload);
    if (problem) return problem;
    if (header.flags & FLAG_RESENT && this.alreadyHere(header)) return DUPLICATE;
    const misplaced = this.checkPlace(header);
    if (misplaced) return misplaced;
    if (header.stripes <= 1 && header.seq === this.next && this.complete.size === 0) {
      this.advance();
      this.emit(header, alignedView(payload));
      return undefined;
    }
    if (header.stripes <= 1) {
      this.complete.set(header.seq, { header, bytes: alignedView(payload) });
    } else {
      const refused = this.addStripe(header, payload);
      if (refused) return refused;
    }
    this.drain();
    return undefined;
  }

  private alreadyHere(h: FrameHeader): boolean {
    if (before(h.seq, this.next) && ((this.next - h.seq) >>> 0) <= SEQ_WINDOW) return true;
    if (this.complete.has(h.seq)) return true;
    return this.partial.get(h.seq)?.seen.has(h.stripe) ?? false;
  }

  private checkPlace(h: FrameHeader): string | undefined {
    if (((h.seq - this.next) >>> 0) >= SEQ_WINDOW) return "sequence number outside the window (duplicate or forged)";
    if (this.complete.has(h.seq) || (h.stripes <= 1 && this.partial.has(h.seq))) return "duplicate message";
    return undefined;
  }

  private checkShape(h: FrameHeader, payload: Uint8Array): string | undefined {
    if (!Number.isSafeInteger(h.total) || h.total < 0 || h.total > MAX_MESSAGE_BYTES) return "impossible message length";
    if (h.stripes < 1 || h.stripes > Math.max(1, this.maxStripes()) || h.stripe >= h.stripes) return "stripe outside the sender's streams";
    const [start, end] = h.stripes <= 1 ? [0, h.total] : stripeBounds(h.total, h.stripes, h.stripe);
    if (payload.byteLength !== end - start) return "payload length disagrees with the header";
    return undefined;
  }

  private addStripe(header: FrameHeader, payload: Uint8Array): string | undefined {
    let part = this.partial.get(header.seq);
    if (!part) {
      part = { header, bytes: new Uint8Array(header.total), seen: new Set() };
      this.partial.set(header.seq, part);
    } else if (part.header.total !== header.total || part.header.stripes !== header.stripes || part.header.tag !== header.tag) {
      return "stripe disagrees with the message it joins";
    }
    if (part.seen.has(header.stripe)) return "duplicate stripe";
    part.seen.add(header.stripe);
    const [start] = stripeBounds(header.total, header.stripes, header.stripe);
    part.bytes.set(payload, start);
    if (part.seen.size === header.stripes) {
      this.partial.delete(header.seq);
      this.complete.set(header.seq, { header, bytes: part.bytes });
    }
    return undefined;
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
