import { mismatch } from "./wire.js";

const memoryKey = (data: Float32Array): string => `${data.byteOffset}:${data.length}`;

/**
 * Error feedback (Deep Gradient Compression, EF-SGD): what a lossy compressor did not send is kept
 * locally and added to the next gradient, so every bit of gradient mass is sent eventually.
 */
/**
 * Which residual a buffer uses: a name the caller gave (compress.key), or the buffer's place in
 * memory (its ArrayBuffer, offset and length), so two buckets or fragments never share a residual
 * even when they are the same length, and a view made anew each step over the same memory keeps it.
 */
export type ResidualKey = string | Float32Array;

export class ErrorFeedback {
  private readonly residuals = new Map<string, Float32Array>();
  private readonly byMemory = new WeakMap<ArrayBufferLike, Map<string, Float32Array>>();

  /** data + residual (a new buffer; `data` is left alone). */
  compensate(key: ResidualKey, data: Float32Array): Float32Array {
    const acc = Float32Array.from(data);
    const residual = this.residual(key);
    if (residual) {
      if (residual.length !== data.length) throw mismatch(`error-feedback residual "${key}" has ${residual.length} elements, the gradient ${data.length}; give each buffer its own compress.key`);
      for (let i = 0; i < acc.length; i++) acc[i] += residual[i];
    }
    return acc;
  }

  /** residual = acc - sent, where `sent` is what the peers decode. */
  keep(key: ResidualKey, acc: Float32Array, sent: Float32Array): void {
    const residual = this.residual(key) ?? new Float32Array(acc.length);
    for (let i = 0; i < acc.length; i++) residual[i] = acc[i] - sent[i];
    if (typeof key === "string") this.residuals.set(key, residual);
    else this.memorySlots(key, true)!.set(memoryKey(key), residual);
  }

  residual(key: ResidualKey): Float32Array | undefined {
    return typeof key === "string" ? this.residuals.get(key) : this.memorySlots(key, false)?.get(memoryKey(key));
  }

  private memorySlots(data: Float32Array, create: boolean): Map<string, Float32Array> | undefined {
    let slots = this.byMemory.get(data.buffer);
    if (!slots && create) this.byMemory.set(data.buffer, (slots = new Map()));
    return slots;
  }
}

const byOwner = new WeakMap<object, ErrorFeedback>();

/** One error-feedback store per owner (the Communicator's transport), created on first use. */
export function errorFeedbackFor(owner: object): ErrorFeedback {
  let ef = byOwner.get(owner);
  if (!ef) byOwner.set(owner, (ef = new ErrorFeedback()));
  return ef;
}
