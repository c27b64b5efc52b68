/**
 * Shared-memory slots for one direction of a thread link. The sender copies a payload into a free
 * slot of a SharedArrayBuffer and posts only (slot, length); the receiver reads the slot in place
 * and posts the slot back when done. This replaces a fresh ArrayBuffer per message (whose page
 * faults and unmapping cost as much system time as the copy itself) with a few reused slots.
 * When every slot is in use the sender falls back to a transferred copy, so nothing ever waits.
 */
export const SLOT_COUNT = 4;
export const SLOT_BYTES = (1 << 20) + 4096;

/** Sender side: owns the SharedArrayBuffer and the list of slots the receiver has given back. */
export class SlotSender {
  private shared: SharedArrayBuffer | undefined;
  private readonly free: number[] = [];

  /** The buffer to post once before the first slot message (undefined once already shared). */
  claim(byteLength: number): { slot: number; view: Uint8Array; announce?: SharedArrayBuffer } | undefined {
    if (byteLength > SLOT_BYTES) return undefined;
    let announce: SharedArrayBuffer | undefined;
    if (!this.shared) {
      this.shared = announce = new SharedArrayBuffer(SLOT_COUNT * SLOT_BYTES);
      for (let i = 0; i < SLOT_COUNT; i++) this.free.push(i);
    }
    const slot = this.free.pop();
    if (slot === undefined) return undefined;
    return { slot, view: new Uint8Array(this.shared, slot * SLOT_BYTES, byteLength), announce };
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/** Receiver side: views into the sender's slots, and which received views are slot views. */
export class SlotReceiver {
  private shared: SharedArrayBuffer | undefined;
  private readonly slotOf = new WeakMap<Uint8Array, number>();

  adopt(buffer: SharedArrayBuffer): void {
    this.shared = buffer;
  }

  view(slot: number, byteLength: number): Uint8Array {
    if (!this.shared) throw new Error("slot message before its slot buffer; the thread link is out of order");
    const view = new Uint8Array(this.shared, slot * SLOT_BYTES, byteLength);
    this.slotOf.set(view, slot);
    return view;
  }

  /** The slot a received view lives in, or undefined for a transferred (owned) buffer. */
  slotFor(view: Uint8Array): number | undefined {
    return this.slotOf.get(view);
  }
}
