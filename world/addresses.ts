import type { Topology } from "./topology.js";

/**
 * Where each rank listens and where its peers dial it. Deterministic from the topology, so a static
 * world needs no discovery service (each process computes the same table).
 *
 * With `emulate`, a connection from a rank in region S to rank D in another region dials the
 * userspace link emulator's proxy port for (S, D) instead, which forwards to D's listen endpoint
 * with the S→D link profile applied. Proxy ports sit right above the rank ports.
 */
export interface AddressPlan {
  /** Rank r listens on basePort + r. */
  readonly basePort: number;
  /** Host of each region (docker: the service name); default 127.0.0.1 for every region. */
  readonly hosts?: Readonly<Record<string, string>>;
  /**
   * Host of each rank, from the rendezvous of a node-level launch (a region may span several hosts);
   * wins over `hosts`. A rank binds its own address here, not every interface.
   */
  readonly rankHosts?: readonly string[];
  /** Host where the emulator's proxies listen (default 127.0.0.1). */
  readonly emulatorHost?: string;
  readonly emulate?: boolean;
  /**
   * Opt-in: ranks on the same host also listen on a unix socket in this folder (ZeroMQ ipc://) and
   * peers on that host dial it instead of TCP loopback, skipping the kernel's TCP path. Links the
   * emulator shapes stay on TCP.
   */
  readonly ipcDir?: string;
  /** Folder of the Unix-socket transport's socket files (transports/unix/connect.ts; default ipcDir, else the temporary folder). */
  readonly socketDir?: string;
}

export const DEFAULT_BASE_PORT = 29500;

export function listenPort(plan: AddressPlan, rank: number): number {
  return plan.basePort + rank;
}

export function hostOf(topology: Topology, plan: AddressPlan, rank: number): string {
  return plan.rankHosts?.[rank] ?? plan.hosts?.[topology.regionOf(rank).name] ?? "127.0.0.1";
}

/** Proxy port the emulator opens for traffic from region `srcRegion` to rank `dst`. */
export function proxyPort(topology: Topology, plan: AddressPlan, srcRegion: number, dst: number): number {
  return plan.basePort + topology.size + srcRegion * topology.size + dst;
}

/** The endpoint a rank binds. */
export function listenEndpoint(topology: Topology, plan: AddressPlan, rank: number): string {
  // Region hosts may be names (docker services) that only resolve to this container: bind all there.
  const bindHost = plan.rankHosts ? plan.rankHosts[rank] : plan.hosts ? "0.0.0.0" : "127.0.0.1";
  return `tcp://${bindHost}:${listenPort(plan, rank)}`;
}

/**
 * Every endpoint a rank binds: its TCP endpoint, plus its ipc:// endpoint when `ipcDir` is set. A
 * world that is all on one host and not emulated dials only ipc, so it binds no TCP port at all
 * (and cannot collide with another world's ports).
 */
export function listenEndpoints(topology: Topology, plan: AddressPlan, rank: number): string[] {
  const tcp = listenEndpoint(topology, plan, rank);
  if (plan.ipcDir === undefined) return [tcp];
  const ipc = ipcEndpoint(plan.ipcDir, plan, rank);
  return oneHost(plan) ? [ipc] : [tcp, ipc];
}

/** Every rank on this host and no link emulated: the plan names no hosts and no emulator. */
export function oneHost(plan: AddressPlan): boolean {
  return !plan.emulate && plan.hosts === undefined && plan.rankHosts === undefined;
}

function ipcEndpoint(dir: string, plan: AddressPlan, rank: number): string {
  return `ipc://${dir.replace(/\/+$/, "")}/longhaul-${plan.basePort}-${rank}.sock`;
}

/** The endpoint `from` dials to reach `to`: direct inside a region, through the emulator across regions. */
export function dialEndpoint(topology: Topology, plan: AddressPlan, from: number, to: number): string {
  const src = topology.regionOf(from);
  if (plan.emulate && src.index !== topology.regionOf(to).index) {
    return `tcp://${plan.emulatorHost ?? "127.0.0.1"}:${proxyPort(topology, plan, src.index, to)}`;
  }
  if (plan.ipcDir !== undefined && hostOf(topology, plan, from) === hostOf(topology, plan, to)) {
    return ipcEndpoint(plan.ipcDir, plan, to);
  }
  return `tcp://${hostOf(topology, plan, to)}:${listenPort(plan, to)}`;
}

/** The ports a world takes: rank r at base + r, and with the emulator a proxy port per (rank, region). */
export function lastPort(size: number, regions: number, basePort: number, emulate: boolean): number {
  return basePort + size * (emulate ? regions + 1 : 1) - 1;
}
