import { badValue } from "../netem/errors.js";
import { parseCount, parseRate, parseSizes } from "../world/units.js";
import { parseHosts } from "../world/env.js";
import { parseTopology } from "../world/topology.js";

/** The compose experiment's settings, from environment variables (documented in the README). */
export interface ContainerEnv {
  /** LONGHAUL_REGION: the continent this container holds. */
  readonly region: string;
  /** LONGHAUL_TOPOLOGY (default "continents") with LONGHAUL_RANKS_PER_REGION (default 2) → e.g. "continents:2". */
  readonly topology: string;
  /** LONGHAUL_HOSTS: "new-york=172.29.77.11,chicago=…" — each region's fixed container address (the ranks read it too). */
  readonly hosts: Record<string, string>;
  /** LONGHAUL_DEV: interface on the experiment network; unset, the entrypoint finds the one holding this region's address. */
  readonly dev?: string;
  /** LONGHAUL_BACKEND: auto (netem where the kernel has it, else userspace), netem or userspace. */
  readonly backend: "auto" | "netem" | "userspace";
  /** LONGHAUL_RESULTS (default /results): where the coordinator writes the report. */
  readonly resultsDir: string;
  /** LONGHAUL_SIZES, _ALGORITHMS, _ITERS, _RATE, _DISTANCE_TO, _DISTANCE_SIZES, _TRAIN, _TRAIN_STEPS, _BASELINE=0: `longhaul run`'s flags. */
  readonly runArgs: string[];
}

/** The variables with units or counts are checked here, so an error names the variable rather than `longhaul run`'s flag. */
const CHECKS: Record<string, (text: string, what: string) => unknown> = {
  LONGHAUL_SIZES: parseSizes,
  LONGHAUL_DISTANCE_SIZES: parseSizes,
  LONGHAUL_RATE: parseRate,
  LONGHAUL_ITERS: parseCount,
  LONGHAUL_TRAIN_STEPS: parseCount,
};

const FLAGS: ReadonlyArray<readonly [string, string]> = [
  ["LONGHAUL_SIZES", "--sizes"],
  ["LONGHAUL_ALGORITHMS", "--algorithms"],
  ["LONGHAUL_ITERS", "--iters"],
  ["LONGHAUL_RATE", "--rate"],
  ["LONGHAUL_DISTANCE_TO", "--distance-to"],
  ["LONGHAUL_DISTANCE_SIZES", "--distance-sizes"],
  ["LONGHAUL_TRAIN", "--train"],
  ["LONGHAUL_TRAIN_STEPS", "--train-steps"],
];

export function readContainerEnv(env: NodeJS.ProcessEnv = process.env): ContainerEnv {
  const region = env.LONGHAUL_REGION?.trim();
  if (!region) throw badValue("LONGHAUL_REGION is not set: each compose service names the continent it holds (e.g. LONGHAUL_REGION=london)");
  const perRegion = env.LONGHAUL_RANKS_PER_REGION?.trim() || "2";
  if (!/^[1-9]\d*$/.test(perRegion)) throw badValue(`LONGHAUL_RANKS_PER_REGION="${perRegion}" must be a whole number >= 1`);
  const base = env.LONGHAUL_TOPOLOGY?.trim() || "continents";
  // A preset takes the per-region count as a suffix; an explicit REGION:COUNT list carries its own counts.
  const topology = base.includes(",") || base.includes(":") ? base : `${base}:${perRegion}`;
  const backend = (env.LONGHAUL_BACKEND?.trim() || "auto") as ContainerEnv["backend"];
  if (!["auto", "netem", "userspace"].includes(backend)) throw badValue(`LONGHAUL_BACKEND="${backend}" must be auto, netem or userspace`);
  const runArgs = FLAGS.flatMap(([name, flag]) => {
    const value = env[name]?.trim();
    if (!value) return [];
    CHECKS[name]?.(value, name);
    return [flag, value];
  });
  if (["0", "false", "no", "off"].includes(env.LONGHAUL_BASELINE?.trim().toLowerCase() ?? "")) runArgs.push("--no-baseline");
  return {
    region,
    topology,
    hosts: parseHosts(env.LONGHAUL_HOSTS, parseTopology(topology)) ?? {},
    dev: env.LONGHAUL_DEV?.trim() || undefined,
    backend,
    resultsDir: env.LONGHAUL_RESULTS?.trim() || "/results",
    runArgs,
  };
}
