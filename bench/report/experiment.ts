import type { TcpOptions } from "../../netem/emulator/tcp-options.js";
import type { AppliedFault, FaultSchedule } from "../../netem/faults/types.js";
import { distanceKm } from "../../netem/regions.js";
import { formatBytes } from "./format.js";
import type { Progress } from "./progress.js";
import type { DistanceRow, ReportRow } from "./types.js";

/** One all-reduce sweep to run: what `longhaul bench allreduce` takes. */
export interface SweepRequest {
  readonly topology: string;
  /** Route cross-region links through the userspace emulator. */
  readonly emulate: boolean;
  readonly rateMbit?: number;
  readonly sizes: readonly number[];
  readonly algorithms: readonly string[];
  readonly iters: number;
  /** The emulated connections' TCP. */
  readonly tcp?: TcpOptions;
  /** Link faults played through the emulator from the sweep's start; `onFaults` gets what was applied. */
  readonly faults?: FaultSchedule;
  readonly onFaults?: (events: AppliedFault[]) => void;
}

/** Runs a sweep and calls onRow as each (algorithm, size) row lands; resolves to all rows. */
export type Sweep = (request: SweepRequest, onRow: (row: ReportRow) => void) => Promise<ReportRow[]>;

/** What `longhaul run` and the compose experiment measure. */
export interface ExperimentPlan {
  /** Topology of the WAN sweep, e.g. "continents:2". */
  readonly topology: string;
  readonly sizes: readonly number[];
  readonly algorithms: readonly string[];
  readonly iters: number;
  readonly rateMbit?: number;
  /** The emulated connections' TCP, in every emulated sweep. */
  readonly tcp?: TcpOptions;
  /** A fault schedule played during the WAN sweep (link faults only: the sweep starts its ranks itself). */
  readonly faults?: FaultSchedule;
  /** Also run the same sweep on one site with no emulated WAN (the efficiency baseline). */
  readonly baseline: boolean;
  /** Two-region sweep: `anchor` paired with each of `peers` (real regions, so each pair has its distance). */
  /** Training methods to run across the same topology after the sweeps (see training.ts). */
  readonly training?: { readonly methods: readonly string[]; readonly steps: number };
  /** Language-model methods to run across the same topology after the MNIST training (lm-training.ts). */
  readonly lmTraining?: { readonly methods: readonly string[]; readonly steps: number };
  /** Elastic DiLoCo under a fault schedule after the training (fault-tolerance.ts). */
  readonly faultTolerance?: boolean;
  readonly distance?: {
    readonly anchor: string;
    readonly peers: readonly string[];
    readonly ranksPerRegion: number;
    readonly sizes: readonly number[];
    readonly algorithms: readonly string[];
    readonly iters: number;
  };
}

export interface ExperimentRows {
  readonly wan: ReportRow[];
  readonly baseline: ReportRow[];
  readonly distance: DistanceRow[];
  /** The distance sweep's topology on one site (no emulated WAN): its efficiency baseline. */
  readonly distanceBaseline: ReportRow[];
  /** The faults the schedule applied during the WAN sweep (ms from its start), when one was given. */
  readonly faults?: AppliedFault[];
}

/** Progress steps of a plan: one per (algorithm, size) row of every sweep. */
export function experimentSteps(plan: ExperimentPlan): number {
  const main = plan.sizes.length * plan.algorithms.length;
  const d = plan.distance;
  const distance = d ? (d.peers.length + (plan.baseline ? 1 : 0)) * d.sizes.length * d.algorithms.length : 0;
  return main * (plan.baseline ? 2 : 1) + distance + (plan.training?.methods.length ?? 0) + (plan.lmTraining?.methods.length ?? 0) + (plan.faultTolerance ? 1 : 0);
}

/**
 * Runs the WAN sweep, then (optionally) the single-site baseline and the distance sweep, in that
 * order, so an interrupted run has its headline numbers first. `wanRows` lets a caller that ran the
 * WAN part elsewhere (the compose experiment: one container per continent) pass its rows in.
 */
export async function runExperiment(
  plan: ExperimentPlan,
  sweep: Sweep,
  progress?: Progress,
  wanRows?: ReportRow[],
): Promise<ExperimentRows> {
  const tick = (label: string) => (row: ReportRow) => progress?.tick(`${label}: ${row.algorithm} ${formatBytes(row.bytes)} done`);
  const main = { sizes: plan.sizes, algorithms: plan.algorithms, iters: plan.iters };
  progress?.note(`across ${plan.topology} (emulated WAN)`);
  let faults: AppliedFault[] | undefined;
  const shaping = { rateMbit: plan.rateMbit, ...(plan.tcp && { tcp: plan.tcp }) };
  const wanFaults = plan.faults && { faults: plan.faults, onFaults: (events: AppliedFault[]) => void (faults = events) };
  const wan = wanRows ?? (await sweep({ ...main, topology: plan.topology, emulate: true, ...shaping, ...wanFaults }, tick("WAN")));
  let baseline: ReportRow[] = [];
  if (plan.baseline) {
    progress?.note("single site (no emulated WAN)");
    baseline = await sweep({ ...main, topology: plan.topology, emulate: false }, tick("single site"));
  }
  const distance: DistanceRow[] = [];
  let distanceBaseline: ReportRow[] = [];
  const d = plan.distance;
  if (d) {
    const pair = (peer: string): string => `${d.anchor}:${d.ranksPerRegion},${peer}:${d.ranksPerRegion}`;
    const request = { ...shaping, sizes: d.sizes, algorithms: d.algorithms, iters: d.iters };
    for (const peer of d.peers) {
      const km = Math.round(distanceKm(d.anchor, peer));
      progress?.note(`${d.anchor} ↔ ${peer} (${km} km)`);
      const rows = await sweep({ ...request, topology: pair(peer), emulate: true }, tick(`${peer} ${km} km`));
      distance.push(...rows.map((row) => ({ ...row, distanceKm: km })));
    }
    if (plan.baseline && d.peers.length > 0) {
      progress?.note("two regions on one site");
      distanceBaseline = await sweep({ ...request, topology: pair(d.peers[0]), emulate: false }, tick("two regions, one site"));
    }
  }
  return { wan, baseline, distance, distanceBaseline, ...(faults && { faults }) };
}
