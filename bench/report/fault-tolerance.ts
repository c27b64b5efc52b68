/**
 * The report's fault-tolerance part: DiLoCo with --elastic across three emulated regions under one
 * schedule — a link flap, a region partitioned and back, a rank killed and started again — and the
 * same run without faults, for goodput. Small on purpose (three ranks, a few hundred steps), so
 * `npm start` stays within minutes; `longhaul train --elastic` runs the full-size one.
 */
import type { TcpOptions } from "../../netem/emulator/tcp-options.js";
import { parseFaults } from "../../netem/faults/parse.js";
import { DEFAULT_CONFIG } from "../../train/config.js";
import { runTraining } from "../../train/run-training.js";
import { parseTopology } from "../../world/topology.js";
import type { Progress } from "./progress.js";
import { markdownTable } from "./table.js";
import type { FaultToleranceResult } from "./types.js";

export const FAULT_TOLERANCE_TOPOLOGY = "new-york:1,london:1,asuncion:1";
export const FAULT_TOLERANCE_SCHEDULE = `faults:
  - { at: 4s, for: 3s, link: new-york<->london, down: true }
  - { at: 9s, for: 5s, link: "asuncion<->*", partition: true }
  - { at: 16s, rank: 1, kill: true }
  - { at: 19s, rank: 1, restart: true }
`;
/** Enough work that the run (about 20–30 s here) spans the schedule: a run is an amount of work, and one that ended first would skip the kill. */
const STEPS = 1500;
const INNER_STEPS = 20;


export async function runFaultTolerancePart(options: { basePort: number; rateMbit?: number; tcp?: TcpOptions; progress?: Progress }): Promise<FaultToleranceResult> {
  const topology = parseTopology(FAULT_TOLERANCE_TOPOLOGY);
  options.progress?.note(`fault tolerance: elastic DiLoCo on ${topology.spec}, a flap, a partition, a rank killed and restarted`);
  const summary = await runTraining({
    config: { ...DEFAULT_CONFIG, method: "diloco", steps: STEPS, innerSteps: INNER_STEPS, elastic: true },
    topology,
    basePort: options.basePort,
    emulate: true,
    rateMbit: options.rateMbit,
    ...(options.tcp && { tcp: options.tcp }),
    faults: parseFaults(FAULT_TOLERANCE_SCHEDULE, topology),
    baseline: true,
    oneSite: false,
    oneProcess: false,
    timeoutMs: 600_000,
    log: (line) => options.progress?.note(line.slice(0, 90)),
  });
  options.progress?.tick("fault tolerance: done");
  const checksums = summary.checksums ?? [];
  return {
    topology: topology.spec,
    steps: STEPS,
    innerSteps: INNER_STEPS,
    schedule: FAULT_TOLERANCE_SCHEDULE,
    recoveries: summary.recoveries ?? [],
    goodput: summary.goodput,
    usefulStepsPerSec: summary.usefulStepsPerSec,
    faultFreeUsefulStepsPerSec: summary.faultFreeUsefulStepsPerSec,
    checksumsEqual: checksums.length > 0 && new Set(checksums.map((c) => c.checksum)).size === 1,
    ranksFinished: checksums.length,
    testAccuracy: summary.testAccuracy,
  };
}

const s = (x: number | undefined): string => (x === undefined ? "-" : `${x.toFixed(1)} s`);

export function faultToleranceSection(result: FaultToleranceResult): string {
  const rows = result.recoveries.map((r) => [
    r.fault,
    s(r.atS),
    s(r.endedAtS),
    r.detectedAtS === undefined ? "not needed (the transport rode it out)" : s(r.detectedAtS),
    s(r.nextStepAtS),
    r.nextStepAtS === undefined ? "-" : s(r.nextStepAtS - (r.endedAtS ?? r.atS)),
  ]);
  return [
    `DiLoCo (H = ${result.innerSteps}, ${result.steps} steps) on ${result.topology} through the emulator, with \`train --elastic\`: a`,
    "lighthouse keeps the membership; a rank that dies is left out and the others go on, one that comes back heals",
    "from the most advanced member; a link that flaps is ridden out by the transport (resend after reconnect), and",
    "the outer step runs in the background, so the ranks train on while a round waits for a link.",
    "Times in seconds from the ranks' start.",
    "",
    markdownTable(["fault", "applied", "ended", "detected", "next outer step", "after it ended"], rows),
    "",
    `Every finishing rank's parameters: ${result.checksumsEqual ? "identical" : "DIFFERENT"} (${result.ranksFinished} checksums). ` +
      `Test accuracy ${result.testAccuracy === undefined ? "-" : `${(100 * result.testAccuracy).toFixed(1)}%`}. ` +
      (result.goodput === undefined ? "" : `Goodput ${(100 * result.goodput).toFixed(0)}% of the same run without faults (useful inner steps per second, ${result.usefulStepsPerSec?.toFixed(1)} against ${result.faultFreeUsefulStepsPerSec?.toFixed(1)}; both runs do the same work), the killed rank's time away included.`),
  ].join("\n");
}

/** One line for the console summary. */
export function faultToleranceLine(result: FaultToleranceResult): string {
  return `fault tolerance (${result.topology}, ${result.recoveries.length} faults): ${result.ranksFinished} ranks finished, parameters ${result.checksumsEqual ? "identical" : "DIFFERENT"}` +
    (result.goodput === undefined ? "" : `, goodput ${(100 * result.goodput).toFixed(0)}% of the fault-free run`);
}
