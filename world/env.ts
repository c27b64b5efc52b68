import { DEFAULT_BASE_PORT, lastPort, type AddressPlan } from "./addresses.js";
import { parseCount, parseDuration, parseRate } from "./units.js";
import { CommError, invalidArgument } from "./comm-error.js";
import { parseRankHosts, RANK_HOSTS_ENV } from "./rank-hosts.js";
import { parseTopology, type Topology } from "./topology.js";

/** Environment variables a rank reads (torchrun's names plus LONGHAUL_*); the launcher sets them. */
export const ENV = {
  rank: "RANK",
  worldSize: "WORLD_SIZE",
  localRank: "LOCAL_RANK",
  topology: "LONGHAUL_TOPOLOGY",
  basePort: "LONGHAUL_BASE_PORT",
  emulate: "LONGHAUL_EMULATE",
  emulatorHost: "LONGHAUL_EMULATOR_HOST",
  hosts: "LONGHAUL_HOSTS",
  ipcDir: "LONGHAUL_IPC_DIR",
  timeoutMs: "LONGHAUL_TIMEOUT_MS",
  streams: "LONGHAUL_STREAMS",
  /** The WAN rate (Mbit/s): the cost model's link rate and the streams init() opens per WAN peer. */
  linkRateMbit: "LONGHAUL_LINK_RATE_MBIT",
  /**
   * Set by `launch --threads`: the ranks run as worker threads, K per node (blocks of K consecutive
   * ranks share a process). The cost model treats links inside a block as memcpy links.
   */
  threads: "LONGHAUL_THREADS",
  /** 1: init() measures the delays between regions (collectives/link-probe.ts). */
  probe: "LONGHAUL_PROBE",
  /** 1: init() runs this rank's transport and collectives in a worker thread (comm-thread/). */
  commThread: "LONGHAUL_COMM_THREAD",
  /** How processes of a world that is all on this host link: "unix" (Node's Unix sockets, default) or "zmq". */
  hostLinks: "LONGHAUL_HOST_LINKS",
  /** Folder of the Unix-socket transport's socket files (default LONGHAUL_IPC_DIR, else the temporary folder); launch makes one per job. */
  socketDir: "LONGHAUL_SOCKET_DIR",
} as const;

export type HostLinks = "unix" | "zmq";

/** Settings that override the environment (same meaning as the variables in ENV). */
export interface RankEnvOverrides {
  rank?: number;
  worldSize?: number;
  localRank?: number;
  topology?: string | Topology;
  basePort?: number;
  emulate?: boolean;
  emulatorHost?: string;
  hosts?: Record<string, string>;
  ipcDir?: string;
  timeoutMs?: number;
  /** Sockets per peer link (multi-stream). */
  streams?: number;
  /**
   * init() measures the round trip between regions (a few pings between the first ranks of each
   * region) and gives "auto" those delays instead of the netem profiles'. For real WANs and region
   * names without built-in coordinates; every rank must agree.
   */
  probe?: boolean;
}

export interface RankEnv {
  rank: number;
  localRank: number;
  topology: Topology;
  plan: AddressPlan;
  timeoutMs?: number;
  streams?: number;
  /** LONGHAUL_LINK_RATE_MBIT, checked here so a bad value fails init() instead of meaning "unshaped". */
  linkRateMbit?: number;
  probe: boolean;
}

/**
 * Resolves this process's place in the world from overrides, then the environment. A process with
 * neither RANK nor WORLD_SIZE is rank 0 of a world of 1, so a script also runs on its own.
 */
export function readRankEnv(env: NodeJS.ProcessEnv = process.env, overrides: RankEnvOverrides = {}): RankEnv {
  const worldSize = overrides.worldSize ?? intVar(env, ENV.worldSize, 1);
  const topology = resolveTopology(overrides.topology ?? env[ENV.topology], worldSize);
  if (worldSize !== undefined && worldSize !== topology.size) {
    throw invalidArgument(`${ENV.worldSize}=${worldSize} but topology "${topology.spec}" has ${topology.size} ranks; make them agree (or leave ${ENV.worldSize} unset)`, "init");
  }
  const rank = overrides.rank ?? intVar(env, ENV.rank, 0) ?? (topology.size === 1 ? 0 : undefined);
  if (rank === undefined) {
    throw invalidArgument(`${ENV.rank} is not set; in a world of ${topology.size} ranks each process needs its rank (start them with "longhaul launch" or torchrun, or pass { rank })`, "init");
  }
  if (rank >= topology.size) {
    throw invalidArgument(`${ENV.rank}=${rank} is outside the world of ${topology.size} ranks (0..${topology.size - 1})`, "init");
  }
  const localRank = overrides.localRank ?? intVar(env, ENV.localRank, 0) ?? topology.localRank(rank);
  // After a node-level launch (rank hosts set) LOCAL_RANK counts the ranks of this node, as torchrun's
  // does, and a region may span nodes; otherwise it is the rank's place in its region.
  const nodeLevel = (env[RANK_HOSTS_ENV] ?? "").trim() !== "";
  if (!nodeLevel && localRank !== topology.localRank(rank)) {
    throw invalidArgument(`${ENV.localRank}=${localRank} but rank ${rank} is local rank ${topology.localRank(rank)} of region "${topology.regionOf(rank).name}" in topology "${topology.spec}"; fix LOCAL_RANK or the topology`, "init");
  }
  const plan: AddressPlan = {
    basePort: overrides.basePort ?? intVar(env, ENV.basePort, 1) ?? DEFAULT_BASE_PORT,
    emulate: overrides.emulate ?? flagVar(env, ENV.emulate),
    emulatorHost: overrides.emulatorHost ?? (env[ENV.emulatorHost] || undefined),
    hosts: overrides.hosts ?? parseHosts(env[ENV.hosts], topology),
    ipcDir: overrides.ipcDir ?? (env[ENV.ipcDir] || undefined),
    socketDir: env[ENV.socketDir] || undefined,
    rankHosts: parseRankHosts(env[RANK_HOSTS_ENV], topology.size),
  };
  if (lastPort(topology.size, topology.regions.length, plan.basePort, true) > 65535) {
    throw invalidArgument(`base port ${plan.basePort} leaves no room for ${topology.size} ranks and their emulator proxies below 65536; choose a lower ${ENV.basePort}`, "init");
  }
  const streams = overrides.streams ?? readStreams(env); // unset: init() picks per link
  const probe = overrides.probe ?? flagVar(env, ENV.probe);
  const timeoutMs = overrides.timeoutMs ?? fromText(env, ENV.timeoutMs, (text) => positiveMs(parseDuration(text, ENV.timeoutMs), text));
  return { rank, localRank, topology, plan, timeoutMs, streams, linkRateMbit: readLinkRate(env), probe };
}

