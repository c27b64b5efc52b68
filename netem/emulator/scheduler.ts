import { performance } from "node:perf_hooks";
import { DeadlineHeap } from "./heap.js";

/**
 * Deadline scheduler finer than setTimeout. setTimeout has 1 ms granularity and fires ~0.1–0.6 ms
 * late here, so there are two queues, each with one timer for its earliest deadline and batch
 * release of everything due:
 * - precise (small, latency-bound messages): the timer is armed ~1 ms early and the rest of the
 *   wait is finished with setImmediate turns (which still serve I/O); error ~0.02 ms, some CPU.
 * - loose (bulk chunks, acknowledgements): plain timer, entries run within ±0.5 ms of their
 *   deadline, which does not move throughput and costs no busy-waiting.
 * Callers that need order between the two (a connection's bytes) keep their own FIFO.
 */
const TIMER_EARLY_MS = 1.2;
/** How early (and late) the loose queue runs an entry: a batch takes everything due within this. */
export const LOOSE_SLACK_MS = 0.5;

export interface Lateness {
  count: number;
  sumMs: number;
  maxMs: number;
}

class TimerQueue {
  private readonly heap = new DeadlineHeap();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private armedFor = Infinity;
  private firing = false;

  constructor(
    private readonly precise: boolean,
    private readonly lateness: Lateness,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  add(at: number, seq: number, run: () => void): void {
    this.heap.push({ at, seq, run });
    if (!this.firing && at < this.armedFor) this.arm();
  }

  close(): void {
    this.disarm();
    this.heap.clear();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    this.disarm();
    const next = this.heap.peek();
    if (!next) return;
    this.armedFor = next.at;
    const wait = next.at - performance.now();
    if (this.precise) {
      if (wait < TIMER_EARLY_MS + 0.5) this.immediate = setImmediate(() => this.fire());
      else this.timer = setTimeout(() => this.fire(), Math.floor(wait - TIMER_EARLY_MS));
    } else if (wait <= LOOSE_SLACK_MS) {
      this.immediate = setImmediate(() => this.fire());
    } else {
      this.timer = setTimeout(() => this.fire(), Math.max(1, Math.round(wait)));
    }
  }

  private fire(): void {
    const now = performance.now();
    const limit = now + (this.precise ? 0.02 : LOOSE_SLACK_MS);
    this.firing = true;
    for (let next = this.heap.peek(); next && next.at <= limit; next = this.heap.peek()) {
      this.heap.pop();
      const late = now - next.at; // batch start: one clock read per batch, not per entry
      this.lateness.count++;
      this.lateness.sumMs += late;
      if (late > this.lateness.maxMs) this.lateness.maxMs = late;
      try {
        next.run();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.firing = false;
    this.arm();
  }
}

export class Scheduler {
  /** Lateness of precise deliveries (ms; negative = early). */
  readonly lateness: Lateness = { count: 0, sumMs: 0, maxMs: 0 };
  private readonly looseLateness: Lateness = { count: 0, sumMs: 0, maxMs: 0 };
  private readonly preciseQueue = new TimerQueue(true, this.lateness);
  private readonly looseQueue = new TimerQueue(false, this.looseLateness);
  private seq = 0;

  now(): number {
    return performance.now();
  }

  get pending(): number {
    return this.preciseQueue.size + this.looseQueue.size;
  }

  /** Runs `run` at `at` (performance.now() ms); within one queue equal deadlines run in the order given. */
  at(at: number, run: () => void, precise = false): void {
    (precise ? this.preciseQueue : this.looseQueue).add(at, this.seq++, run);
  }

  close(): void {
    this.preciseQueue.close();
    this.looseQueue.close();
  }
}
