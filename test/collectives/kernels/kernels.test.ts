import { describe, expect, it } from "vitest";
import { allocArray, jsKernel, reduceInto, registeredOwner, tryCreateWasmKernels, WASM_MIN_BYTES, STAGE_BYTES, type KernelOp } from "../../../collectives/kernels/index.js";

const OPS: KernelOp[] = ["sum", "prod", "min", "max"];
const DTYPES = [Float32Array, Float64Array, Int32Array] as const;

function reference(op: KernelOp, a: number, b: number, isInt: boolean): number {
  if (op === "sum") return a + b;
  if (op === "prod") return isInt ? Math.imul(a, b) : a * b;
  return op === "min" ? Math.min(a, b) : Math.max(a, b);
}

/** Index of the first differing element (-1 if none); cheaper than toEqual on long arrays. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe("reduction kernels", () => {
  const wasm = tryCreateWasmKernels();

  it("WebAssembly SIMD is available on Node 20 (else reduceInto falls back to JS)", () => {
    expect(wasm).not.toBeNull();
  });

  // Lengths straddle the JS/wasm switch, the 64-byte wasm block and the staging area.
  const lengths = [0, 1, 3, 17, WASM_MIN_BYTES / 4 + 5, STAGE_BYTES / 8 + 3, (3 * STAGE_BYTES) / 4 + 1];
  for (const Dtype of DTYPES) {
    for (const op of OPS) {
      it(`${Dtype.name} ${op}: reduceInto, js and staged wasm agree with the scalar definition`, () => {
        const isInt = Dtype === Int32Array;
        for (const n of lengths) {
          const a = Dtype.from({ length: n }, (_, i) => ((i * 37) % 23) - 11 + (isInt ? 0 : 0.25));
          const b = Dtype.from({ length: n }, (_, i) => ((i * 11) % 19) - 9 + (i % 7 === 0 && !isInt ? -0.5 : 0));
          const expected = Dtype.from(a, (x, i) => reference(op, x, b[i], isInt));
          const viaIndex = a.slice();
          reduceInto(viaIndex, b, op);
          expect(firstDiff(viaIndex, expected), `reduceInto n=${n}`).toBe(-1);
          const viaJs = a.slice();
          jsKernel(op, isInt)(viaJs, b);
          expect(firstDiff(viaJs, expected), `js n=${n}`).toBe(-1);
          const viaWasm = a.slice();
          wasm?.reduceStaged(isInt ? "int32" : Dtype === Float32Array ? "float32" : "float64", op, viaWasm, b);
          expect(firstDiff(viaWasm, expected), `wasm n=${n}`).toBe(-1);
        }
      });
    }
  }

  it("does not touch elements past the destination view (subarrays of a bigger buffer)", () => {
    const big = new Float32Array(5000).fill(1);
    const src = new Float32Array(5000).fill(2);
    reduceInto(big.subarray(10, 4010), src.subarray(0, 4000), "sum");
    expect(big[9]).toBe(1);
    expect(big[10]).toBe(3);
    expect(big[4009]).toBe(3);
    expect(big[4010]).toBe(1);
  });

  it("int32 sum and prod wrap like C (and like the JS path)", () => {
    const a = new Int32Array(1024).fill(2 ** 31 - 1);
    reduceInto(a, new Int32Array(1024).fill(1), "sum");
    expect(a[1023]).toBe(-(2 ** 31));
    const p = new Int32Array(1024).fill(65536);
    reduceInto(p, new Int32Array(1024).fill(65537), "prod");
    expect(p[0]).toBe(Math.imul(65536, 65537));
  });

  it("registered arrays (allocArray) reduce in wasm memory: every op x dtype, odd views, neighbours untouched", () => {
    for (const Dtype of DTYPES) {
      const isInt = Dtype === Int32Array;
      for (const op of OPS) {
        const whole = allocArray(Dtype as Float32ArrayConstructor, 40000);
        expect(registeredOwner(whole)).toBeDefined();
        whole.fill(3);
        // A view starting and ending mid-block: the kernel must stop before element 37000.
        const view = whole.subarray(5, 37000);
        const src = Dtype.from({ length: view.length }, (_, i) => (i % 9) - 4);
        const expected = Dtype.from(src, (x) => reference(op, 3, x, isInt));
        reduceInto(view, src, op);
        expect(firstDiff(view, expected), `${Dtype.name} ${op}`).toBe(-1);
        expect([whole[4], whole[37000], whole[39999]]).toEqual([3, 3, 3]);
      }
    }
  });
});
