/**
 * The sweep runner behind `longhaul bench allreduce` (and `npm start`, and the emulated bench): starts
 * the ranks — processes over ZeroMQ tcp/ipc through launchRanks, or worker threads in this process —
 * and yields one ResultRow per (algorithm, size) as soon as every rank has reported it.
 */
import { ENV } from "../world/env.js";
import { invalidArgument } from "../world/comm-error.js";
import { parseTopology, type Topology } from "../world/topology.js";
import { launchRanks } from "../launch/launcher.js";
import { SHARED_SLOT_BYTES } from "../transports/threads/shared-arena.js";
import { compiledScript } from "../world/package-info.js";
import { AsyncQueue } from "./async-queue.js";
import { formatSize } from "./sizes.js";
import { launchThreadRanks } from "./threads-sweep.js";
import { BYTES_PER_ELEMENT, combineRanks, CONFIG_ENV, RESULT_MARKER, type RankResult, type RankSweepConfig, type ResultRow, type SweepTransport } from "./sweep-types.js";

export interface SweepOptions extends Partial<RankSweepConfig> {
  /** World size when no topology is given (one region). */
  ranks?: number;
  topology?: string;
  transport?: SweepTransport;
  basePort?: number;
  /** Route cross-region links through the userspace emulator (its proxies must be running). */
  emulate?: boolean;
  /** Stop every rank after this long (default: no limit beyond the per-op timeouts). */
  launchTimeoutMs?: number;
  /** Each rank process runs its transport and collectives in a communication thread (unix, tcp, ipc). */
  commThread?: boolean;
  /** Lines the ranks print on stderr (default: to this process's stderr with a rank prefix). */
  onRankLog?: (rank: number, line: string) => void;
}

export const DEFAULT_SIZES = [4096, 256 * 1024, 4 << 20, 64 << 20];

/** A bench worker script; under vitest this file runs from source, the workers always run compiled from dist/. */
export function workerScript(name: string): string {
  return compiledScript(`bench/${name}`);
}

export function sweepConfig(options: SweepOptions): RankSweepConfig {
  return {
    op: options.op ?? "allreduce",
    sizes: options.sizes ?? DEFAULT_SIZES,
    algorithms: options.algorithms ?? ["ring"],
    iters: options.iters ?? 5,
    warmup: options.warmup ?? 1,
    dtype: options.dtype ?? "float32",
    reduceOp: options.reduceOp ?? "sum",
    segmentBytes: options.segmentBytes,
    timeoutMs: options.timeoutMs,
    buffers: options.buffers ?? "registered",
    ...(options.minTimeMs !== undefined && { minTimeMs: options.minTimeMs }),
  };
}

/** The transport a sweep runs on: threads are fastest here, but the emulator shapes TCP, so emulated sweeps default to tcp. */
export function sweepTransport(options: Pick<SweepOptions, "transport" | "emulate">): SweepTransport {
  return options.transport ?? (options.emulate ? "tcp" : "threads");
}

/** The world a sweep runs: its topology, else one region of `ranks` (4 by default). */
export function sweepTopology(options: Pick<SweepOptions, "topology" | "ranks">): Topology {
  return parseTopology(options.topology ?? String(options.ranks ?? 4));
}

