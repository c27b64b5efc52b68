/**
 * The α/β/γ link matrix the cost model reads (NCCL's tuning.cc keeps the same numbers per link
 * class): α = one-way latency, β = seconds per byte of a link's bottleneck, γ = seconds per byte
 * reduced. WAN links are per region pair, because the emulator's (and a real WAN's) rate is shared
 * by every connection between two regions. Declared from the netem profiles; the software
 * constants below were fitted on the 2-core development machine (see DEFAULT_SOFTWARE) and are
 * the defaults: `longhaul calibrate` measures them on the host (model/calibration.ts).
 */
import { availableParallelism } from "node:os";
import { bdpStreams, DEFAULT_WINDOW_BYTES } from "./pair-streams.js";
import { linkProfilesFor } from "./pairs.js";
import { REGIONS } from "./regions.js";
import type { CongestionControl } from "./tcp.js";
import type { HostLinks } from "../world/env.js";
import type { Topology } from "../world/topology.js";

/** This implementation's own costs (not the network's). */
export interface SoftwareCosts {
  /** One-way latency of a message between two ranks of one region (ZeroMQ over loopback), s: CPU work (syscalls, I/O-thread and event-loop wake-ups), booked half at each end's cores. */
  localAlphaS: number;
  /** One-way latency of a local message that no core spends (the scheduler waking a blocked receiver), s: a pure delay, unlike localAlphaS. */
  localWakeS: number;
  /** Per-byte cost of a local transfer at the sender (copies, syscalls), s/byte. */
  localBetaS: number;
  /** Per-message CPU cost at sender and at receiver, s. */
  perMessageS: number;
  /** Per-byte reduction cost (WebAssembly SIMD kernel), s/byte. */
  gammaS: number;
  /** Fixed cost of one all-reduce call (op bookkeeping, promise chains), s. */
  perOpS: number;
  /** Extra one-way latency of a hop through the userspace emulator (two extra loopback legs), s. */
  emulatorAlphaS: number;
  /** Per-byte CPU cost of the emulator process, shared by all WAN traffic, s/byte (0 = no emulator). */
  emulatorBetaS: number;
  /** One-way latency between two ranks that are threads of one process (a MessagePort hop), s. */
  threadAlphaS: number;
  /** Per-byte cost of a message between threads of one process (one memcpy into a pooled buffer), s/byte. */
  threadBetaS: number;
  /** Sends inside a region of at least this many bytes go zero-copy and complete on the receiver's ACK (the ZeroMQ transport's default; WAN sends are copied). */
  ackFromBytes: number;
}

/**
 * Per-process costs with a core to itself; the simulator books CPU work on each host's cores
 * (cost-cpu.ts), so sharing slows them only while processes actually compute at once. Latencies
 * follow the ~112 µs ZeroMQ tcp round trip measured here. The per-byte terms follow the CPU time
 * the ranks report (`cpuMs`, load-independent) in `longhaul bench allreduce --topology continents
 * --emulate --rate 1gbit`: at 64 MiB 1.20–1.26 s over all ranks in one session, 1.32–1.53 s in
 * another (the host's other tenants vary it); localBetaS = 1.3 ns/byte sits between the two. The
 * emulator's 1.0 ns/byte agrees with the sweep's own CPU time (0.35–0.4 s at 64 MiB). Rough: they
 * matter only where the network does not dominate.
 */
export const DEFAULT_SOFTWARE: SoftwareCosts = {
  localAlphaS: 45e-6,
  localWakeS: 0,
  localBetaS: 1.3e-9,
  perMessageS: 8e-6,
  gammaS: 1 / 4e9,
  perOpS: 30e-6,
  emulatorAlphaS: 150e-6,
  emulatorBetaS: 1.0e-9,
  // A MessagePort round trip between two threads here is ~20-40 µs (4 threads on 2 cores); a copy into
  // a pooled buffer runs at ~7 GB/s. Rough, like the socket terms: they decide only mixed worlds.
  threadAlphaS: 12e-6,
  threadBetaS: 0.15e-9,
  ackFromBytes: 64 * 1024,
};

