/**
 * `longhaul bench overlap`: the GPU-like synthetic trainer (rank-overlap.ts) run twice in one
 * command — on one site (the same number of ranks in one region, no emulator) and on the topology
 * (through the userspace emulator with --emulate) — with the planner's prediction for the same
 * configuration beside the measurement.
 */
import { startWorldEmulator } from "../../launch/world-emulator.js";
import { DEFAULT_BASE_PORT } from "../../world/addresses.js";
import { parseTopology, type Topology } from "../../world/topology.js";
import { sweepConfig, startRanks } from "../allreduce-sweep.js";
import { computeSecondsOf, plannerPrediction, plannerStrategy } from "./overlap-plan.js";
import type { OverlapConfig, OverlapRankResult } from "./rank-overlap.js";
import { meanBuckets, type BucketTiming } from "./bucket-clock.js";
import type { SweepTransport } from "../sweep-types.js";
import { modelEnv, sweepLinkModel } from "../wan-sweep.js";

export interface OverlapOptions extends OverlapConfig {
  topology: string;
  emulate: boolean;
  rateMbit?: number;
  transport?: Exclude<SweepTransport, "threads">;
  basePort?: number;
  timeoutMs?: number;
}

export interface OverlapRun {
  topology: string;
  ranks: number;
  /** Mean over timed steps of the slowest rank's step, ms. */
  stepMs: number;
  /** Step time minus the compute (forward + backward timers), ms. */
  exposedMs: number;
  wrong: number;
  /** Synchronous strategies: each bucket's timings, mean over timed steps and ranks (bench/overlap/bucket-clock.ts). */
  buckets?: BucketTiming[];
}

export interface OverlapReport {
  strategy: OverlapConfig["strategy"];
  overlap: boolean;
  layers: number;
  computeMsPerLayer: number;
  gradBytesPerLayer: number;
  computeMsPerStep: number;
  steps: number;
  rateMbit: number | null;
  oneSite: OverlapRun;
  measured: OverlapRun;
  /** One-site step time / this topology's step time. */
  efficiency: number;
  /** The planner's figures for the same configuration (null without a --rate to give it). */
  planner: { strategy: string; stepMs: number; exposedMs: number; efficiency: number } | null;
}

/** Runs the ranks of `topology` on the synthetic trainer and combines their step times. */
async function runOnce(topology: Topology, options: OverlapOptions, emulate: boolean, log: (line: string) => void): Promise<OverlapRun> {
  const results: OverlapRankResult[] = [];
  const { layers, computeMs, gradBytes, strategy, overlap, steps, warmup, innerSteps } = options;
  const config = { ...sweepConfig({ ranks: topology.size, timeoutMs: options.timeoutMs }), overlap: { layers, computeMs, gradBytes, strategy, overlap, steps, warmup, innerSteps } };
  const code = await startRanks<OverlapRankResult>(topology, options.transport ?? "tcp", config, (r) => results.push(r), (rank, line) => log(`[rank ${rank}] ${line}`), { basePort: options.basePort, emulate });
  if (code !== 0 || results.length !== topology.size) throw new Error(`bench overlap on ${topology.spec}: ranks failed (exit ${code}, ${results.length} of ${topology.size} reported)`);
  const timed = Math.min(...results.map((r) => r.stepMs.length));
  const slowest = Array.from({ length: timed }, (_, i) => Math.max(...results.map((r) => r.stepMs[i])));
  const stepMs = slowest.reduce((a, b) => a + b, 0) / Math.max(1, timed);
  const perRank = results.flatMap((r) => (r.buckets ? [r.buckets] : []));
  return {
    topology: topology.spec, ranks: topology.size, stepMs, exposedMs: stepMs - computeSecondsOf(options) * 1000, wrong: results.reduce((s, r) => s + r.wrong, 0),
    ...(perRank.length > 0 && { buckets: meanBuckets(perRank) }),
  };
}

export async function runOverlapBench(options: OverlapOptions, log: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<OverlapReport> {
  const topology = parseTopology(options.topology);
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  // The planner first: its arithmetic would otherwise take CPU from the in-process emulator.
  const software = sweepLinkModel({ topology: options.topology, emulate: options.emulate, rateMbit: options.rateMbit }).software;
  const predicted = options.rateMbit === undefined ? null : plannerPrediction(topology, options, options.rateMbit, software);
  // The ranks inherit this process's environment; the one-site run is not emulated.
  Object.assign(process.env, modelEnv({ emulate: false }));
  const oneSite = await runOnce(parseTopology(String(topology.size)), { ...options, basePort }, false, log);
  Object.assign(process.env, modelEnv({ emulate: options.emulate, rateMbit: options.rateMbit }));
  const emulator = options.emulate ? await startWorldEmulator({ topology, plan: { basePort, emulate: true }, rateMbit: options.rateMbit }) : undefined;
  let measured: OverlapRun;
  try {
    measured = await runOnce(topology, { ...options, basePort }, options.emulate, log);
  } finally {
    await emulator?.close();
  }
  return {
    strategy: options.strategy,
    overlap: options.overlap,
    layers: options.layers,
    computeMsPerLayer: options.computeMs,
    gradBytesPerLayer: options.gradBytes,
    computeMsPerStep: computeSecondsOf(options) * 1000,
    steps: options.steps,
    rateMbit: options.rateMbit ?? null,
    oneSite,
    measured,
    efficiency: oneSite.stepMs / measured.stepMs,
    planner: predicted && { strategy: plannerStrategy(options).name, stepMs: predicted.stepSeconds * 1000, exposedMs: predicted.exposedCommSeconds * 1000, efficiency: predicted.efficiency },
  };
}
