/**
 * The emulated-WAN bench (`longhaul bench allreduce --emulate [--rate R] [--explain]`): starts the
 * userspace link emulator (netem/emulator) for the topology, runs the ordinary sweep runner with
 * cross-region links routed through it, and adds the cost model's figures to every row:
 * predictedUs (this implementation on these links) and lowerBoundUs (the algorithm's network floor).
 * For "auto" rows they are those of the algorithm auto picks, named in the row as `chosen`.
 */
import { explainChoice, describeLinks, explainThreads } from "../collectives/explain.js";
import type { LinkModel } from "../model/link-model.js";
import { autoChoice, linkModelFor, lowerBound, predict, SELECTABLE, DEFAULT_MODEL_SEGMENT_BYTES } from "../collectives/select.js";
import type { ScheduledAlgorithm } from "../model/cost-schedules.js";
import { startWorldEmulator } from "../launch/world-emulator.js";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import { tcpEnv } from "../netem/tcp-env.js";
import { startFaults } from "../netem/faults/clock.js";
import type { AppliedFault, FaultSchedule } from "../netem/faults/types.js";
import { faultsDuring } from "../netem/faults/window.js";
import { ONE_HOST_SEGMENT_BYTES } from "../init.js";
import { DEFAULT_BASE_PORT } from "../world/addresses.js";
import { SHARED_SLOT_BYTES } from "../transports/threads/shared-arena.js";
import { threadsChoice } from "../collectives/select-threads.js";
import { DEFAULT_SIZES, runAllReduceSweep, sweepTopology, sweepTransport, type SweepOptions } from "./allreduce-sweep.js";
import type { ResultRow } from "./sweep-types.js";

export interface WanSweepOptions extends SweepOptions {
  /** Rate of every region pair in Mbit/s (default: unshaped). */
  rateMbit?: number;
  /** The emulated connections' TCP (congestion control, idle restart, receive buffer). */
  tcp?: TcpOptions;
  /**
   * Link faults played through the emulator from the moment it is up (the sweep's start); each row
   * carries the faults in effect while it ran as `faults`. Process faults are refused before (cli/job-flags.ts).
   */
  faults?: FaultSchedule;
  /** Gets the clock's lines (default: stderr). */
  onFaultLog?: (line: string) => void;
  /** Gets every applied fault once the sweep has ended (and the clock has lifted what was left). */
  onFaults?: (events: AppliedFault[]) => void;
}

/**
 * Environment the ranks read to build the same link model as this process (see select.ts
 * linkModelFor) and to open as many streams per WAN peer as it assumes (init(): from each pair's
 * bandwidth-delay product at this rate, unless LONGHAUL_STREAMS says otherwise).
 */
export function modelEnv(options: WanSweepOptions): NodeJS.ProcessEnv {
  return {
    LONGHAUL_EMULATE: options.emulate ? "1" : "0",
    ...(options.rateMbit !== undefined && { LONGHAUL_LINK_RATE_MBIT: String(options.rateMbit) }),
    // The emulated connections' TCP, so that predictions and the ranks' auto price what the emulator does.
    ...tcpEnv(options.tcp),
  };
}

/** The link model the ranks' "auto" uses for this sweep (over Unix sockets, that transport's terms). */
export function sweepLinkModel(options: WanSweepOptions): LinkModel {
  return linkModelFor(sweepTopology(options), { ...process.env, ...modelEnv(options) }, sweepTransport(options) === "unix" ? "unix" : undefined);
}

/** The segment the ranks' collectives pipeline with: init()'s default for processes of one host, else the communicator's. */
export function sweepSegmentBytes(options: WanSweepOptions): number {
  if (options.segmentBytes !== undefined) return options.segmentBytes;
  return sweepTransport(options) !== "threads" && !options.emulate ? ONE_HOST_SEGMENT_BYTES : DEFAULT_MODEL_SEGMENT_BYTES;
}

type ModelFigures = { chosen?: string; predictedUs?: number; lowerBoundUs?: number };

/** predictedUs / lowerBoundUs (and `chosen` for auto) of one algorithm and size; none for algorithms the model does not know. */
export function modelFigures(name: string, bytes: number, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): ModelFigures {
  const algorithm = name === "auto" ? autoChoice(links, bytes, segmentBytes) : (name as ScheduledAlgorithm);
  if (!SELECTABLE.includes(algorithm)) return {};
  return {
    ...(name === "auto" && { chosen: algorithm }),
    predictedUs: Math.round(predict(algorithm, bytes, links, segmentBytes)),
    lowerBoundUs: Math.round(lowerBound(algorithm, bytes, links, segmentBytes)),
  };
}

/** Between threads "auto" follows a measured rule, and the socket model's figures would not apply: only `chosen`. */
function threadFigures(name: string, bytes: number, size: number): ModelFigures {
  return name === "auto" ? { chosen: threadsChoice(bytes, size, SHARED_SLOT_BYTES) } : {};
}

export function annotateRow(row: ResultRow, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): ResultRow {
  return { ...row, ...modelFigures(row.algorithm, row.bytes, links, segmentBytes) };
}

/** The --explain text for every size of the sweep. */
export function explainSweep(options: WanSweepOptions, sizes: number[]): string[] {
  const links = sweepLinkModel(options);
  if (sweepTransport(options) === "threads") return explainThreads(links.topology, sizes, SHARED_SLOT_BYTES);
  const segment = sweepSegmentBytes(options);
  return [describeLinks(links), ...sizes.flatMap((bytes) => explainChoice(bytes, links, segment))];
}

/** Runs the sweep (through the emulator when options.emulate) and yields annotated rows. */
export async function* runWanSweep(options: WanSweepOptions): AsyncIterable<ResultRow> {
  const topology = sweepTopology(options);
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const links = sweepLinkModel(options);
  const transport = sweepTransport(options);
  const figuresOf = (name: string, bytes: number) => (transport === "threads" ? threadFigures(name, bytes, topology.size) : modelFigures(name, bytes, links, sweepSegmentBytes(options)));
  // Model figures first: replaying a 64 MiB schedule takes CPU that, mid-sweep, would stall the
  // in-process emulator and slow the very runs being measured.
  const figures = new Map<string, ModelFigures>();
  for (const algorithm of options.algorithms ?? ["ring"]) {
    for (const bytes of options.sizes ?? DEFAULT_SIZES) figures.set(`${algorithm}/${bytes}`, figuresOf(algorithm, bytes));
  }
  // The ranks inherit this process's environment (launchRanks), so they build the same model.
  Object.assign(process.env, modelEnv(options));
  const emulator = options.emulate ? await startWorldEmulator({ topology, plan: { basePort, emulate: true }, rateMbit: options.rateMbit, ...(options.tcp && { tcp: options.tcp }) }) : undefined;
  const startMs = performance.now();
  const log = options.onFaultLog ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const clock = options.faults && options.faults.faults.length > 0 ? startFaults(options.faults, { emulator, topology, log, startMs }) : undefined;
  let since = 0;
  try {
    for await (const row of runAllReduceSweep({ ...options, basePort, transport })) {
      const until = performance.now() - startMs;
      const faults = clock ? { faults: faultsDuring(clock.events(), since, until) } : options.faults ? { faults: [] } : {};
      since = until;
      yield { ...row, ...(figures.get(`${row.algorithm}/${row.bytes}`) ?? figuresOf(row.algorithm, row.bytes)), ...faults };
    }
  } finally {
    const events = clock?.stop() ?? [];
    if (options.faults) options.onFaults?.(events);
    await emulator?.close();
  }
}
