/** The Work handle of an op run by the communication thread: isCompleted() reads the op's shared slot. */
import type { Work } from "../collectives/types.js";
import type { SlotRef } from "./messages.js";
import { RUNNING, slotState, slotTime } from "./slots.js";

export class ThreadWork<T> implements Work<T> {
  private atMs?: number;

  constructor(
    private readonly promise: Promise<T>,
    private slot: SlotRef | undefined,
  ) {
    // A handle nobody waits on must not end the process with an unhandled rejection: its error waits in wait().
    promise.catch(() => undefined);
  }

  wait(): Promise<T> {
    return this.promise;
  }

  isCompleted(): boolean {
    return this.completedAtMs !== undefined;
  }

  get completedAtMs(): number | undefined {
    if (this.atMs !== undefined) return this.atMs;
    const slot = this.slot;
    return slot && slotState(slot) !== RUNNING ? slotTime(slot) : undefined;
  }

  /** The main thread has the outcome: keep the time and let go of the slot (it is reused after this). */
  settle(atMs: number): void {
    this.atMs = atMs;
    this.slot = undefined;
  }
}

/** A Work for an op refused before it reached the thread (closed, or the thread is gone). */
export function failedWork<T>(error: Error): ThreadWork<T> {
  const work = new ThreadWork<T>(Promise.reject(error), undefined);
  work.settle(Date.now());
  return work;
}