/** LONGHAUL_LINK_RATE_MBIT: a bare number is Mbit/s, and units work too ("1gbit"); unset is unshaped. */
export function readLinkRate(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return fromText(env, ENV.linkRateMbit, (text) => parseRate(text, ENV.linkRateMbit));
}

/** LONGHAUL_COMM_THREAD: run the transport and collectives in a communication thread (default off). */
export function readCommThread(env: NodeJS.ProcessEnv = process.env): boolean {
  return flagVar(env, ENV.commThread);
}

/** LONGHAUL_HOST_LINKS: "unix" (default) or "zmq"; anything else is INVALID_ARGUMENT naming the choices. */
export function readHostLinks(env: NodeJS.ProcessEnv = process.env): HostLinks {
  const text = (env[ENV.hostLinks] ?? "").trim().toLowerCase();
  if (text === "" || text === "unix") return "unix";
  if (text === "zmq") return "zmq";
  throw invalidArgument(`${ENV.hostLinks}="${env[ENV.hostLinks]}" is not a way to link processes of one host; use unix (Unix sockets, the default) or zmq (ZeroMQ)`, "init");
}

/** LONGHAUL_STREAMS: connections per peer link, a whole number >= 1; unset lets init() pick. */
export function readStreams(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return intVar(env, ENV.streams, 1);
}

/** LONGHAUL_THREADS: ranks per process when the launcher runs them as threads; unset: one rank per process. */
export function readThreadsPerProcess(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return intVar(env, ENV.threads, 1);
}

function positiveMs(ms: number, text: string): number {
  if (ms <= 0) throw invalidArgument(`${ENV.timeoutMs}="${text}" must be above zero; write e.g. 30000 or "30s"`, "init");
  return ms;
}

/** Parses a set variable with the one unit parser (world/units.ts); its errors become INVALID_ARGUMENT CommErrors naming the variable. */
function fromText<T>(env: NodeJS.ProcessEnv, name: string, parse: (text: string) => T): T | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof CommError) throw error;
    throw invalidArgument((error as Error).message, "init");
  }
}

function resolveTopology(spec: string | Topology | undefined, worldSize: number | undefined): Topology {
  if (spec !== undefined && typeof spec !== "string") return spec;
  if (spec !== undefined && spec.trim() !== "") return parseTopology(spec);
  return parseTopology(String(worldSize ?? 1));
}

function intVar(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  return fromText(env, name, (text) => parseCount(text, name, min));
}

/** A LONGHAUL_* on/off variable: unset, 0, false, no, off or 1, true, yes, on; anything else is INVALID_ARGUMENT naming it. */
export function flagVar(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = (env[name] ?? "").trim().toLowerCase();
  if (["", "0", "false", "no", "off"].includes(text)) return false;
  if (["1", "true", "yes", "on"].includes(text)) return true;
  throw invalidArgument(`${name}="${env[name]}" is not a flag; use 1 or 0`, "init");
}

/** `new-york=10.0.0.1,london=ny-host` → { "new-york": "10.0.0.1", london: "ny-host" }; every name must be a region. */
export function parseHosts(text: string | undefined, topology: Topology): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const hosts: Record<string, string> = {};
  const names = new Set(topology.regions.map((r) => r.name));
  for (const part of text.split(",")) {
    const [region, host, extra] = part.trim().split("=");
    if (extra !== undefined || !host || !names.has(region)) {
      throw invalidArgument(`${ENV.hosts} entry "${part}" is not REGION=HOST with a region of "${topology.spec}" (${[...names].join(", ")})`, "init");
    }
    hosts[region] = host;
  }
  return hosts;
}