/**
 * The local terms when the processes of one host link over Unix sockets (init()'s default there),
 * in place of ZeroMQ's: no I/O-thread hops, but a write wakes its reader on the writer's core, so
 * a hop costs a scheduler wake-up that no core spends (localWakeS); sends complete without ACKs.
 * Fitted to one run of `longhaul bench allreduce --ranks 4 --transport unix --sizes
 * 4KiB,256KiB,4MiB,64MiB --algorithm ring,tree,halving-doubling,hierarchical --json` (rms log
 * error 0.37 → 0.17 against ZeroMQ's terms; "auto" then picks the measured best at all four sizes,
 * where ZeroMQ's terms picked the tree at 4 KiB, 1.42x the best). Judged on runs it was not fitted
 * to, the same sweep with --ranks 3 and --ranks 6: rms log error 0.59 → 0.40, and no size where
 * the pick got worse (6 ranks, 256 KiB: 1.14x the best → the best). It still underestimates small
 * messages among 6 processes on 2 cores (predictions 0.4–0.6x), where every hop waits in a queue
 * of runnable processes; and at 64 MiB it puts the ring and halving-doubling within 1% of each
 * other (the ring measured 1.22x faster), so the pick there hangs on the core count.
 */
export const UNIX_SOCKET_SOFTWARE: Partial<SoftwareCosts> = {
  localAlphaS: 80e-6,
  localWakeS: 40e-6,
  perMessageS: 5e-6,
  localBetaS: 1.1e-9,
  perOpS: 60e-6,
  ackFromBytes: Infinity,
};

export interface LinkModel {
  readonly topology: Topology;
  readonly source: "declared" | "measured";
  /** alphaS[src][dst]: one-way WAN latency between region indices (0 on the diagonal). */
  readonly alphaS: readonly (readonly number[])[];
  /** rateBps[src][dst]: bytes/s of the shared region-pair bottleneck (Infinity = unshaped). */
  readonly rateBps: readonly (readonly number[])[];
  /** Per-connection window (TCP receive window cap), bytes: one stream moves at most window/RTT. */
  readonly windowBytes: number;
  /** streams[src][dst]: connections per rank pair between those regions (multi-stream; 1 inside a region). */
  readonly streams: readonly (readonly number[])[];
  /** Whether cross-region traffic goes through the userspace emulator. */
  readonly emulated: boolean;
  /** Cores of each host (Infinity: every process has a core to itself). */
  readonly cores: number;
  /** hostOf[rank]: the host a rank runs on; ranks of one host (and the emulator, on host 0) share its cores. */
  readonly hostOf: readonly number[];
  readonly software: SoftwareCosts;
  /** How this host's processes link: Unix sockets (UNIX_SOCKET_SOFTWARE's local terms) or ZeroMQ. */
  readonly hostLinks: HostLinks;
  /** threadGroup[rank]: ranks with the same number are threads of one process (`launch --threads`); absent: every rank a process. */
  readonly threadGroup?: readonly number[];
  /** Congestion control of the WAN connections (default cubic, Linux's): how loss limits each one (model/stream-rate.ts). */
  readonly cc?: CongestionControl;
  /** loss[src][dst]: segment loss of the WAN pair, 0..1 (absent: none). */
  readonly loss?: readonly (readonly number[])[];
  /** net.ipv4.tcp_slow_start_after_idle (default true): a connection silent for an RTO restarts its window. */
  readonly slowStartAfterIdle?: boolean;
  /** Silence on every WAN connection before the op (s, default 0: ops back to back); past the RTO the op starts from restarted windows. */
  readonly idleGapS?: number;
}

export interface DeclareOptions {
  /** Rate of every WAN region pair in Mbit/s (default: unshaped). */
  rateMbit?: number;
  /** false: the regions are names only and every rank is on this host (all links local). */
  wan?: boolean;
  emulated?: boolean;
  /** Regions run on hosts of their own, also when the emulator shapes the links (each node its own egress): no rank shares this host's cores. */
  hosted?: boolean;
  windowBytes?: number;
  /** Connections per WAN rank pair (default: from each pair's bandwidth-delay product, as init() opens them). */
  streams?: number;
  software?: Partial<SoftwareCosts>;
  /** Cores per host (default: this machine's). */
  cores?: number;
  /** Measured one-way delays between regions (s, by region index; see link-probe.ts): used instead of the profiles, and make the links WAN whatever the region names. */
  measuredAlphaS?: readonly (readonly number[])[];
  /** Ranks run as threads, this many consecutive ranks per process (LONGHAUL_THREADS): links inside a block are memcpy links. */
  threadsPerProcess?: number;
  /** "unix": the ranks are processes of this host linked by Unix sockets (UNIX_SOCKET_SOFTWARE's local terms; only where every link is local). */
  hostLinks?: HostLinks;
  /** Congestion control of the WAN connections (default cubic). */
  cc?: CongestionControl;
  /** Random loss of every WAN pair in percent (default 0). */
  lossPct?: number;
  /** net.ipv4.tcp_slow_start_after_idle (default true). */
  slowStartAfterIdle?: boolean;
  /** Silence before each op on the WAN connections, s (default 0). */
  idleGapS?: number;
}

