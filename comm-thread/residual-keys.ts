/**
 * Compressed all-reduce keeps one error-feedback residual per buffer, by default keyed by the
 * buffer's memory. Through the communication thread that memory is a staging buffer or a fresh
 * view of shared memory each time, so the caller's buffer gets a name here instead (its memory's
 * number, offset and length), unless the caller named it with compress.key.
 */
import type { AllReduceOptions, NumericArray } from "../collectives/types.js";

export class ResidualKeys {
  private readonly ids = new WeakMap<ArrayBufferLike, number>();
  private next = 1;

  /** `options` with compress.key set to the caller's buffer's name when compression is on and no key was given. */
  name(data: NumericArray, options: AllReduceOptions): AllReduceOptions {
    const compress = options.compress as { key?: unknown } | undefined;
    if (compress === null || typeof compress !== "object" || compress.key !== undefined) return options;
    let id = this.ids.get(data.buffer);
    if (id === undefined) this.ids.set(data.buffer, (id = this.next++));
    return { ...options, compress: { ...compress, key: `comm-thread:${id}:${data.byteOffset}:${data.length}` } };
  }
}
