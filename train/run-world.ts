import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import { startFaults, type FaultClock } from "../netem/faults/clock.js";
import type { AppliedFault, FaultSchedule } from "../netem/faults/types.js";
import { launchRanks } from "../launch/launcher.js";
import type { Topology } from "../world/topology.js";
import type { RankResult, TrainConfig } from "./config.js";
import type { Emulator } from "../netem/emulator/emulator.js";
import { startJobLighthouse } from "../launch/elastic/job-lighthouse.js";
import { LIGHTHOUSE_ENV } from "../launch/elastic/messages.js";

export interface WorldRun {
  ranks: RankResult[];
  /** steps / seconds of the slowest rank. */
  stepsPerSec: number;
  /** Sum over ranks of the payload bytes sent across region boundaries. */
  wanBytes: number;
  /** Bytes the emulator forwarded between regions (wire bytes with headers), when it ran. */
  emulatorWanBytes?: number;
  /** Rank 0's evaluation (every rank leaves with the same model): the MLP's accuracy, the LM's validation loss. */
  testAccuracy?: number;
  valLoss?: number;
  /** Largest fraction of its training time any rank spent waiting for communication. */
  waitFraction: number;
  /** The faults the schedule applied, when one was given (times from the ranks' start). */
  faults?: AppliedFault[];
  /** --elastic: when the ranks had all started (epoch ms; the faults' times count from here) and what the lighthouse saw. */
  elastic?: { startMs: number; endMs: number; lighthouse: Array<{ kind: string; atMs: number; epoch: number; ranks: number[] }> };
}

export interface WorldOptions {
  topology: Topology;
  config: TrainConfig;
  basePort: number;
  emulate: boolean;
  rateMbit?: number;
  /** The emulated connections' TCP. */
  tcp?: TcpOptions;
  /** Played from the moment every rank has started: link faults through the emulator, kill/restart through the launcher. */
  faults?: FaultSchedule;
  timeoutMs?: number;
  log: (line: string) => void;
}

const PORT_SHIFT = 64;

/**
 * runOnce, retried on another port block when a port was taken (other jobs on a shared machine,
 * or a kernel-chosen ephemeral port that happens to sit in our block).
 */
export async function runWorld(options: WorldOptions): Promise<WorldRun> {
  for (let attempt = 0; ; attempt++) {
    const lines: string[] = [];
    const basePort = options.basePort + attempt * PORT_SHIFT;
    try {
      return await runOnce({ ...options, basePort, log: (line) => (lines.push(line), options.log(line)) });
    } catch (error) {
      const busy = /EADDRINUSE|Address already in use/.test(`${String(error)}\n${lines.join("\n")}`);
      if (!busy || attempt >= 3) throw error;
      options.log(`train: a port in ${basePort}.. was taken; retrying on ${basePort + PORT_SHIFT}..`);
    }
  }
}

/** Launches one process per rank (launchRanks), through the userspace emulator when asked, and collects their results. */
async function runOnce(options: WorldOptions): Promise<WorldRun> {
  const { topology, config, basePort, emulate } = options;
  const outDir = mkdtempSync(join(tmpdir(), "longhaul-train-"));
  const emulator = emulate
    ? await (await import("../launch/world-emulator.js")).startWorldEmulator({ topology, plan: { basePort, emulate: true }, rateMbit: options.rateMbit, ...(options.tcp && { tcp: options.tcp }) })
    : undefined;
  let clock: FaultClock | undefined;
  let startMs = Date.now();
  const lighthouse = config.elastic ? await startTrainLighthouse(options, basePort, emulator) : undefined;
  try {
    const { code, failedRank } = await launchRanks({
      topology,
      command: process.execPath,
      args: [fileURLToPath(new URL("./train-worker.js", import.meta.url))],
      env: { LONGHAUL_TRAIN_CONFIG: JSON.stringify(config), LONGHAUL_TRAIN_OUT: outDir, ...(lighthouse && { [LIGHTHOUSE_ENV]: lighthouse.address }) },
      ...(lighthouse && { elastic: { maxRestarts: 0, log: (line: string) => options.log(`train: ${line}`), onExit: (rank: number) => lighthouse.gone(rank) } }),
      basePort,
      emulate,
      ...(emulate && { rateMbit: options.rateMbit }),
      timeoutMs: options.timeoutMs,
      onLine: (rank, _stream, line) => options.log(`[rank ${rank}] ${line}`),
      onStarted: (processes) => {
        startMs = Date.now();
        if (options.faults) clock = startFaults(options.faults, { emulator, topology, processes, log: options.log });
      },
    });
    const faults = clock?.stop() ?? (options.faults ? [] : undefined);
    if (faults?.length) options.log(`train: ${faults.length} fault(s) applied`);
    if (code !== 0) throw new Error(`training ranks failed (exit ${code}${failedRank === undefined ? "" : `, rank ${failedRank}`}); see the rank output above`);
    const ranks = readResults(outDir, topology, options);
    const endMs = Math.max(...ranks.map((r) => r.stepEndsMs.at(-1) ?? r.startedMs));
    // An elastic run's ranks may have come and gone: its rate is the group's, from the start to the last step.
    const slowest = lighthouse ? (endMs - startMs) / 1000 : Math.max(...ranks.map((r) => r.seconds));
    const links = emulator?.stats().links;
    return {
      ranks,
      stepsPerSec: config.steps / slowest,
      wanBytes: ranks.reduce((sum, r) => sum + r.wanBytes, 0),
      emulatorWanBytes: links?.reduce((sum, l) => sum + l.bytes, 0),
      testAccuracy: ranks[0].testAccuracy,
      valLoss: ranks[0].valLoss,
      waitFraction: Math.max(...ranks.map((r) => r.waitSeconds / r.seconds)),
      ...(faults && { faults }),
      ...(lighthouse && { elastic: { startMs, endMs, lighthouse: lighthouse.events.map((e) => ({ ...e, atMs: lighthouse.startedMs + e.atMs })) } }),
    };
  } finally {
    clock?.stop();
    lighthouse?.close();
    await emulator?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The lighthouse of an elastic run, and when its clock started (epoch ms). */
async function startTrainLighthouse(options: WorldOptions, basePort: number, emulator: Emulator | undefined) {
  const startedMs = Date.now();
  const lighthouse = await startJobLighthouse({ topology: options.topology, plan: { basePort, emulate: options.emulate }, emulator, log: (line) => options.log(`train: ${line}`) });
  return { ...lighthouse, startedMs, gone: (rank: number) => lighthouse.gone(rank), close: () => lighthouse.close() };
}

/** Every rank's result; an elastic run may lack a rank that was killed and not started again. */
function readResults(outDir: string, topology: Topology, options: WorldOptions): RankResult[] {
  const ranks = topology.regions.flatMap((r) => r.ranks);
  const found = ranks.filter((rank) => existsSync(join(outDir, `rank-${rank}.json`)));
  const missing = ranks.filter((rank) => !found.includes(rank));
  if (missing.length > 0 && (!options.config.elastic || found.length === 0)) throw new Error(`rank${missing.length > 1 ? "s" : ""} ${missing.join(", ")} wrote no result; see the rank output above`);
  if (missing.length > 0) options.log(`train: rank${missing.length > 1 ? "s" : ""} ${missing.join(", ")} did not finish (left out of the group)`);
  return found.map((rank) => JSON.parse(readFileSync(join(outDir, `rank-${rank}.json`), "utf8")) as RankResult);
}
