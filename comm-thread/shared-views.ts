/** Typed arrays over shared memory, described for the other thread and rebuilt there. */
import type { DTypeName, NumericArray } from "../collectives/types.js";
import type { SharedView } from "./messages.js";

const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

export function dtypeName(data: NumericArray): DTypeName {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

/** True when the array already lies in a SharedArrayBuffer: the comm thread can use it in place (zero-copy). */
export function isShared(data: NumericArray): boolean {
  return typeof SharedArrayBuffer !== "undefined" && data.buffer instanceof SharedArrayBuffer;
}

export function describe(data: NumericArray): SharedView {
  return { buffer: data.buffer as SharedArrayBuffer, byteOffset: data.byteOffset, length: data.length, dtype: dtypeName(data) };
}

/** The typed array a SharedView names (a view, no copy). */
export function viewOf(view: SharedView): NumericArray {
  const Ctor = CTORS[view.dtype] as unknown as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => NumericArray;
  return new Ctor(view.buffer, view.byteOffset, view.length);
}

/** A typed array of `length` elements of `like`'s type over `buffer` from its start. */
export function sharedLike<T extends NumericArray>(like: T, buffer: SharedArrayBuffer, length: number): T {
  return new (like.constructor as new (b: SharedArrayBuffer, o: number, n: number) => T)(buffer, 0, length);
}
