import type { Socket } from "node:net";
import type { LinkShaper } from "./link.js";
import type { Scheduler } from "./scheduler.js";

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
  /** Per-connection window: bytes sent but not yet acknowledged (TCP's receive-window cap). */
  readonly windowBytes: number;
  /** One-way delay of the opposite direction: when the acknowledgement of delivered bytes gets back. */
  readonly ackDelayMs: number;
  /** Bottleneck queue: the source is paused while the link's serialization backlog exceeds this. */
  readonly queueMs: number;
}

/**
 * One direction of one proxied connection. Each chunk read from `src` gets a delivery deadline from
 * the link (rate, delay, jitter, loss), never earlier than the previous chunk's (jitter without
 * reordering), and is written to `dst` then. Like a TCP sender, the source stops (socket paused, so
 * the kernel buffers fill and the real sender blocks) while a window of bytes is unacknowledged or
 * the bottleneck queue is full: memory per direction stays within BDP + queue + one window.
 */
export class Pipe {
  private inflight = 0;
  private lastDeadline = 0;
  /** Chunks waiting for their deadline, in read order: delivery always drains from the front. */
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private delivered = 0;
  private paused = false;
  private ended = false;
  private ending = false;
  /** The source was reset (not a clean FIN): the destination is reset too, once the delay line is empty. */
  private reset = false;
  private resumeArmed = false;
  private ackPending: { at: number; bytes: number } | undefined;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly link: LinkShaper,
    private readonly sched: Scheduler,
    private readonly options: PipeOptions,
    private readonly gauge: Gauge,
  ) {
    src.on("data", (chunk: Buffer) => this.onData(chunk));
    // The end (a FIN, or a reset of a source that closed without one) travels like a last empty
    // chunk: one link delay after it left, and behind every byte still in the delay line.
    src.on("end", () => this.endAfterDelay(false));
    src.on("close", () => this.endAfterDelay(true));
    src.on("error", () => undefined); // the close that follows carries it
  }

  private endAfterDelay(reset: boolean): void {
    if (this.ending) return;
    this.ending = true;
    this.reset = reset;
    const at = Math.max(this.sched.now() + this.link.profile.delayMs, this.lastDeadline);
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

  private onData(chunk: Buffer): void {
    const now = this.sched.now();
    const n = chunk.length;
    this.inflight += n;
    this.gauge.add(n);
    const at = Math.max(this.link.transmit(n, now), this.lastDeadline);
    this.lastDeadline = at;
    this.queue.push(chunk);
    const position = this.queued++;
    // Whichever timer fires first delivers everything up to its chunk, so bytes never reorder.
    this.sched.at(at, () => this.deliverThrough(position), n <= PRECISE_CHUNK_BYTES);
    this.checkFlow(now);
  }

  private deliverThrough(position: number): void {
    while (this.delivered <= position) {
      this.delivered++;
      this.deliver(this.queue.shift() as Buffer);
    }
    this.maybeEnd();
  }

  private deliver(chunk: Buffer): void {
    const n = chunk.length;
    if (this.dst.destroyed || this.dst.writableEnded) {
      this.gauge.held -= n;
      return;
    }
    // The write callback runs once the bytes are in the kernel: a receiver that stops reading stops the acks.
    this.dst.write(chunk, () => {
      this.gauge.held -= n;
      this.ack(n);
    });
  }

  /** The acknowledgement of `n` bytes reaches the sender after the reverse delay; close ones share a timer. */
  private ack(n: number): void {
    const at = this.sched.now() + this.options.ackDelayMs;
    const pending = this.ackPending;
    if (pending && at - pending.at < ACK_COALESCE_MS) {
      pending.bytes += n;
      return;
    }
    const entry = { at, bytes: n };
    this.ackPending = entry;
    this.sched.at(at, () => {
      if (this.ackPending === entry) this.ackPending = undefined;
      this.inflight -= entry.bytes;
      this.checkFlow();
    });
  }

  private maybeEnd(): void {
    if (!this.ended || this.queue.length > 0 || this.dst.destroyed) return;
    if (this.reset) this.dst.end(() => this.dst.destroy());
    else if (!this.dst.writableEnded) this.dst.end();
  }

  private checkFlow(now = this.sched.now()): void {
    const backlog = this.link.backlogMs(now);
    const stop = this.inflight >= this.options.windowBytes || backlog > this.options.queueMs;
    if (stop && !this.paused) {
      this.paused = true;
      this.src.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      if (!this.src.destroyed) this.src.resume();
    }
    // A full queue drains on its own clock, not on an ack: look again when it should be below the limit.
    if (this.paused && backlog > this.options.queueMs && !this.resumeArmed) {
      this.resumeArmed = true;
      this.sched.at(now + backlog - this.options.queueMs + 0.01, () => {
        this.resumeArmed = false;
        this.checkFlow();
      });
    }
  }
}
