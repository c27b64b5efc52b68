import { CommError } from "./errors.js";

interface Waiter {
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Box {
  queued: Uint8Array[];
  waiting: Waiter[];
}

/**
 * Per-(peer, tag) mailboxes fed by a reader loop: a message waits in its box until a recv takes it,
 * or a recv waits until its message arrives, times out, or its peer is declared lost. Empty boxes
 * are dropped so tags that are used once (op sequence × step) do not pile up.
 */
export class Mailboxes {
  private readonly boxes: Array<Map<number, Box>>;
  private readonly lost = new Map<number, () => CommError>();
  private closedError?: () => CommError;

  constructor(
    private readonly rank: number,
    size: number,
  ) {
    this.boxes = Array.from({ length: size }, () => new Map());
  }

  deliver(peer: number, tag: number, bytes: Uint8Array): void {
    const box = this.boxes[peer].get(tag);
    const waiter = box?.waiting.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      this.dropIfEmpty(peer, tag, box!);
      waiter.resolve(bytes);
      return;
    }
    const target = box ?? this.newBox(peer, tag);
    target.queued.push(bytes);
  }

  take(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    const box = this.boxes[peer].get(tag);
    const ready = box?.queued.shift();
    if (ready) {
      this.dropIfEmpty(peer, tag, box!);
      return Promise.resolve(ready);
    }
    const failure = this.closedError ?? this.lost.get(peer);
    if (failure) return Promise.reject(failure());
    return new Promise((resolve, reject) => {
      const target = box ?? this.newBox(peer, tag);
      const timer = setTimeout(() => {
        const index = target.waiting.indexOf(waiter);
        if (index >= 0) target.waiting.splice(index, 1);
        this.dropIfEmpty(peer, tag, target);
        reject(
          new CommError(
            `rank ${this.rank}: no message from peer ${peer} (tag ${tag}) within ${timeoutMs} ms; check that rank ${peer} is alive and runs the same ops in the same order, or raise timeoutMs`,
            { code: "TIMEOUT", rank: this.rank, peer, op: "recv" },
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      target.waiting.push(waiter);
    });
  }

  /** Rejects every pending recv from `peer`; later recvs reject too once its queued messages are taken. */
  failPeer(peer: number, error: () => CommError): void {
    if (this.lost.has(peer)) return;
    this.lost.set(peer, error);
    this.rejectAll(this.boxes[peer], error);
  }

  isLost(peer: number): boolean {
    return this.lost.has(peer);
  }

  close(error: () => CommError): void {
    this.closedError = error;
    for (const boxes of this.boxes) this.rejectAll(boxes, error);
  }

  private rejectAll(boxes: Map<number, Box>, error: () => CommError): void {
    for (const [tag, box] of boxes) {
      for (const waiter of box.waiting.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(error());
      }
      if (box.queued.length === 0) boxes.delete(tag);
    }
  }

  private newBox(peer: number, tag: number): Box {
    const box: Box = { queued: [], waiting: [] };
    this.boxes[peer].set(tag, box);
    return box;
  }

  private dropIfEmpty(peer: number, tag: number, box: Box): void {
    if (box.queued.length === 0 && box.waiting.length === 0) this.boxes[peer].delete(tag);
  }
}
