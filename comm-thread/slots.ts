/**
 * Completion slots in shared memory: the comm thread writes an op's completion time, then stores its
 * state with Atomics, so the main thread's isCompleted() sees it without ever yielding to its event
 * loop. A slot is reused once the main thread has read its op's outcome.
 */
import type { SlotRef } from "./messages.js";

export const RUNNING = 0;
export const SUCCEEDED = 1;
export const FAILED = 2;

const CHUNK = 256;

/** Comm-thread side: marks the op's slot finished (time first, then the state that publishes it). */
export function markSlot(slot: SlotRef, state: typeof SUCCEEDED | typeof FAILED, atMs: number): void {
  slot.times[slot.index] = atMs;
  Atomics.store(slot.states, slot.index, state);
}

/** Main-thread side: the slot's state (RUNNING until the comm thread marked it). */
export function slotState(slot: SlotRef): number {
  return Atomics.load(slot.states, slot.index);
}

export function slotTime(slot: SlotRef): number {
  return slot.times[slot.index];
}

/** Main-thread side: hands out free slots, in chunks of shared memory made as needed. */
export class SlotTable {
  private readonly free: SlotRef[] = [];

  take(): SlotRef {
    if (this.free.length === 0) {
      const states = new Int32Array(new SharedArrayBuffer(CHUNK * 4));
      const times = new Float64Array(new SharedArrayBuffer(CHUNK * 8));
      for (let index = CHUNK - 1; index >= 0; index--) this.free.push({ states, times, index });
    }
    const slot = this.free.pop()!;
    Atomics.store(slot.states, slot.index, RUNNING);
    return slot;
  }

  give(slot: SlotRef): void {
    this.free.push(slot);
  }
}
