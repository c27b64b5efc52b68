import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { invalidArgument } from "../world/comm-error.js";
import { lastPort } from "../world/addresses.js";

/**
 * What one host can start, read once (Linux: /proc; elsewhere the fields are undefined and their
 * checks are skipped). launch checks a world against these before it spawns anything: a world too
 * large for the host otherwise fails after minutes of spawning, rank by rank.
 */
export interface HostLimits {
  /** This process's open-file limit (`ulimit -n`; Node raises the soft limit to the hard one at start). */
  openFiles?: number;
  /** Processes and threads this user may run (`ulimit -u`), and the kernel's pid_max. */
  processes?: number;
  pidMax?: number;
  memoryBytes: number;
}

/**
 * Floors per rank, measured here (a Node rank with longhaul and zeromq loaded: 55 MiB RSS and 11
 * threads) and rounded down, so a world is refused only where it surely cannot run.
 */
export const PER_RANK = { memoryBytes: 40 << 20, threads: 8, launcherFiles: 3 } as const;
const SPARE_FILES = 64;

export function readHostLimits(): HostLimits {
  const limits = readProc("/proc/self/limits");
  const soft = (label: string): number | undefined => {
    const match = limits === undefined ? null : new RegExp(`^${label}\\s+(\\d+|unlimited)`, "m").exec(limits);
    return match && match[1] !== "unlimited" ? Number(match[1]) : undefined;
  };
  const pidMax = Number(readProc("/proc/sys/kernel/pid_max"));
  return { openFiles: soft("Max open files"), processes: soft("Max processes"), pidMax: pidMax > 0 ? pidMax : undefined, memoryBytes: totalmem() };
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // not Linux: that check is skipped
  }
}

/**
 * Throws INVALID_ARGUMENT naming the first limit `ranks` local processes would pass, with what to
 * do about it. The largest world is the smallest of the bounds below.
 */
export function checkLaunchLimits(ranks: number, ports: { size: number; regions: number; basePort: number; emulate: boolean }, limits: HostLimits = readHostLimits()): void {
  const refuse = (message: string): never => {
    throw invalidArgument(`${ranks} local ranks are more than this host can start: ${message}`, "launch");
  };
  const top = lastPort(ports.size, ports.regions, ports.basePort, ports.emulate);
  if (top > 65535) refuse(`they need ports ${ports.basePort}..${top}, past 65535; choose a lower --base-port (or LONGHAUL_BASE_PORT)`);
  const byMemory = Math.floor(limits.memoryBytes / PER_RANK.memoryBytes);
  if (ranks > byMemory) refuse(`this host has ${(limits.memoryBytes / 2 ** 30).toFixed(1)} GiB of memory and a Node rank takes at least ${PER_RANK.memoryBytes >> 20} MiB, so at most ${byMemory} ranks fit; start fewer ranks per host (spread the regions over hosts with LONGHAUL_HOSTS)`);
  const threads = Math.min(limits.processes ?? Infinity, limits.pidMax ?? Infinity);
  if (ranks * PER_RANK.threads > threads) refuse(`each Node rank runs about ${PER_RANK.threads} threads and this host allows ${threads} (ulimit -u ${limits.processes ?? "unlimited"}, kernel pid_max ${limits.pidMax ?? "?"}); raise them or start fewer ranks per host`);
  const files = limits.openFiles;
  if (files !== undefined && ranks * PER_RANK.launcherFiles + SPARE_FILES > files) refuse(`the launcher holds ${PER_RANK.launcherFiles} file descriptors per rank and may open ${files} (ulimit -n); raise it (ulimit -n ${ranks * PER_RANK.launcherFiles + SPARE_FILES}) or start fewer ranks`);
}
