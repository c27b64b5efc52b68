import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { splitLines } from "./lines.js";
import { DEFAULT_BASE_PORT } from "../world/addresses.js";
import { generateCurveKeys } from "../transports/curve.js";
import { ENV, readHostLinks } from "../world/env.js";
import { checkLaunchLimits } from "./host-limits.js";
import { newJobId } from "../transports/job.js";
import { signalStatus, superviseRanks, type ElasticSupervision, type LaunchResult, type RankControl, type RankHandle } from "./rank-supervisor.js";
import { WIRE_ENV } from "../transports/wire-env.js";
import type { Topology } from "../world/topology.js";

export type { LaunchResult, RankControl } from "./rank-supervisor.js";

export interface LaunchOptions {
  topology: Topology;
  command: string;
  args?: string[];
  /** Extra environment for every rank (on top of this process's). */
  env?: NodeJS.ProcessEnv;
  basePort?: number;
  emulate?: boolean;
  /** The emulated (or real) WAN rate in Mbit/s, told to the ranks (LONGHAUL_LINK_RATE_MBIT) for their cost model and stream counts. */
  rateMbit?: number;
  /** Co-located ranks talk over ZeroMQ ipc:// in a temporary folder instead of TCP loopback. */
  ipc?: boolean;
  /** Prefix every output line with `[rank R]` (default true). */
  prefixOutput?: boolean;
  /** Receives every output line (without the prefix) instead of this process's stdout/stderr. */
  onLine?: (rank: number, stream: "stdout" | "stderr", line: string) => void;
  /** Stop every rank and return 124 after this long (default: no limit). */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when ranks are stopped (default 3 s). */
  graceMs?: number;
  cwd?: string;
  /** Stop the ranks when this process's parent exits, e.g. npx killed (default true; false for nohup-style runs that outlive their shell). */
  stopWithParent?: boolean;
  /** Start only these ranks; the rest of the world runs elsewhere (e.g. one container per region). Default: all. */
  ranks?: readonly number[];
  /**
   * The job id handed to every rank (LONGHAUL_JOB_ID). Default: the environment's, else a fresh one
   * when this launch starts the whole world (a partial world must share its id with the other parts).
   */
  jobId?: string;
  /** CURVE-encrypted links: unless LONGHAUL_CURVE_KEYS names a keys file, one is made for this job (mode 0600) and removed after. */
  curve?: boolean;
  /**
   * This launch is one node of a node-level launch: LOCAL_RANK and LOCAL_WORLD_SIZE count this
   * node's ranks (as torchrun's do) and GROUP_RANK is the node's rank; otherwise they count the region's.
   */
  node?: { groupRank: number };
  /** Stops every rank (SIGTERM, then SIGKILL after graceMs) and makes the launch end with code 1, e.g. when another node failed. */
  stop?: AbortSignal;
  /**
   * Run this host's ranks as worker threads of this process (thread-ranks.ts): `command` must be
   * `node [node-flags] script [args]` or a script; ranks on this host talk through shared memory.
   */
  threads?: boolean;
  /**
   * Called once every rank has started, with the control through which a fault schedule kills a
   * rank (SIGKILL to its process group; not a failure of the launch) and starts it again with the
   * same environment (rank-supervisor.ts RankControl).
   */
  onStarted?: (control: RankControl) => void;
  /** A rank's failure does not stop the others; it restarts up to maxRestarts times (rank-supervisor.ts). */
  elastic?: ElasticSupervision;
}

/**
 * Starts one local rank of `topology` per process (or, with `threads`, per worker thread of this
 * process: thread-ranks.ts) with the torchrun-style environment, like torchrun / mpirun. When one
 * rank fails the others are stopped (SIGTERM, then SIGKILL after graceMs); SIGINT/SIGTERM/SIGHUP
 * sent to this process are forwarded, also while it is still spawning, and when this process's
 * parent goes away (npx does not pass signals on) the ranks are stopped as on SIGTERM
 * (rank-supervisor.ts). Each rank process runs in its own process group so its children are stopped
 * with it, and none outlives this process. A world larger than this host can start is refused first.
 */
