import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import { badValue } from "../netem/errors.js";
import { loadFaults } from "../netem/faults/parse.js";
import { refuseLinkFaults, refuseProcessFaults } from "../netem/faults/refuse.js";
import type { FaultSchedule } from "../netem/faults/types.js";
import { tcpOptionsFrom } from "../netem/tcp-env.js";
import type { Topology } from "../world/topology.js";

/** The emulated connections' TCP (also on `netem probe`). */
export const TCP_FLAGS = {
  cc: { type: "string" },
  "no-slow-start-after-idle": { type: "boolean", default: false },
  "tcp-rmem-max": { type: "string" },
} as const;

/** Flags every job command takes that start an emulator (bench, train, launch, run): a fault schedule and the emulated connections' TCP. */
export const JOB_FLAGS = { faults: { type: "string" }, ...TCP_FLAGS } as const;

export const FAULTS_ENV = "LONGHAUL_FAULTS";

const HELP_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ["--faults FILE", `play a fault schedule (YAML/JSON; check it with "longhaul netem faults FILE") from the start of the job: link faults through the emulator, kill/restart through the launcher; the applied faults go into the JSON as "faults" (also ${FAULTS_ENV}=FILE)`],
  ["--cc C", "congestion control of the emulated connections: cubic (default), reno, bbr (also LONGHAUL_CC)"],
  ["--no-slow-start-after-idle", "the emulated connections keep their window across idle periods, like net.ipv4.tcp_slow_start_after_idle=0 (also LONGHAUL_SLOW_START_AFTER_IDLE=0)"],
  ["--tcp-rmem-max SIZE", "the emulated connections' receive buffer limit, Linux's tcp_rmem max (default 6MiB; also LONGHAUL_TCP_RMEM_MAX)"],
];

/** The help lines of JOB_FLAGS, descriptions starting at `column` (as the command's other options do), wrapped at 100. */
export function jobFlagsHelp(column: number): string {
  const lines: string[] = [];
  for (const [flag, text] of HELP_ENTRIES) {
    const words = text.split(" ");
    let line = `  ${flag}`;
    if (line.length >= column - 1) {
      lines.push(line);
      line = "";
    }
    line = line.padEnd(column);
    for (const word of words) {
      if (line.trim() !== "" && line.length > column && line.length + 1 + word.length > 100) {
        lines.push(line);
        line = " ".repeat(column);
      }
      line += line.length > column ? ` ${word}` : word;
    }
    lines.push(line);
  }
  return lines.join("\n");
}

export interface JobFlagValues {
  faults?: string;
  cc?: string;
  "no-slow-start-after-idle"?: boolean;
  "tcp-rmem-max"?: string;
}

export interface JobFaultRules {
  /** The job routes its links through the emulator (link faults possible). */
  readonly emulate: boolean;
  /** The command's name and whether it can kill and restart ranks (the launcher does). */
  readonly command: string;
  readonly processFaults: boolean;
  /** Why it cannot (default: it starts its ranks itself and cannot restart one). */
  readonly why?: string;
}

/** The schedule of --faults (else LONGHAUL_FAULTS), checked against the job's topology and what the command can do. */
export function jobFaults(values: JobFlagValues, topology: Topology, rules: JobFaultRules, env: NodeJS.ProcessEnv = process.env): FaultSchedule | undefined {
  const path = values.faults ?? (env[FAULTS_ENV]?.trim() || undefined);
  if (path === undefined) return undefined;
  const schedule = loadFaults(path, topology);
  if (!rules.emulate) refuseLinkFaults(schedule, `${rules.command} without --emulate`);
  if (!rules.processFaults) refuseProcessFaults(schedule, rules.command, rules.why);
  return schedule;
}

/** The emulated connections' TCP from the flags (then LONGHAUL_CC, …); the flags need --emulate. */
export function jobTcp(values: JobFlagValues, emulate: boolean, env: NodeJS.ProcessEnv = process.env): TcpOptions | undefined {
  if (!emulate) {
    const given = values.cc !== undefined ? "--cc" : values["no-slow-start-after-idle"] ? "--no-slow-start-after-idle" : values["tcp-rmem-max"] !== undefined ? "--tcp-rmem-max" : undefined;
    if (given) throw badValue(`${given} sets the TCP of the emulated connections and needs --emulate`);
    return undefined;
  }
  return tcpFromFlags(values, env);
}

/** --cc, --no-slow-start-after-idle, --tcp-rmem-max (then LONGHAUL_CC, …) as the emulator's TcpOptions. */
export function tcpFromFlags(values: JobFlagValues, env: NodeJS.ProcessEnv = process.env): TcpOptions | undefined {
  return tcpOptionsFrom({ cc: values.cc, noSlowStartAfterIdle: values["no-slow-start-after-idle"], rmemMax: values["tcp-rmem-max"] }, env);
}
