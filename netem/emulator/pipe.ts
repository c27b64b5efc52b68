import type { Socket } from "node:net";
import type { CongestionControl } from "../../model/tcp.js";
import { CongestionWindow } from "./congestion.js";
import { SEGMENT_BYTES, type LinkShaper } from "./link.js";
import { LOOSE_SLACK_MS, type Scheduler } from "./scheduler.js";

/** Chunks up to this size are latency-bound messages: delivered with the precise timer. */
const PRECISE_CHUNK_BYTES = 16 * 1024;

/** Acks due within this much of each other are released together (one timer, not one per chunk). */
const ACK_COALESCE_MS = 0.5;

/** Bytes the emulator holds in user space, and the most it ever held. */
export class Gauge {
  held = 0;
  peak = 0;
  add(n: number): void {
    this.held += n;
    if (this.held > this.peak) this.peak = this.held;
  }
}

export interface PipeOptions {
  /** Receive window: the most one connection may have sent and not yet acknowledged. */
  readonly windowBytes: number;
  /** The opposite direction: its one-way delay (with any added by a fault) is when an acknowledgement gets back. */
  readonly ackLink: Pick<LinkShaper, "delayMs" | "profile">;
  /** Bottleneck queue: the source is paused while the link's serialization backlog exceeds this. */
  readonly queueMs: number;
  /** Congestion control and idle restart (default: Linux's, cubic with slow start after idle). */
  readonly cc?: CongestionControl;
  readonly slowStartAfterIdle?: boolean;
}

/** Linux TCP_RTO_MAX: the retransmission timer's backoff stops doubling here. */
const RTO_MAX_MS = 120_000;

interface InFlight {
  readonly chunk: Buffer;
  readonly at: number;
  readonly lostSegments: number;
  /** Sent into a down link: it arrives only once a retransmission gets through. */
  blackholed: boolean;
}

/**
 * One direction of one proxied connection, as a TCP sender would move it. Bytes read from `src`
 * leave as the congestion window (congestion.ts: slow start from 10 segments, CUBIC/Reno/BBR,
 * idle restart, capped by the receive window) and the bottleneck queue allow; each chunk gets a
 * delivery deadline from the link (rate, delay, jitter, loss), never earlier than the previous
 * chunk's (jitter without reordering), and is written to `dst` then; its acknowledgement comes
 * back after the reverse delay, carrying any loss to the window. While bytes wait for the window
 * the source is paused (the kernel buffers fill and the real sender blocks): memory per direction
 * stays within BDP + queue + one window. A chunk that meets a down link is held, with everything
 * behind it, until a retransmission timeout (RTO, doubling up to RTO_MAX_MS) finds the link up.
 */
