/** Min-heap of timed entries; equal deadlines come out in insertion order. */
export interface Timed {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class DeadlineHeap {
  private readonly items: Timed[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Timed | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items.length = 0;
  }

  push(entry: Timed): void {
    const h = this.items;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): Timed | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
