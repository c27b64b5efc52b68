import { CommError } from "../world/comm-error.js";
import { POISON_VARIANT, splitTag, VARIANT_CONFLICT, VARIANT_NAMES } from "./op-variants.js";

/** How many recent ops' variants are remembered per peer. */
const REMEMBERED_OPS = 256;

interface Waiter {
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
  peer: number;
  tag: number;
  box: Box;
  timeoutMs: number;
  /** Date.now() past which this recv fails with TIMEOUT. */
  deadline: number;
}

interface Box {
  queued: Uint8Array[];
  waiting: Waiter[];
}

/**
 * Per-(peer, tag) mailboxes fed by a reader loop: a message waits in its box until a recv takes it,
 * or a recv waits until its message arrives, times out, or its peer is declared lost. Empty boxes
 * are dropped so tags that are used once (op sequence × step) do not pile up.
 *
 * Deadlines share one timer (armed at the earliest one) instead of a setTimeout per recv: a small
 * message's recv then costs no timer-list insert and removal, which showed in loopback profiles.
 * The timer is not cleared when the last recv is served (toggling it per recv costs as much as the
 * timers it replaces): it lapses at its deadline, or at close(), which every transport calls.
 */
export class Mailboxes {
  private readonly boxes: Array<Map<number, Box>>;
  private readonly lost = new Map<number, () => CommError>();
  private closedError?: () => CommError;
  private readonly pending = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  /** Per peer: op → the algorithm slot this rank receives it with / the peer sent it with. */
  private readonly expected: RecentOps[];
  private readonly seen: RecentOps[];
  /** Ops some rank found the ranks disagree on: every receive for them fails. */
  private readonly poisoned = new Map<number, () => CommError>();

  constructor(
    private readonly rank: number,
    size: number,
  ) {
    this.boxes = Array.from({ length: size }, () => new Map());
    this.expected = Array.from({ length: size }, () => new RecentOps());
    this.seen = Array.from({ length: size }, () => new RecentOps());
  }

  deliver(peer: number, tag: number, bytes: Uint8Array): void {
    const { seq, variant } = splitTag(tag);
    if (seq > 0 && this.conflictOnDeliver(peer, seq, variant, bytes)) return;
    const box = this.boxes[peer].get(tag);
    const waiter = box?.waiting.shift();
    if (waiter) {
      this.settled(waiter);
      this.dropIfEmpty(peer, tag, box!);
      waiter.resolve(bytes);
      return;
    }
    const target = box ?? this.newBox(peer, tag);
    target.queued.push(bytes);
  }

  take(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
    const { seq, variant } = splitTag(tag);
    if (seq > 0) {
      const conflict = this.poisoned.get(seq) ?? this.conflictOnTake(peer, seq, variant);
      if (conflict) return Promise.reject(conflict());
    }
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
      const waiter: Waiter = { resolve, reject, peer, tag, box: target, timeoutMs, deadline: Date.now() + timeoutMs };
      target.waiting.push(waiter);
      this.pending.add(waiter);
      if (waiter.deadline < this.armedAt) this.arm(waiter.deadline);
    });
  }

  /** A message of another algorithm for an op this rank receives with one: fail that op's receives from the peer. */
  private conflictOnDeliver(peer: number, seq: number, variant: number, bytes: Uint8Array): boolean {
    if (variant === POISON_VARIANT) {
      const reason = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
      this.failOp(seq, () => this.variantError(peer, `rank ${peer} found that the ranks run different algorithms for this op (${reason})`));
      return true;
    }
    this.seen[peer].set(seq, variant);
    const mine = this.expected[peer].get(seq);
    if (mine === undefined || mine === variant) return false;
    this.failOp(seq, () => this.variantError(peer, `rank ${peer} runs this op with ${VARIANT_NAMES[variant]}, this rank with ${VARIANT_NAMES[mine]}`), peer);
    return true;
  }

  private conflictOnTake(peer: number, seq: number, variant: number): (() => CommError) | undefined {
    this.expected[peer].set(seq, variant);
    const theirs = this.seen[peer].get(seq);
    if (theirs === undefined || theirs === variant) return undefined;
    return () => this.variantError(peer, `rank ${peer} runs this op with ${VARIANT_NAMES[theirs]}, this rank with ${VARIANT_NAMES[variant]}`);
  }

  /** Rejects the pending receives of op `seq` (from `peer` only, or from everyone) and every later one. */
  private failOp(seq: number, error: () => CommError, peer?: number): void {
    if (peer === undefined) remember(this.poisoned, seq, error);
    for (const waiter of [...this.pending]) {
      if (splitTag(waiter.tag).seq !== seq || (peer !== undefined && waiter.peer !== peer)) continue;
      const index = waiter.box.waiting.indexOf(waiter);
      if (index >= 0) waiter.box.waiting.splice(index, 1);
      this.settled(waiter);
      this.dropIfEmpty(waiter.peer, waiter.tag, waiter.box);
      waiter.reject(error());
    }
  }

  private variantError(peer: number, detail: string): CommError {
    return new CommError(`rank ${this.rank}: ${detail}; every rank must pass the same algorithm (for "auto": the same link settings and calibration)`, {
      code: "MISMATCH",
      rank: this.rank,
      peer,
      cause: VARIANT_CONFLICT,
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
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private rejectAll(boxes: Map<number, Box>, error: () => CommError): void {
    for (const [tag, box] of boxes) {
      for (const waiter of box.waiting.splice(0)) {
        this.settled(waiter);
        waiter.reject(error());
      }
      if (box.queued.length === 0) boxes.delete(tag);
    }
  }

  private settled(waiter: Waiter): void {
    this.pending.delete(waiter);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()));
  }

  /** Fails the recvs whose deadline has passed and re-arms for the earliest one left. */
  private expire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const waiter of [...this.pending]) {
      if (waiter.deadline > now) {
        next = Math.min(next, waiter.deadline);
        continue;
      }
      const { box, peer, tag, timeoutMs } = waiter;
      const index = box.waiting.indexOf(waiter);
      if (index >= 0) box.waiting.splice(index, 1);
      this.pending.delete(waiter);
      if (this.boxes[peer].get(tag) === box) this.dropIfEmpty(peer, tag, box);
      waiter.reject(
        new CommError(
          `rank ${this.rank}: no message from peer ${peer} (tag ${tag}) within ${timeoutMs} ms; check that rank ${peer} is alive and runs the same ops in the same order, or raise timeoutMs`,
          { code: "TIMEOUT", rank: this.rank, peer, op: "recv" },
        ),
      );
    }
    if (next < Infinity) this.arm(next);
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

function remember<V>(map: Map<number, V>, seq: number, value: V): void {
  map.set(seq, value);
  if (map.size > REMEMBERED_OPS) map.delete(map.keys().next().value as number);
}

/**
 * The algorithm slot of the last REMEMBERED_OPS ops, in fixed arrays indexed by sequence number:
 * this runs on every message, where a Map's insert-and-evict churn cost measurable time.
 */
class RecentOps {
  private readonly seqs = new Float64Array(REMEMBERED_OPS).fill(-1);
  private readonly variants = new Uint8Array(REMEMBERED_OPS);

  set(seq: number, variant: number): void {
    const i = seq % REMEMBERED_OPS;
    this.seqs[i] = seq;
    this.variants[i] = variant;
  }

  get(seq: number): number | undefined {
    const i = seq % REMEMBERED_OPS;
    return this.seqs[i] === seq ? this.variants[i] : undefined;
  }
}
