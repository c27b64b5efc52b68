/** What a sweep is asked to do and what it reports, shared by the rank workers, the runner and the CLI. */
import type { DTypeName, ReduceOp } from "../collectives/types.js";
import type { OverlapConfig } from "./overlap/rank-overlap.js";
import type { SoakConfig } from "./rank-soak.js";

/** Rank workers print results as `RESULT_MARKER + JSON` lines and read their config from CONFIG_ENV. */
export const RESULT_MARKER = "@@longhaul-bench ";
export const CONFIG_ENV = "LONGHAUL_BENCH_CONFIG";

export type SweepOp = "allreduce" | "reducescatter" | "allgather";
/** How co-located ranks reach each other: processes over Unix sockets (what launch uses on one host), ZeroMQ over TCP loopback or ipc://, or worker threads sharing one process. */
export type SweepTransport = "unix" | "tcp" | "ipc" | "threads";

/** The part of the options every rank needs (sent to the workers as JSON). */
export interface RankSweepConfig {
  op: SweepOp;
  sizes: number[];
  algorithms: string[];
  iters: number;
  warmup: number;
  dtype: DTypeName;
  reduceOp: ReduceOp;
  segmentBytes?: number;
  timeoutMs?: number;
  /** "registered": buffers from allocArray (reductions fully in wasm memory); "plain": ordinary typed arrays. */
  buffers?: "registered" | "plain";
  /**
   * "per-iteration" (default): CPU time sampled around each timed op. "whole-loop": once around all
   * timed iterations, barriers included — for worker threads, where process.cpuUsage() is
   * process-wide and sampling it beside each op added ~20 µs of skew to a 4 KiB all-reduce.
   */
  cpuSampling?: "per-iteration" | "whole-loop";
  /** Run more timed iterations than `iters` (up to 10,000) until they add up to about this long, judged by the slowest rank's warm-up. */
  minTimeMs?: number;
  /** Instead of the sweep: many consecutive all-reduces of one size, with memory and handles before and after (bench soak). */
  soak?: SoakConfig;
  /** Instead of the sweep: the GPU-like synthetic trainer of bench overlap. */
  overlap?: OverlapConfig;
}

/** One rank's figures for one (algorithm, size). */
export interface RankResult {
  rank: number;
  algorithm: string;
  bytes: number;
  count: number;
  timesUs: number[];
  /** Median CPU time (user + system) of this process per iteration; for worker threads the whole process's per iteration, barriers included (see cpuSampling). */
  cpuUs: number;
  wrong: number;
  peakRssMiB: number;
}

/** One line of the table / one JSON object: the slowest rank's median time over iterations. */
export interface ResultRow {
  op: SweepOp;
  algorithm: string;
  ranks: number;
  bytes: number;
  count: number;
  dtype: DTypeName;
  timeUs: number;
  algbwGBps: number;
  busbwGBps: number;
  wrong: number;
  /** Highest peak RSS above idle over the ranks (MiB) and each rank's. */
  peakRssMiB: number;
  peakRssMiBPerRank: number[];
  /** CPU time one op costs all ranks together (ms): a load-independent figure; wall time >= cpuMs / cores. */
  cpuMs: number;
  transport: SweepTransport;
  buffers: "registered" | "plain";
  topology: string;
  iters: number;
  /** Extra keys other layers add (e.g. predictedUs, lowerBoundUs); printed in the JSON lines. */
  [extra: string]: unknown;
}

export const BYTES_PER_ELEMENT: Record<DTypeName, number> = { float32: 4, float64: 8, int32: 4 };

/** nccl-tests' bus bandwidth factor: 2(n-1)/n for all-reduce, (n-1)/n for reduce-scatter and all-gather. */
export function busFactor(op: SweepOp, ranks: number): number {
  if (ranks <= 1) return 0;
  return op === "allreduce" ? (2 * (ranks - 1)) / ranks : (ranks - 1) / ranks;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Combines every rank's result for one (algorithm, size) into a row. */
export function combineRanks(results: RankResult[], meta: { op: SweepOp; dtype: DTypeName; transport: SweepTransport; topology: string; buffers: "registered" | "plain" }): ResultRow {
  const ranks = results.length;
  const iters = Math.min(...results.map((r) => r.timesUs.length));
  const slowest = Array.from({ length: iters }, (_, i) => Math.max(...results.map((r) => r.timesUs[i])));
  const timeUs = median(slowest);
  const { bytes, count, algorithm } = results[0];
  const algbwGBps = timeUs > 0 ? bytes / timeUs / 1e3 : 0;
  const sorted = [...results].sort((a, b) => a.rank - b.rank);
  return {
    op: meta.op,
    algorithm,
    ranks,
    bytes,
    count,
    dtype: meta.dtype,
    timeUs,
    algbwGBps,
    busbwGBps: algbwGBps * busFactor(meta.op, ranks),
    wrong: results.reduce((sum, r) => sum + r.wrong, 0),
    peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)),
    peakRssMiBPerRank: sorted.map((r) => r.peakRssMiB),
    // Threads share one process, so each rank's figure already covers all of them.
    cpuMs: (meta.transport === "threads" ? Math.max(...results.map((r) => r.cpuUs)) : results.reduce((s, r) => s + r.cpuUs, 0)) / 1e3,
    transport: meta.transport,
    buffers: meta.buffers,
    topology: meta.topology,
    iters,
  };
}