export class Pipe {
  private inflight = 0;
  private lastDeadline = 0;
  /** Read from the source, waiting for the window. */
  private readonly unsent: Buffer[] = [];
  private unsentBytes = 0;
  /** Chunks on the link, in read order: delivery always drains from the front. */
  private readonly queue: InFlight[] = [];
  private queued = 0;
  private delivered = 0;
  private paused = false;
  private ended = false;
  private ending = false;
  /** The source has ended; its end follows the last unsent byte. */
  private sourceEnd: { reset: boolean } | undefined;
  /** The source was reset (not a clean FIN): the destination is reset too, once the delay line is empty. */
  private reset = false;
  private resumeArmed = false;
  private ackPending: { at: number; bytes: number; lostSegments: number } | undefined;
  /** The front of the delay line met a down link: when that was, and how many timeouts since. */
  private stall: { since: number; backoffs: number } | undefined;
  readonly window: CongestionWindow;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly link: LinkShaper,
    private readonly sched: Scheduler,
    private readonly options: PipeOptions,
    private readonly gauge: Gauge,
  ) {
    this.window = new CongestionWindow({
      cc: options.cc ?? "cubic",
      capBytes: options.windowBytes,
      rttMs: link.profile.delayMs + options.ackLink.profile.delayMs,
      slowStartAfterIdle: options.slowStartAfterIdle ?? true,
      rateMbit: link.profile.rateMbit,
    });
    src.on("data", (chunk: Buffer) => this.onData(chunk));
    // The end (a FIN, or a reset of a source that closed without one) travels like a last empty
    // chunk: one link delay after its last byte left, and behind every byte still in the delay line.
    src.on("end", () => this.sourceEnded(false));
    src.on("close", () => this.sourceEnded(true));
    src.on("error", () => undefined); // the close that follows carries it
    dst.on("close", () => this.settleDrain());
  }

  private sourceEnded(reset: boolean): void {
    if (this.sourceEnd) return;
    this.sourceEnd = { reset };
    if (this.unsentBytes === 0) this.endAfterDelay();
  }

  private endAfterDelay(): void {
    if (this.ending || !this.sourceEnd) return;
    this.ending = true;
    this.reset = this.sourceEnd.reset;
    const at = Math.max(this.sched.now() + this.link.delayMs, this.lastDeadline);
    this.lastDeadline = at;
    this.sched.at(at, () => {
      this.ended = true;
      this.maybeEnd();
    }, true);
  }

  /** Whether everything read from the source has been handed on and the end passed to the destination. */
  get finished(): boolean {
    return this.ended && this.queue.length === 0;
  }

  /** Bytes this pipe took from its source, or the source's end, are still on their way to a destination that is open. */
  get draining(): boolean {
    if (this.dst.destroyed) return false;
    return this.queue.length > 0 || this.unsentBytes > 0 || (this.sourceEnd !== undefined && !this.finished);
  }

  /** Resolves once the pipe is not draining: its end delivered, or its destination gone. */
  drained(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private settleDrain(): void {
    if (this.draining) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private onData(chunk: Buffer): void {
    this.unsent.push(chunk);
    this.unsentBytes += chunk.length;
    this.gauge.add(chunk.length);
    this.pump();
  }

  /** Sends what the window and the bottleneck queue allow; pauses the source while bytes wait. */
  private pump(now = this.sched.now()): void {
    while (this.unsentBytes > 0 && !this.stall) {
      const backlog = this.link.backlogMs(now);
      if (backlog > this.options.queueMs) {
        this.armQueueDrain(now, backlog);
        break;
      }
      if (this.window.window <= this.inflight) break;
      // Restart after idle first: the restarted window, not the one before the silence, sizes this piece.
      this.window.beforeSend(now, this.inflight);
      const room = this.window.window - this.inflight;
      const head = this.unsent[0];
      // Congestion windows are fractional bytes; a piece is whole bytes, so the count stays integral.
      const take = Math.min(head.length, Math.max(Math.floor(room), SEGMENT_BYTES));
      let piece = head;
      if (take === head.length) this.unsent.shift();
      else {
        piece = head.subarray(0, take);
        this.unsent[0] = head.subarray(take);
      }
      this.unsentBytes -= piece.length;
      this.send(piece, now);
    }
    if (this.unsentBytes === 0 && this.sourceEnd) this.endAfterDelay();
    const stop = this.unsentBytes > 0;
    if (stop && !this.paused) {
      this.paused = true;
      this.src.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      if (!this.src.destroyed) this.src.resume();
    }
  }

  /** A full queue drains on its own clock, not on an ack: look again when it should be below the limit. */
  private armQueueDrain(now: number, backlog: number): void {
    if (this.resumeArmed) return;
    this.resumeArmed = true;
    // The loose queue may run an entry LOOSE_SLACK_MS early; aimed that much late, the queue is below the limit when it runs.
    this.sched.at(now + backlog - this.options.queueMs + LOOSE_SLACK_MS, () => {
      this.resumeArmed = false;
      this.pump();
    });
  }

  private send(chunk: Buffer, now: number): void {
    const n = chunk.length;
    this.inflight += n;
    const sent = this.link.transmit(n, now);
    const at = Math.max(sent.at, this.lastDeadline);
    this.lastDeadline = at;
    this.queue.push({ chunk, at, lostSegments: sent.lostSegments, blackholed: sent.blackholed });
    const position = this.queued++;
    // Whichever timer fires first delivers everything up to its chunk, so bytes never reorder.
    this.sched.at(at, () => this.deliverThrough(position), n <= PRECISE_CHUNK_BYTES);
  }

  private deliverThrough(position: number): void {
    while (!this.stall && this.delivered <= position) {
      const entry = this.queue[0];
      if (entry.blackholed || this.link.blocked) {
        this.stallAt(this.sched.now());
        return;
      }
      this.queue.shift();
      this.delivered++;
      this.deliver(entry);
    }
    this.maybeEnd();
    this.settleDrain();
  }

  private stallAt(now: number): void {
    this.stall = { since: now, backoffs: 0 };
    this.armRetransmit();
  }

  /** The retransmission timer: RTO, then doubling (Linux's backoff), from when the stall began. */
  private armRetransmit(): void {
    const stall = this.stall!;
    let wait = 0;
    for (let k = 0, rto = this.window.rto; k <= stall.backoffs; k++, rto = Math.min(2 * rto, RTO_MAX_MS)) wait += rto;
    this.sched.at(stall.since + wait, () => this.retransmit());
  }

  private retransmit(): void {
    if (this.dst.destroyed) return this.drop();
    const now = this.sched.now();
    if (this.link.blocked) {
      this.stall!.backoffs++;
      this.armRetransmit();
      return;
    }
    // The retransmission gets through: it and what was held behind it arrive a one-way delay on,
    // in order; the window starts again from one segment.
    this.stall = undefined;
    this.window.onTimeout(now);
    const arrives = now + this.link.delayMs;
    let through = -1;
    for (let i = 0; i < this.queue.length && this.queue[i].at <= arrives; i++) {
      this.queue[i].blackholed = false;
      through = this.delivered + i;
    }
    for (const entry of this.queue) entry.blackholed = false;
    this.lastDeadline = Math.max(this.lastDeadline, arrives);
    if (through >= 0) this.sched.at(arrives, () => this.deliverThrough(through));
    this.pump(now);
  }

  /** The destination is gone (a partition reset it): what was held is dropped. */
  private drop(): void {
    for (const entry of this.queue.splice(0)) this.gauge.held -= entry.chunk.length;
    for (const chunk of this.unsent.splice(0)) this.gauge.held -= chunk.length;
    this.unsentBytes = 0;
    this.stall = undefined;
  }

  private deliver(entry: InFlight): void {
    const n = entry.chunk.length;
    if (this.dst.destroyed || this.dst.writableEnded) {
      this.gauge.held -= n;
      return;
    }
    // The write callback runs once the bytes are in the kernel: a receiver that stops reading stops the acks.
    this.dst.write(entry.chunk, () => {
      this.gauge.held -= n;
      this.ack(n, entry.lostSegments);
    });
  }

  /** The acknowledgement of `n` bytes reaches the sender after the reverse delay; close ones share a timer. */
  private ack(n: number, lostSegments: number): void {
    const at = this.sched.now() + this.options.ackLink.delayMs;
    const pending = this.ackPending;
    if (pending && at - pending.at < ACK_COALESCE_MS) {
      pending.bytes += n;
      pending.lostSegments += lostSegments;
      return;
    }
    const entry = { at, bytes: n, lostSegments };
    this.ackPending = entry;
    this.sched.at(at, () => {
      if (this.ackPending === entry) this.ackPending = undefined;
      const limited = this.unsentBytes > 0 || 2 * this.inflight >= this.window.window;
      this.inflight -= entry.bytes;
      this.window.onAck(entry.bytes, entry.lostSegments, this.sched.now(), limited);
      this.pump();
    });
  }

  private maybeEnd(): void {
    if (!this.ended || this.queue.length > 0 || this.dst.destroyed) return;
    if (this.reset) this.dst.end(() => this.dst.destroy());
    else if (!this.dst.writableEnded) this.dst.end();
    this.settleDrain();
  }
}