export async function launchRanks(options: LaunchOptions): Promise<LaunchResult> {
  const { topology } = options;
  const local = topology.regions.flatMap((region) => region.ranks.filter((rank) => options.ranks?.includes(rank) ?? true));
  checkLaunchLimits(local.length, { size: topology.size, regions: topology.regions.length, basePort: options.basePort ?? DEFAULT_BASE_PORT, emulate: options.emulate ?? false });
  const ipcDir = options.ipc ? mkdtempSync(join(tmpdir(), "longhaul-ipc-")) : undefined;
  // The job's own folder for the Unix-socket transport's files, removed after: a rank that crashed leaves none behind.
  const socketDir = !ipcDir && unixHostLinks(options) ? mkdtempSync(join(tmpdir(), "longhaul-job-")) : undefined;
  const wire = jobWireEnv(options);
  const threads: NodeJS.ProcessEnv = options.threads ? { [ENV.threads]: String(local.length) } : {};
  const envOf = (rank: number): NodeJS.ProcessEnv => ({ ...rankEnv(options, rank, topology.localRank(rank), ipcDir), ...(socketDir && { [ENV.socketDir]: socketDir }), ...wire.env, ...threads });
  const prefixOf = (rank: number): string => (options.prefixOutput === false ? "" : topology.regions.length > 1 ? `[rank ${rank} ${topology.regionOf(rank).name}] ` : `[rank ${rank}] `);
  const lines = (rank: number) => (stream: "stdout" | "stderr", line: string) => emit(options.onLine, rank, stream, prefixOf(rank), line);
  try {
    const start = options.threads
      ? (await import("./thread-ranks.js")).threadRankStarter({ command: options.command, args: options.args ?? [], cwd: options.cwd, localRanks: local, envOf, lines })
      : (rank: number) => startProcess(options, envOf(rank), lines(rank));
    return await superviseRanks({ ranks: local, start, timeoutMs: options.timeoutMs, graceMs: options.graceMs, stopWithParent: options.stopWithParent, stop: options.stop, onStarted: options.onStarted, elastic: options.elastic });
  } finally {
    for (const dir of [ipcDir, socketDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    wire.cleanup();
  }
}

/** Whether this launch starts a whole world of processes that init() links with Unix sockets (no emulator, no other hosts, no threads, no CURVE). */
function unixHostLinks(options: LaunchOptions): boolean {
  const env = { ...process.env, ...options.env };
  const whole = options.ranks === undefined || options.ranks.length === options.topology.size;
  return whole && !options.emulate && !options.threads && !options.curve && !options.node && readHostLinks(env) === "unix";
}

/** One rank as a process in its own group, its output split into lines. */
function startProcess(options: LaunchOptions, env: NodeJS.ProcessEnv, line: (stream: "stdout" | "stderr", text: string) => void): RankHandle {
  const child = spawn(options.command, options.args ?? [], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  pipeLines(child, line);
  const exited = new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      if (error) line("stderr", `cannot start "${options.command}": ${error.message}`);
      resolve(error ? 127 : code ?? signalStatus(signal));
    };
    child.on("error", (error) => finish(null, null, error));
    child.on("close", (code, signal) => finish(code, signal));
  });
  return {
    exited,
    signal: (signal) => child.pid !== undefined && killGroup(child.pid, signal),
    // A rank that exited may have left children in its process group: they go too.
    kill: () => child.pid !== undefined && killGroup(child.pid, "SIGKILL"),
  };
}

/** The job id and CURVE settings of this launch, and what to remove when it ends. */
function jobWireEnv(options: LaunchOptions): { env: NodeJS.ProcessEnv; cleanup: () => void } {
  const given = options.jobId ?? options.env?.[WIRE_ENV.jobId] ?? process.env[WIRE_ENV.jobId];
  const jobId = given ?? (options.ranks === undefined ? newJobId() : undefined);
  const env: NodeJS.ProcessEnv = jobId ? { [WIRE_ENV.jobId]: jobId } : {};
  if (!options.curve) return { env, cleanup: () => undefined };
  env[WIRE_ENV.curve] = "1";
  const existing = options.env?.[WIRE_ENV.curveKeys] ?? process.env[WIRE_ENV.curveKeys];
  if (existing) return { env: { ...env, [WIRE_ENV.curveKeys]: existing }, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "longhaul-keys-"));
  const path = join(dir, "curve.json");
  writeFileSync(path, JSON.stringify(generateCurveKeys()), { mode: 0o600 });
  return { env: { ...env, [WIRE_ENV.curveKeys]: path }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * glibc serves allocations above 128 KiB with a fresh mmap, so every 1 MiB message ZeroMQ receives
 * costs 256 page faults and an munmap. Raising the threshold lets freed message buffers be reused:
 * continents, hierarchical 64 MiB, 1 Gbit/s, the ranks' CPU per op 1.14–1.25 s instead of
 * 1.25–1.67 s, the op 0.98–1.10 s instead of 1.03–1.33 s (four runs each), peak RSS unchanged.
 * A rank's own environment wins; other C libraries ignore these.
 */
const MALLOC_TUNING: NodeJS.ProcessEnv = { MALLOC_MMAP_THRESHOLD_: String(64 << 20), MALLOC_TRIM_THRESHOLD_: String(256 << 20) };

function rankEnv(options: LaunchOptions, rank: number, localRank: number, ipcDir: string | undefined): NodeJS.ProcessEnv {
  const { topology } = options;
  const env: NodeJS.ProcessEnv = {
    ...MALLOC_TUNING,
    ...process.env,
    ...options.env,
    [ENV.rank]: String(rank),
    [ENV.worldSize]: String(topology.size),
    [ENV.localRank]: String(options.node ? options.ranks!.indexOf(rank) : localRank),
    LOCAL_WORLD_SIZE: String(options.node ? options.ranks!.length : topology.regionOf(rank).ranks.length),
    ...(options.node && { GROUP_RANK: String(options.node.groupRank) }),
    [ENV.topology]: topology.spec,
    [ENV.basePort]: String(options.basePort ?? DEFAULT_BASE_PORT),
    [ENV.emulate]: options.emulate ? "1" : "0",
  };
  if (ipcDir) env[ENV.ipcDir] = ipcDir;
  if (options.rateMbit !== undefined) env[ENV.linkRateMbit] = String(options.rateMbit);
  return env;
}

function pipeLines(child: ChildProcess, line: (stream: "stdout" | "stderr", text: string) => void): void {
  for (const stream of ["stdout", "stderr"] as const) {
    const source = child[stream];
    if (source) splitLines(source, (text) => line(stream, text));
  }
}

function emit(onLine: LaunchOptions["onLine"], rank: number, stream: "stdout" | "stderr", prefix: string, line: string): void {
  if (onLine) onLine(rank, stream, line);
  else (stream === "stdout" ? process.stdout : process.stderr).write(prefix + line + "\n");
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the rank and everything it started
  } catch {
    // already gone
  }
}
