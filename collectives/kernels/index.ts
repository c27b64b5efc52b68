/** Reduction kernels `dst op= src` for every (op, dtype): WebAssembly SIMD for long arrays, JS for short ones. */
import type { DTypeName, NumericArray } from "../types.js";
import { jsKernel } from "./js.js";
import { registeredOwner } from "./registered.js";
import { tryCreateWasmKernels, type WasmKernels } from "./wasm.js";
import type { KernelOp } from "./wasm-module.js";

export type { KernelOp } from "./wasm-module.js";
export { jsKernel, plainSum, type Kernel } from "./js.js";
export { WasmKernels, tryCreateWasmKernels, STAGE_BYTES } from "./wasm.js";
export { allocArray, registeredOwner } from "./registered.js";

/** Below this many bytes the staging copies and call overhead outweigh SIMD (measured crossover ~1-2 KiB). */
export const WASM_MIN_BYTES = 2048;

let shared: WasmKernels | null | undefined;

function wasm(): WasmKernels | null {
  if (shared === undefined) shared = process.env.LONGHAUL_NO_WASM === "1" ? null : tryCreateWasmKernels();
  return shared;
}

export function dtypeOf(data: NumericArray): DTypeName {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

/** `dst[i] = dst[i] op src[i]` for i < dst.length; both arrays have the same type and length. */
export function reduceInto(dst: NumericArray, src: NumericArray, op: KernelOp): void {
  const js = jsKernel(op, dst instanceof Int32Array);
  if (dst.byteLength < WASM_MIN_BYTES) return js(dst, src);
  const owner = wasm() ? registeredOwner(dst) : undefined;
  if (owner) return owner.reduceIntoResident(dtypeOf(dst), op, dst, src, js);
  const kernels = wasm();
  if (kernels) kernels.reduceStaged(dtypeOf(dst), op, dst, src);
  else js(dst, src);
}

/** Which kernel family `reduceInto` uses for long arrays here ("wasm-simd" or "js"). */
export function kernelBackend(): "wasm-simd" | "js" {
  return wasm() ? "wasm-simd" : "js";
}