/** Throws INVALID_ARGUMENT for values and combinations that cannot run, before anything is started or printed. */
export function checkSweep(options: SweepOptions): void {
  if (options.iters !== undefined && !(Number.isSafeInteger(options.iters) && options.iters >= 1)) throw invalidArgument(`iterations must be a whole number >= 1 (got ${options.iters}): a sweep of no timed iterations has no time to report`, "bench");
  if (options.ranks !== undefined && !(Number.isSafeInteger(options.ranks) && options.ranks >= 1)) throw invalidArgument(`ranks must be a whole number >= 1 (got ${options.ranks})`, "bench");
  sweepTopology(options); // a bad spec is refused here, before the header
  const element = BYTES_PER_ELEMENT[options.dtype ?? "float32"];
  for (const bytes of options.sizes ?? []) {
    if (bytes < element || bytes % element !== 0) {
      const below = Math.max(element, bytes - (bytes % element));
      throw invalidArgument(`size ${bytes} B is not a whole number of ${options.dtype ?? "float32"} elements (${element} bytes each); use ${below}${below + element !== bytes ? ` or ${below + element}` : ""}`, "bench");
    }
  }
  const transport = sweepTransport(options);
  if ((transport === "threads" || transport === "unix") && options.emulate) throw invalidArgument(`the link emulator shapes TCP connections; use transport tcp (or ipc) with emulate, not ${transport}`, "bench");
  if (transport === "threads" && options.commThread) throw invalidArgument("the communication thread is for ranks that are processes; use transport tcp or ipc with it (threads ranks are worker threads already)", "bench");
  if (options.algorithms?.includes("one-shot")) {
    if (transport !== "threads") throw invalidArgument(`algorithm one-shot needs ranks that share memory; use --transport threads (this sweep runs on ${transport})`, "bench");
    const over = (options.sizes ?? []).find((bytes) => bytes > SHARED_SLOT_BYTES);
    if (over !== undefined) throw invalidArgument(`algorithm one-shot takes at most ${formatSize(SHARED_SLOT_BYTES)} per rank (the shared arena's slot), and size ${formatSize(over)} is larger; sweep it with auto (one-shot where it fits, ring above) or ring`, "bench");
  }
}

/** Runs the sweep; each yielded row combines all ranks' results for one (algorithm, size). */
export function runAllReduceSweep(options: SweepOptions = {}): AsyncIterable<ResultRow> {
  const topology = sweepTopology(options);
  const config = sweepConfig(options);
  checkSweep(options);
  const transport = sweepTransport(options);
  const meta = { op: config.op, dtype: config.dtype, transport, topology: topology.spec, buffers: config.buffers ?? "registered" };
  const queue = new AsyncQueue<ResultRow>();
  const partial = new Map<string, RankResult[]>();
  const errors: string[] = [];
  const collect = (result: RankResult): void => {
    const key = `${result.algorithm}/${result.bytes}`;
    const list = [...(partial.get(key) ?? []), result];
    partial.set(key, list);
    if (list.length < topology.size) return;
    partial.delete(key);
    queue.push(combineRanks(list, meta));
  };
  const log = (rank: number, line: string): void => {
    errors.push(`[rank ${rank}] ${line}`);
    if (errors.length > 20) errors.shift();
    if (options.onRankLog) options.onRankLog(rank, line);
    else process.stderr.write(`[rank ${rank}] ${line}\n`);
  };
  const finished = startRanks(topology, transport, config, collect, log, options);
  finished.then(
    (code) => queue.end(code === 0 ? undefined : new Error(`bench ranks failed (exit ${code}); last rank output:\n${errors.join("\n")}`)),
    (error: unknown) => queue.end(error),
  );
  return queue;
}

/**
 * Starts a bench's ranks — worker threads of this process, or processes over ZeroMQ through
 * launchRanks — hands each result a rank reports to `collect` and its other lines to `log`, and
 * resolves with the exit code (0 when every rank finished).
 */
export function startRanks<R>(
  topology: Topology,
  transport: SweepTransport,
  config: RankSweepConfig,
  collect: (result: R) => void,
  log: (rank: number, line: string) => void,
  options: Pick<SweepOptions, "emulate" | "basePort" | "launchTimeoutMs" | "commThread">,
): Promise<number> {
  if (transport === "threads") return launchThreadRanks<R>(topology, { ...config, cpuSampling: "whole-loop" }, workerScript("threads-worker.js"), collect, log);
  return launchRanks({
    topology,
    command: process.execPath,
    args: ["--expose-gc", workerScript("allreduce-worker.js")],
    env: { [CONFIG_ENV]: JSON.stringify(config), [ENV.hostLinks]: transport === "unix" ? "unix" : "zmq", ...(options.commThread && { LONGHAUL_COMM_THREAD: "1" }) },
    ipc: transport === "ipc",
    emulate: options.emulate,
    basePort: options.basePort,
    prefixOutput: false,
    timeoutMs: options.launchTimeoutMs,
    onLine: (rank, stream, line) => {
      if (stream === "stdout" && line.startsWith(RESULT_MARKER)) collect(JSON.parse(line.slice(RESULT_MARKER.length)) as R);
      else log(rank, line);
    },
  }).then((r) => r.code);
}
