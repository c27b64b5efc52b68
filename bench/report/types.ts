import type { Recovery } from "../../train/fault-report.js";
import type { AppliedFault } from "../../netem/faults/types.js";

/**
 * What the report writer reads. Rows are the sweep runner's JSON lines (nccl-tests columns); only
 * the fields the report uses are named here, so any superset (predictedUs, lowerBoundUs…) fits.
 */
export interface ReportRow {
  readonly op: string;
  readonly algorithm: string;
  readonly ranks: number;
  readonly bytes: number;
  /** Median time of one op, microseconds. */
  readonly timeUs: number;
  readonly algbwGBps: number;
  readonly busbwGBps: number;
  readonly wrong: number;
  readonly predictedUs?: number;
  readonly lowerBoundUs?: number;
}

/** A row of the 2-region distance sweep: the same columns plus the distance between the regions. */
export interface DistanceRow extends ReportRow {
  readonly distanceKm: number;
}

/** One emulated link of the experiment, for the report's link table. */
export interface LinkSummary {
  readonly from: string;
  readonly to: string;
  readonly km: number;
  readonly delayMs: number;
  readonly rateMbit?: number;
}

/** Everything one experiment produced; results.json is exactly this object. */
export interface ExperimentResults {
  readonly title: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Topology spec of the WAN sweep, e.g. "continents" or "new-york:2,chicago:2,…". */
  readonly topology: string;
  /** How the WAN was made: kernel netem, the userspace emulator, or not at all. */
  readonly backend: "netem" | "userspace";
  readonly rateMbit?: number;
  readonly machine: { readonly cpus: number; readonly node: string; readonly note?: string };
  readonly links: readonly LinkSummary[];
  /** Sweep across the emulated WAN. */
  readonly wan: readonly ReportRow[];
  /** The same sweep with every rank on one site (loopback, no emulated WAN). */
  readonly baseline: readonly ReportRow[];
  /** Optional 2-region sweep at several distances (time vs distance plot). */
  readonly distance: readonly DistanceRow[];
  /** The distance sweep's two-region topology on one site: baseline of its efficiency column. */
  readonly distanceBaseline?: readonly ReportRow[];
  /** The faults a schedule (--faults, LONGHAUL_FAULTS) applied during the WAN sweep, ms from its start. */
  readonly faults?: readonly AppliedFault[];
  /** Optional training runs across the same emulated continents. */
  readonly training?: readonly TrainingRow[];
  /** Optional language-model runs across the same emulated continents (lm-training.ts). */
  readonly lmTraining?: readonly LmTrainingRow[];
  /** Elastic DiLoCo under a fault schedule (fault-tolerance.ts). */
  readonly faultTolerance?: FaultToleranceResult;
  /** The planner's closed forms against this run, and its answers for the shipped scenarios. */
  readonly planner?: PlannerSection;
}

/** One training method's outcome, as `longhaul train --json` reports it (the keys the report uses). */
export interface TrainingRow {
  readonly method: string;
  readonly ranks: number;
  readonly steps: number;
  readonly testAccuracy: number;
  readonly oneProcessAccuracy?: number;
  readonly wanBytes: number;
  readonly stepsPerSec: number;
  readonly baselineStepsPerSec?: number;
}

/** One method's outcome on the language model (`longhaul train --model lm --json`, the keys the report uses). */
export interface LmTrainingRow {
  readonly method: string;
  readonly ranks: number;
  readonly steps: number;
  readonly valPerplexity: number;
  readonly wanBytes: number;
  readonly stepsPerSec: number;
  /** The recipe: inner learning rate, and DiLoCo's outer one and momentum. */
  readonly lr: number;
  readonly outerLr?: number;
  readonly outerMomentum?: number;
}

export interface PlannerCheckRow {
  readonly algorithm: string;
  readonly bytes: number;
  readonly closedFormUs: number;
  readonly replayUs?: number;
  readonly measuredUs: number;
}

export interface PlannerSection {
  readonly checks: readonly PlannerCheckRow[];
  /** Each scenario's plan as `longhaul plan` prints it (or why it is missing). */
  readonly scenarios: ReadonlyArray<{ readonly name: string; readonly markdown: string }>;
}

/** The report's fault-tolerance part (fault-tolerance.ts): elastic DiLoCo under one schedule. */
export interface FaultToleranceResult {
  readonly topology: string;
  readonly steps: number;
  readonly innerSteps: number;
  readonly schedule: string;
  readonly recoveries: readonly Recovery[];
  readonly goodput?: number;
  readonly usefulStepsPerSec?: number;
  readonly faultFreeUsefulStepsPerSec?: number;
  readonly checksumsEqual: boolean;
  readonly ranksFinished: number;
  readonly testAccuracy?: number;
}
