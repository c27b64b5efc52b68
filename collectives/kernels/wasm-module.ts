/**
 * A tiny WebAssembly SIMD module, assembled here from bytes so the build needs no wasm toolchain.
 * It exports one function per (dtype, op): `fn(dst, src, end)` computes `dst[i] = dst[i] op src[i]`
 * over byte addresses dst..end, 64 bytes (four v128 lanes) per loop turn, in an imported memory.
 */
import type { DTypeName } from "../types.js";

export type KernelOp = "sum" | "prod" | "min" | "max";

/** SIMD opcodes (after the 0xfd prefix) from the WebAssembly SIMD proposal's opcode table. */
const SIMD_OPCODES: Record<DTypeName, Record<KernelOp, number>> = {
  float32: { sum: 0xe4, prod: 0xe6, min: 0xe8, max: 0xe9 },
  float64: { sum: 0xf0, prod: 0xf2, min: 0xf4, max: 0xf5 },
  int32: { sum: 0xae, prod: 0xb5, min: 0xb6, max: 0xb8 },
};

export const WASM_BLOCK_BYTES = 64;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
/** i32.const takes a signed LEB128 (64 must be written as 0xc0 0x00). */
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, "utf8")];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];

const LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_CONST = 0x41, I32_ADD = 0x6a, I32_GE_U = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const V128_LOAD = 0x00, V128_STORE = 0x0b, ALIGN_16 = 4;

function kernelBody(opcode: number): number[] {
  const code = [BLOCK, VOID, LOOP, VOID, LOCAL_GET, 0, LOCAL_GET, 2, I32_GE_U, BR_IF, 1];
  for (let lane = 0; lane < WASM_BLOCK_BYTES / 16; lane++) {
    const offset = uleb(lane * 16);
    code.push(LOCAL_GET, 0, LOCAL_GET, 0, ...simd(V128_LOAD), ALIGN_16, ...offset);
    code.push(LOCAL_GET, 1, ...simd(V128_LOAD), ALIGN_16, ...offset);
    code.push(...simd(opcode), ...simd(V128_STORE), ALIGN_16, ...offset);
  }
  for (const local of [0, 1]) code.push(LOCAL_GET, local, I32_CONST, ...sleb(WASM_BLOCK_BYTES), I32_ADD, LOCAL_SET, local);
  code.push(BR, 0, END, END, END);
  const withLocals = [0, ...code];
  return [...uleb(withLocals.length), ...withLocals];
}

export function kernelExportName(dtype: DTypeName, op: KernelOp): string {
  return `${dtype}_${op}`;
}

/** The module's bytes; it imports `env.memory` and exports one kernel per (dtype, op). */
export function buildKernelModule(): Uint8Array {
  const kernels = Object.entries(SIMD_OPCODES).flatMap(([dtype, ops]) =>
    Object.entries(ops).map(([op, opcode]) => ({ name: kernelExportName(dtype as DTypeName, op as KernelOp), opcode })),
  );
  const i32 = 0x7f;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 3, i32, i32, i32, 0]])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(kernels.map(() => [0]))),
    ...section(7, vec(kernels.map((k, i) => [...name(k.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(kernels.map((k) => kernelBody(k.opcode)))),
  ]);
}
