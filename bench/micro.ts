/**
 * `longhaul bench micro`: tinybench micro-benchmarks of the reduction kernels (Float32 sum) against
 * a plain typed-array copy of the same length — bandwidth counted per operand byte, and the kernel's
 * share of the copy's bandwidth — plus the ZeroMQ frame header's encode/decode against msgpackr.
 */
import { pack, unpack } from "msgpackr";
import { Bench } from "tinybench";
import { allocArray, jsKernel, plainSum, reduceInto, tryCreateWasmKernels } from "../collectives/kernels/index.js";
import { decodeHeader, encodeHeader, FrameKind, type FrameHeader } from "../transports/frames.js";

export interface MicroRow {
  name: string;
  /** Bytes per operand per call (0 for the frame rows). */
  bytes: number;
  meanUs: number;
  /** Per operand byte; undefined for the frame rows. */
  gbps?: number;
  pctOfCopy?: number;
}

export interface MicroOptions {
  sizes?: number[];
  /** Milliseconds tinybench spends per task. */
  timeMs?: number;
}

function meanMs(task: { result: unknown }): number {
  const result = task.result as { latency?: { mean: number } };
  return result.latency?.mean ?? NaN;
}

async function kernelRows(bytes: number, timeMs: number): Promise<MicroRow[]> {
  const n = bytes / 4;
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n).fill(2);
  const wasm = tryCreateWasmKernels(2 * bytes);
  const resident = wasm ? [new Float32Array(wasm.memory.buffer, 2 * 65536, n), new Float32Array(wasm.memory.buffer, 2 * 65536 + bytes, n)] : [];
  const unrolled = jsKernel("sum", false);
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(100, timeMs) });
  bench.add("copy (Float32Array.set)", () => a.set(b));
  bench.add("sum: plain JS loop", () => plainSum(a, b));
  bench.add("sum: JS unrolled x4", () => unrolled(a, b));
  const registered = allocArray(Float32Array, n).fill(1);
  bench.add("sum: reduceInto (wasm SIMD, staged)", () => reduceInto(a, b, "sum"));
  bench.add("sum: reduceInto, registered dst (allocArray)", () => reduceInto(registered, b, "sum"));
  if (wasm) bench.add("sum: wasm SIMD, operands in wasm memory", () => wasm.applyResident("float32", "sum", resident[0].byteOffset, resident[1].byteOffset, bytes));
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const ms = meanMs(task);
    return { name: task.name, bytes, meanUs: ms * 1e3, gbps: bytes / (ms * 1e6) };
  });
  const copy = rows[0].gbps;
  return rows.map((row) => ({ ...row, pctOfCopy: (100 * row.gbps) / copy }));
}

async function frameRows(timeMs: number): Promise<MicroRow[]> {
  const header: FrameHeader = { kind: FrameKind.DATA, flags: 1, stripe: 0, stripes: 1, src: 3, seq: 12345, tag: 7 * 2 ** 20 + 1, total: 1 << 20, job: 0x1234_5678_9abc_def0n };
  const encoded = encodeHeader(header);
  const packed = pack(header);
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(100, timeMs) });
  bench.add("frame header encode (DataView)", () => encodeHeader(header));
  bench.add("frame header decode (DataView)", () => decodeHeader(encoded));
  bench.add("frame header encode (msgpackr)", () => pack(header));
  bench.add("frame header decode (msgpackr)", () => unpack(packed));
  await bench.run();
  return bench.tasks.map((task) => ({ name: task.name, bytes: 0, meanUs: meanMs(task) * 1e3 }));
}

export async function runMicroBench(options: MicroOptions = {}): Promise<MicroRow[]> {
  const timeMs = options.timeMs ?? 500;
  const rows: MicroRow[] = [];
  for (const bytes of options.sizes ?? [1 << 20, 64 << 20]) rows.push(...(await kernelRows(bytes, timeMs)));
  rows.push(...(await frameRows(timeMs)));
  return rows;
}
