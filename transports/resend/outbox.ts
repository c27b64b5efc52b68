/**
 * What a link has sent and its peer has not yet acknowledged, oldest first, so that it can be sent
 * again after the connection was reset. Sequence numbers are per link, consecutive, and wrap at 2^32;
 * the peer's ACK is cumulative ("every message before `next` arrived"), so releasing is popping the
 * front. Entries hold references, never copies: the sender decides what is safe to keep.
 */
export class Outbox<T extends { readonly seq: number }> {
  private items: Array<T | undefined> = [];
  private head = 0;

  add(item: T): void {
    this.items.push(item);
  }

  /** Drops every message sent before `next` (mod 2^32), oldest first, handing each to `released`. */
  release(next: number, released?: (item: T) => void): void {
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (!before(item.seq, next)) break;
      this.items[this.head++] = undefined;
      released?.(item);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The messages still unacknowledged, oldest first. */
  kept(): T[] {
    return this.items.slice(this.head) as T[];
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Empties the outbox (the link failed) and returns what it held. */
  clear(): T[] {
    const left = this.kept();
    this.items = [];
    this.head = 0;
    return left;
  }
}

/** Whether sequence number `seq` comes before `next` on a wrapping 32-bit counter. */
export function before(seq: number, next: number): boolean {
  const ahead = (next - seq) >>> 0;
  return ahead !== 0 && ahead < 0x80000000;
}
