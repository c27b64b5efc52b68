/**
 * Registered buffers (like NCCL's ncclMemAlloc): a typed array allocated inside its own WebAssembly
 * memory, next to a staging area, so reducing into it needs only the incoming operand copied into
 * wasm memory — one copy per reduction instead of three. Allocate gradients/buffers you all-reduce
 * often with `allocArray`; any other array works too, just through the slower staged path.
 */
import type { NumericArray } from "../types.js";
import { STAGE_BYTES, tryCreateWasmKernels, type WasmKernels } from "./wasm.js";

const owners = new WeakMap<ArrayBufferLike, WasmKernels>();

type Ctor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A zero-filled array of `length` elements whose reductions run fully in WebAssembly SIMD. Each call
 * gets its own wasm memory (growing a shared one would detach earlier arrays). Falls back to a
 * plain array where WebAssembly SIMD is missing.
 */
export function allocArray<T extends NumericArray>(ctor: Ctor<T>, length: number): T {
  const kernels = tryCreateWasmKernels(length * ctor.BYTES_PER_ELEMENT);
  if (!kernels) return new ctor(length);
  owners.set(kernels.memory.buffer, kernels);
  return new ctor(kernels.memory.buffer, 2 * STAGE_BYTES, length);
}

/** The kernels whose memory holds `array`, if it came from allocArray. */
export function registeredOwner(array: NumericArray): WasmKernels | undefined {
  return owners.get(array.buffer);
}
