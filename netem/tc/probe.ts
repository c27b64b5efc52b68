import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { NetemError, NO_NETEM_ADVICE } from "../errors.js";

export interface NetemProbe {
  /** true: netem can be used; false: the kernel cannot; undefined: could not tell (tc will say). */
  readonly available: boolean | undefined;
  readonly reason: string;
}

/**
 * Whether this kernel has sch_netem, without touching any device: a loaded module, else the kernel
 * config (=y built in, =m loadable). Containers share the host kernel, so the answer holds in them too.
 */
export function probeNetem(paths = { sysModule: "/sys/module/sch_netem", config: "/proc/config.gz" }): NetemProbe {
  if (existsSync(paths.sysModule)) return { available: true, reason: "sch_netem module is loaded" };
  let config: string;
  try {
    config = gunzipSync(readFileSync(paths.config)).toString("latin1");
  } catch {
    return { available: undefined, reason: `cannot read ${paths.config}; the first tc command will tell` };
  }
  const line = /^(# )?CONFIG_NET_SCH_NETEM(=[ym]| is not set)/m.exec(config);
  if (!line) return { available: false, reason: "kernel config has no CONFIG_NET_SCH_NETEM" };
  if (line[2] === "=y") return { available: true, reason: "sch_netem is built into the kernel" };
  if (line[2] === "=m") return { available: true, reason: "sch_netem is a loadable module (tc loads it on first use)" };
  return { available: false, reason: "kernel built without sch_netem (CONFIG_NET_SCH_NETEM is not set)" };
}

let cached: NetemProbe | undefined;

export function hasNetem(): boolean {
  cached ??= probeNetem();
  return cached.available === true;
}

export function noNetemError(reason: string, command?: readonly string[], stderr?: string): NetemError {
  return new NetemError(`cannot shape with tc netem: ${reason}; ${NO_NETEM_ADVICE}`, { code: "NO_NETEM", command, stderr });
}

/** Throws NO_NETEM when the kernel certainly lacks netem. */
export function requireNetem(): void {
  cached ??= probeNetem();
  if (cached.available === false) throw noNetemError(cached.reason);
}
