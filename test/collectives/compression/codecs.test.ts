import { describe, expect, it } from "vitest";
import { decodeAdd, encodeFp16, encodeInt8, encodeSparse, fromHalf, selectTopK, toHalf } from "../../../collectives/compression/index.js";

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
}

describe("fp16", () => {
  it("encodes hand-checked values", () => {
    expect([1, -2, 65504, 0.5, 0, 1e-8, 1e6].map(toHalf)).toEqual([0x3c00, 0xc000, 0x7bff, 0x3800, 0, 0, 0x7c00]);
    expect(fromHalf(0x3555)).toBeCloseTo(0.33325195, 7);
    expect(toHalf(2 ** -24)).toBe(1); // smallest subnormal
  });
  it("round-trips within 2^-11 relative error in the normal range", () => {
    const r = rng(1);
    const data = Float32Array.from({ length: 5000 }, () => r() * 200);
    const out = new Float32Array(data.length);
    decodeAdd(encodeFp16(data), out);
    for (let i = 0; i < data.length; i++) {
      if (Math.abs(data[i]) >= 6.2e-5) expect(Math.abs(out[i] - data[i])).toBeLessThanOrEqual(Math.abs(data[i]) * 2 ** -11);
    }
  });
});

describe("int8 with per-chunk scale", () => {
  it("stays within max|chunk|/254 of every element, and a zero chunk decodes to zero", () => {
    const r = rng(2);
    const data = Float32Array.from({ length: 1000 }, (_, i) => (i < 256 ? 0 : r() * (i % 7 === 0 ? 100 : 1)));
    const chunk = 256;
    const out = new Float32Array(data.length);
    const bytes = encodeInt8(data, chunk);
    expect(bytes.byteLength).toBeLessThan(data.length + 64); // ~1 byte per element
    decodeAdd(bytes, out);
    for (let c = 0; c * chunk < data.length; c++) {
      const part = data.subarray(c * chunk, (c + 1) * chunk);
      const bound = part.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 254;
      for (let i = c * chunk; i < Math.min(data.length, (c + 1) * chunk); i++) expect(Math.abs(out[i] - data[i])).toBeLessThanOrEqual(bound * (1 + 1e-6));
    }
    expect(out.subarray(0, 256).every((v) => v === 0)).toBe(true);
  });
});

describe("top-k selection", () => {
  it("picks the largest magnitudes, ascending, exactly k even with ties", () => {
    expect(Array.from(selectTopK(Float32Array.from([0.1, -5, 3, 0, 2]), 2))).toEqual([1, 2]);
    expect(Array.from(selectTopK(Float32Array.from([1, -1, 1, 1]), 3))).toEqual([0, 1, 2]);
    expect(Array.from(selectTopK(Float32Array.from([1, 2]), 0))).toEqual([]);
    const r = rng(3);
    const big = Float32Array.from({ length: 10007 }, () => r());
    const idx = selectTopK(big, 100);
    const sorted = Array.from(big, Math.abs).sort((a, b) => b - a);
    expect(idx.length).toBe(100);
    expect(Math.min(...Array.from(idx, (i) => Math.abs(big[i])))).toBe(sorted[99]);
  });
});

describe("sparse wire format", () => {
  it("round-trips f32 values exactly, with far-apart indices, in fewer bytes than dense", () => {
    const n = 3_000_000;
    const indices = Int32Array.from([0, 1, 200, 70_000, 2_999_999]);
    const values = Float32Array.from([1.5, -2.25, 3e-7, 42, -1e9]);
    const bytes = encodeSparse(n, indices, values, "f32");
    expect(bytes.byteLength).toBeLessThanOrEqual(16 + 24 + 16);
    const out = new Float32Array(n);
    decodeAdd(bytes, out);
    indices.forEach((i, j) => expect(out[i]).toBe(values[j]));
    expect(out.reduce((s, v) => s + Math.abs(v), 0)).toBeCloseTo(1.5 + 2.25 + 3e-7 + 42 + 1e9, 0);
  });
  it("costs about 3 bytes per entry at 1% density with fp16 values", () => {
    const n = 100_000;
    const indices = Int32Array.from({ length: 1000 }, (_, i) => i * 100 + (i % 3));
    const bytes = encodeSparse(n, indices, new Float32Array(1000).fill(0.5), "fp16");
    expect(bytes.byteLength).toBeLessThan(3.2 * 1000);
  });
  it("rejects a payload for a different length with a MISMATCH error", () => {
    const bytes = encodeSparse(10, Int32Array.from([1]), Float32Array.from([1]), "f32");
    expect(() => decodeAdd(bytes, new Float32Array(11))).toThrow(/same length/);
  });
});
