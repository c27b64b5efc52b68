/** Bytes of each slab small buffers are carved from. */
const SLAB_BYTES = 256 * 1024;

/** Buffers up to this size come from the slab. */
const SLAB_MAX_BYTES = 64 * 1024;

/**
 * Small buffers carved one after another from a large ArrayBuffer, 8-byte aligned, never reused in
 * place (a full slab is dropped and a fresh one started; the garbage collector frees it once no
 * carved view is alive): what Buffer.allocUnsafe's pool does for buffers under 4 KiB, for sizes up
 * to 64 KiB. A fresh ArrayBuffer per message costs more CPU than the message's syscall.
 */
export class Slab {
  private slab = new ArrayBuffer(SLAB_BYTES);
  private used = 0;

  /** A plain Uint8Array, never a Buffer: a receiver's `.slice()` must copy (Buffer's slice is a view). */
  take(bytes: number): Uint8Array {
    if (bytes > SLAB_MAX_BYTES) return new Uint8Array(bytes);
    if (this.used + bytes > SLAB_BYTES) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.used = 0;
    }
    const view = new Uint8Array(this.slab, this.used, bytes);
    this.used += (bytes + 7) & ~7;
    return view;
  }
}
