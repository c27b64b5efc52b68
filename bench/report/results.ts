import { cpus } from "node:os";
import { linkProfilesFor } from "../../netem/pairs.js";
import { parseTopology } from "../../world/topology.js";
import type { ExperimentPlan, ExperimentRows } from "./experiment.js";
import type { ExperimentResults, FaultToleranceResult, LinkSummary, LmTrainingRow, TrainingRow } from "./types.js";

/** Every region pair of the topology once (i < j), with its distance and one-way delay. */
export function linkSummaries(topologySpec: string, rateMbit?: number): LinkSummary[] {
  const matrix = linkProfilesFor(parseTopology(topologySpec), { rateMbit });
  return matrix.regions.flatMap((from, i) =>
    matrix.regions.slice(i + 1).map((to, k) => {
      const j = i + 1 + k;
      const profile = matrix.profile(i, j);
      return { from, to, km: Math.round(matrix.km[i][j]), delayMs: profile.delayMs, rateMbit: profile.rateMbit };
    }),
  );
}

export function assembleResults(
  plan: ExperimentPlan,
  rows: ExperimentRows,
  meta: { startedAt: Date; backend: ExperimentResults["backend"]; note?: string; training?: readonly TrainingRow[]; lmTraining?: readonly LmTrainingRow[]; faultTolerance?: FaultToleranceResult },
): ExperimentResults {
  return {
    title: "longhaul: all-reduce across emulated continents",
    startedAt: meta.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    topology: plan.topology,
    backend: meta.backend,
    rateMbit: plan.rateMbit,
    machine: { cpus: cpus().length, node: process.version, ...(meta.note ? { note: meta.note } : {}) },
    links: linkSummaries(plan.topology, plan.rateMbit),
    ...rows,
    ...(meta.training?.length ? { training: meta.training } : {}),
    ...(meta.lmTraining?.length ? { lmTraining: meta.lmTraining } : {}),
    ...(meta.faultTolerance && { faultTolerance: meta.faultTolerance }),
  };
}
