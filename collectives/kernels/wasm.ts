/**
 * Runs the WebAssembly SIMD kernels on arrays that live outside wasm memory: both operands are
 * copied, a stage at a time, into two staging areas, reduced there and copied back. A stage (64 KiB
 * per operand) stays in L2 cache, so the copies cost far less than the SIMD loop gains — measured
 * here: 59% of copy bandwidth with staging vs 21% for a plain JS loop (see `longhaul bench micro`).
 */
import type { DTypeName, NumericArray } from "../types.js";
import { buildKernelModule, kernelExportName, WASM_BLOCK_BYTES, type KernelOp } from "./wasm-module.js";

export const STAGE_BYTES = 64 * 1024;
const PAGE = 65536;

type RawKernel = (dst: number, src: number, end: number) => void;

/** The slice of the WebAssembly JS API used here (lib ES2022 and @types/node 20 do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

export class WasmKernels {
  readonly memory: WasmMemory;
  private readonly kernels = new Map<string, RawKernel>();

  /** `extraBytes` of wasm memory after the two staging areas, for callers that keep data resident (the micro-benchmark). */
  constructor(extraBytes = 0) {
    this.memory = new WA.Memory({ initial: Math.ceil((2 * STAGE_BYTES + extraBytes) / PAGE) });
    compiled ??= new WA.Module(buildKernelModule());
    const instance = new WA.Instance(compiled, { env: { memory: this.memory } });
    for (const [key, fn] of Object.entries(instance.exports)) this.kernels.set(key, fn as RawKernel);
  }

  /** Reduces in place inside wasm memory; byteLength is rounded up to a 64-byte block (callers own that padding). */
  applyResident(dtype: DTypeName, op: KernelOp, dstByte: number, srcByte: number, byteLength: number): void {
    const kernel = this.kernel(dtype, op);
    kernel(dstByte, srcByte, dstByte + Math.ceil(byteLength / WASM_BLOCK_BYTES) * WASM_BLOCK_BYTES);
  }

  /** `dst = dst op src` for arrays anywhere, through the staging areas. */
  reduceStaged(dtype: DTypeName, op: KernelOp, dst: NumericArray, src: NumericArray): void {
    const kernel = this.kernel(dtype, op);
    const Ctor = dst.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => NumericArray;
    const per = STAGE_BYTES / dst.BYTES_PER_ELEMENT;
    const stageDst = new Ctor(this.memory.buffer, 0, per);
    const stageSrc = new Ctor(this.memory.buffer, STAGE_BYTES, per);
    for (let start = 0; start < dst.length; start += per) {
      const end = Math.min(dst.length, start + per);
      const out = dst.subarray(start, end);
      stageDst.set(out);
      stageSrc.set(src.subarray(start, end));
      const bytes = Math.ceil(((end - start) * dst.BYTES_PER_ELEMENT) / WASM_BLOCK_BYTES) * WASM_BLOCK_BYTES;
      kernel(0, STAGE_BYTES, bytes);
      out.set(stageDst.subarray(0, end - start));
    }
  }

  /**
   * `dst = dst op src` where `dst` already lives in this instance's memory (a registered array):
   * only `src` is staged, so a reduction costs one copy instead of three. Whole 64-byte blocks run in
   * wasm; the few trailing elements in JS (rounding up would touch elements past the view).
   */
  reduceIntoResident(dtype: DTypeName, op: KernelOp, dst: NumericArray, src: NumericArray, tail: (dst: NumericArray, src: NumericArray) => void): void {
    const kernel = this.kernel(dtype, op);
    const Ctor = dst.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => NumericArray;
    const bpe = dst.BYTES_PER_ELEMENT;
    const per = STAGE_BYTES / bpe;
    const stage = new Ctor(this.memory.buffer, STAGE_BYTES, per);
    const whole = Math.floor((dst.length * bpe) / WASM_BLOCK_BYTES) * (WASM_BLOCK_BYTES / bpe);
    for (let start = 0; start < whole; start += per) {
      const end = Math.min(whole, start + per);
      stage.set(src.subarray(start, end));
      const at = dst.byteOffset + start * bpe;
      kernel(at, STAGE_BYTES, at + (end - start) * bpe);
    }
    if (whole < dst.length) tail(dst.subarray(whole), src.subarray(whole));
  }

  private kernel(dtype: DTypeName, op: KernelOp): RawKernel {
    const kernel = this.kernels.get(kernelExportName(dtype, op));
    if (!kernel) throw new Error(`no wasm kernel for ${dtype} ${op}`);
    return kernel;
  }
}

/** null when this runtime lacks WebAssembly SIMD (the JS kernels are used then). */
export function tryCreateWasmKernels(extraBytes = 0): WasmKernels | null {
  try {
    return new WasmKernels(extraBytes);
  } catch {
    return null;
  }
}
