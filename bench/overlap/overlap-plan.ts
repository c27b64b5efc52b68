/**
 * The planner's prediction for a `bench overlap` run: a scenario built from the bench's flags (sites
 * = the topology's regions, one GPU per rank, the synthetic model's layers, compute and gradient
 * bytes, the emulated links), evaluated with the same closed forms `longhaul plan` uses.
 */
import { evaluateStrategy, type StrategyResult } from "../../plan/evaluate.js";
import type { Scenario, StrategySpec } from "../../plan/scenario.js";
import type { SoftwareCosts } from "../../model/link-model.js";
import { linkProfilesFor } from "../../model/pairs.js";
import type { Topology } from "../../world/topology.js";
import { BACKWARD_FACTOR, type OverlapConfig } from "./rank-overlap.js";

/** Seconds of compute per step: each layer's forward (computeMs) and backward (BACKWARD_FACTOR × computeMs). */
export function computeSecondsOf(config: Pick<OverlapConfig, "layers" | "computeMs">): number {
  return (config.layers * config.computeMs * (1 + BACKWARD_FACTOR)) / 1000;
}

/**
 * The planner's strategy for the bench's: sync is a flat ring, hierarchical is hierarchical, each
 * "+overlap" with overlap on; DiLoCo's outer sync is fp32 and hierarchical, and with overlap it is
 * Streaming DiLoCo with one fragment and τ = 1 (the outer sync runs behind one inner step).
 */
export function plannerStrategy(config: Pick<OverlapConfig, "strategy" | "overlap" | "innerSteps">): StrategySpec {
  if (config.strategy === "diloco") {
    const outer = { innerSteps: config.innerSteps, compression: "fp32", outer: "hierarchical" } as const;
    return config.overlap ? { name: "streaming-diloco", fragments: 1, overlapSteps: 1, ...outer } : { name: "diloco", ...outer };
  }
  const base = config.strategy === "sync" ? "ring" : "hierarchical";
  return { name: config.overlap ? `${base}+overlap` : base };
}

/**
 * The scenario: intra-site links are this host's loopback as the cost model's software costs give
 * it (latency, per-byte copy cost, reduction speed); a WAN link's round trip is the emulator's
 * delay plus its own hop each way, and its rate the emulated one.
 */
export function benchScenario(topology: Topology, config: OverlapConfig, rateMbit: number, software: SoftwareCosts): Scenario {
  const matrix = linkProfilesFor(topology);
  const regions = topology.regions;
  const links = regions.flatMap((a, i) =>
    regions.slice(i + 1).map((b, k) => ({ between: [a.name, b.name] as const, rttMs: 2 * (matrix.profile(i, i + 1 + k).delayMs + software.emulatorAlphaS * 1000) })),
  );
  return {
    name: `bench overlap ${topology.spec}`,
    sources: [],
    assumptions: ["one GPU per rank; compute is timers; loopback from the cost model's software costs"],
    model: { parameters: (config.layers * config.gradBytes) / 4, bytesPerElement: 4, layers: config.layers },
    compute: { stepSeconds: computeSecondsOf(config), overlapFraction: BACKWARD_FACTOR / (1 + BACKWARD_FACTOR) },
    parallelism: { tensor: 1, pipeline: 1 },
    intraSite: { gbitPerGpu: 8 / (software.localBetaS * 1e9), latencyUs: software.localAlphaS * 1e6, reduceGBps: 1 / (software.gammaS * 1e9) },
    sites: regions.map((r) => ({ name: r.name, gpus: r.ranks.length })),
    wan: { gbit: rateMbit / 1000, links },
  };
}

export function plannerPrediction(topology: Topology, config: OverlapConfig, rateMbit: number, software: SoftwareCosts): StrategyResult {
  return evaluateStrategy(benchScenario(topology, config, rateMbit, software), plannerStrategy(config));
}