/**
 * Share of this machine's cores the model counts on when every rank (and the emulator) runs here:
 * with 8 ranks, their ZeroMQ I/O threads and the emulator busy on 2 vCPUs, context switches and
 * cache refills cost about a tenth (hierarchical at 64 MiB on continents: 1.06–1.16 s measured
 * where the ranks' and the emulator's CPU time, packed perfectly on 2 cores, come to ~0.9 s).
 */
export const SHARED_HOST_CORE_EFFICIENCY = 0.9;

/** Linux's default largest receive window (tcp_rmem max); the emulator models the same cap. */
export { DEFAULT_WINDOW_BYTES };

/** A link model declared from the regions' netem profiles (distance-based delay, optional rate), or from measured delays. */
export function declaredLinkModel(topology: Topology, options: DeclareOptions = {}): LinkModel {
  const n = topology.regions.length;
  const known = topology.regions.every((r) => REGIONS.has(r.name));
  const measured = options.measuredAlphaS;
  const wan = (options.wan ?? true) && (known || measured !== undefined) && n > 1;
  const profiles = wan && !measured ? linkProfilesFor(topology) : undefined;
  const grid = (f: (i: number, j: number) => number) => topology.regions.map((_, i) => topology.regions.map((_, j) => f(i, j)));
  // A calibration measures ZeroMQ links (bench/calibrate.ts): over Unix sockets only its reduction term applies.
  const unixLinks = options.hostLinks === "unix" && !wan;
  const software = { ...DEFAULT_SOFTWARE, ...options.software, ...(unixLinks && UNIX_SOCKET_SOFTWARE) };
  const emulated = wan && (options.emulated ?? false);
  if (!emulated) software.emulatorBetaS = 0;
  return {
    topology,
    source: measured ? "measured" : "declared",
    alphaS: grid((i, j) => (!wan || i === j ? 0 : measured ? measured[i][j] : profiles!.profile(i, j).delayMs / 1000)),
    rateBps: grid((i, j) => (wan && i !== j && options.rateMbit !== undefined ? (options.rateMbit * 1e6) / 8 : Infinity)),
    windowBytes: options.windowBytes ?? DEFAULT_WINDOW_BYTES,
    streams: options.streams === undefined ? bdpStreams(topology, wan ? options.rateMbit : undefined) : grid((i, j) => (i === j ? 1 : options.streams!)),
    emulated,
    ...hostsOf(topology, wan && (!emulated || options.hosted === true), options.cores),
    software,
    hostLinks: unixLinks ? "unix" : "zmq",
    ...(options.threadsPerProcess !== undefined && { threadGroup: Array.from({ length: topology.size }, (_, r) => Math.floor(r / options.threadsPerProcess!)) }),
    ...(options.cc !== undefined && { cc: options.cc }),
    ...(wan && (options.lossPct ?? 0) > 0 && { loss: grid((i, j) => (i === j ? 0 : options.lossPct! / 100)) }),
    ...(options.slowStartAfterIdle !== undefined && { slowStartAfterIdle: options.slowStartAfterIdle }),
    ...(options.idleGapS !== undefined && { idleGapS: options.idleGapS }),
  };
}

/** Whether ranks a and b are threads of one process in this model (memcpy links, no socket). */
export function sameProcess(model: LinkModel, a: number, b: number): boolean {
  return model.threadGroup !== undefined && model.threadGroup[a] === model.threadGroup[b];
}

/**
 * Which host each rank runs on and its cores. Every rank must reach the same decision, so this
 * machine's core count is used only when the whole world runs on it; regions on separate hosts
 * give every rank a core unless `cores` is declared.
 */
function hostsOf(topology: Topology, regionsAreHosts: boolean, cores: number | undefined): Pick<LinkModel, "cores" | "hostOf"> {
  const ranks = Array.from({ length: topology.size }, (_, r) => r);
  if (regionsAreHosts) return { cores: cores ?? Infinity, hostOf: ranks.map((r) => topology.regionOf(r).index) };
  return { cores: cores ?? availableParallelism() * SHARED_HOST_CORE_EFFICIENCY, hostOf: ranks.map(() => 0) };
}

/** Whether ranks a and b sit in different regions (a WAN link). */
export function isWan(model: LinkModel, a: number, b: number): boolean {
  return model.topology.regionOf(a).index !== model.topology.regionOf(b).index;
}

/** Number of region boundaries the ring r → r+1 (mod n) crosses; the minimum for R > 1 regions is R. */
export function ringWanCrossings(topology: Topology): number {
  let crossings = 0;
  for (let r = 0; r < topology.size; r++) if (topology.regionOf(r).index !== topology.regionOf((r + 1) % topology.size).index) crossings++;
  return crossings;
}
