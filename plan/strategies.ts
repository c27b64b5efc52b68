/**
 * What one training step costs in communication under each strategy, from the closed forms:
 * synchronous data parallelism with each all-reduce (with and without overlap), top-k, DiLoCo and
 * Streaming DiLoCo. Every figure is per inner step; DiLoCo's outer sync is spread over its H steps.
 */
import { hierarchicalCost, ringCost, treeCost } from "../model/closed-form.js";
import { sparseHierarchicalCost } from "../model/closed-form-sparse.js";
import type { Cost, Fabric } from "../model/fabric.js";
import { pairsOf, restartPenaltyS } from "./idle.js";
import { exposedWithOverlap } from "./overlap.js";
import { COMPRESSION_BYTES, type Compression, type StrategySpec } from "./scenario.js";
import { siteAlone, type WanConnections } from "./world.js";

export interface StepContext {
  readonly fabric: Fabric;
  readonly parameters: number;
  readonly bytesPerElement: number;
  readonly computeS: number;
  /** How long gradients keep arriving during a step (the backward pass). */
  readonly overlapWindowS: number;
  /** Buckets the gradient is synced in when overlapped (one per layer). */
  readonly buckets: number;
  /** The WAN's connections (TCP settings, each pair's path); absent: no idle restarts. */
  readonly wan?: WanConnections;
}

export interface StepComm {
  /** One whole synchronisation (DiLoCo: one outer sync), exposed or not, s; with any idle restart in it. */
  readonly syncSeconds: number;
  /** Communication the step waits for, s per inner step. */
  readonly exposedSeconds: number;
  /** Bytes on the busiest directed WAN link, per inner step. */
  readonly wanBytesPerStep: number;
  /** How long the WAN was silent before each sync, s (what slow start after idle reads). */
  readonly idleS: number;
  /** What one sync paid for slow start after that silence, s (0 without a restart). */
  readonly restartSeconds: number;
}

/** The sync's restart after `idleS` of silence on the pairs `algorithm` crosses. */
function restart(ctx: StepContext, algorithm: string, bytes: number, idleS: number): number {
  return ctx.wan ? restartPenaltyS(ctx.wan, pairsOf(algorithm, ctx.fabric), bytes, idleS) : 0;
}

/** The phase of a bucket's sync that crosses the WAN: the middle of three (reduce-scatter, WAN, all-gather), else the only one. */
function wanPhase(phases: readonly number[]): number {
  return phases.length === 3 ? 1 : 0;
}

export const DEFAULTS = { innerSteps: 100, compression: "fp16" as Compression, fragments: 4, overlapSteps: 1, streamingCompression: "4bit" as Compression, density: 0.01 };
const INDEX_BYTES = 4;

type CostOf = (f: Fabric, bytes: number) => Cost;

function allReduceOf(spec: StrategySpec, ctx: StepContext): CostOf {
  const base = spec.name.replace(/\+overlap$/, "");
  switch (base) {
    case "ring":
      return (f, b) => ringCost(f, b, 1);
    case "bidir-ring":
      return (f, b) => ringCost(f, b, 2);
    case "tree":
      return treeCost;
    case "topk": {
      const density = spec.density ?? DEFAULTS.density;
      // k of the bucket's elements, each sent as its value plus a 4-byte index.
      return (f, b) => sparseHierarchicalCost(f, b, density * (b / ctx.bytesPerElement) * (ctx.bytesPerElement + INDEX_BYTES));
    }
    default:
      return hierarchicalCost;
  }
}

/** Synchronous data parallelism: the whole gradient every step, in one call or bucketed and overlapped. */
function synchronous(spec: StrategySpec, ctx: StepContext): StepComm {
  const costOf = allReduceOf(spec, ctx);
  const base = spec.name.replace(/\+overlap$/, "");
  const whole = costOf(ctx.fabric, ctx.parameters * ctx.bytesPerElement);
  const overlap = spec.name.endsWith("+overlap");
  // The WAN is silent while the step computes; overlapped, from the last bucket of one backward pass to the first of the next.
  const idleS = overlap ? ctx.computeS - ctx.overlapWindowS + ctx.overlapWindowS / ctx.buckets : ctx.computeS;
  const restartSeconds = restart(ctx, base, whole.wanBytes, idleS);
  let exposedSeconds = whole.seconds + restartSeconds;
  if (overlap) {
    const bucket = costOf(ctx.fabric, (ctx.parameters * ctx.bytesPerElement) / ctx.buckets);
    // The climb back after idle slows the first buckets' WAN phase (the rest queue behind it).
    const extra = bucket.phases.map((_, p) => (p === wanPhase(bucket.phases) ? restartSeconds : 0));
    exposedSeconds = exposedWithOverlap(bucket.phases, ctx.buckets, ctx.overlapWindowS, bucket.phaseBusy, extra);
  }
  return { syncSeconds: whole.seconds + restartSeconds, exposedSeconds, wanBytesPerStep: whole.wanBytes, idleS, restartSeconds };
}

/** Inner steps sync only inside each site (overlapped, as a single-site run does); the slowest site sets the pace. */
function innerExposed(ctx: StepContext): number {
  const bytes = (ctx.parameters * ctx.bytesPerElement) / ctx.buckets;
  return Math.max(...ctx.fabric.ranksPerSite.map((_, s) => {
    const cost = ringCost(siteAlone(ctx.fabric, s), bytes);
    return exposedWithOverlap(cost.phases, ctx.buckets, ctx.overlapWindowS, cost.phaseBusy);
  }));
}

/**
 * The outer all-reduce of `bytes`. Hierarchical: every replica of a site holds the same model, so
 * only its inter-site step runs; the others run over every replica as they are.
 */
function outerSync(spec: StrategySpec, ctx: StepContext, bytes: number): Cost {
  const outer = spec.outer ?? "hierarchical";
  if (outer !== "hierarchical") return allReduceOf({ name: outer }, ctx)(ctx.fabric, bytes);
  const cost = hierarchicalCost(ctx.fabric, bytes);
  return { seconds: cost.phases[1] ?? 0, phases: [cost.phases[1] ?? 0], wanBytes: cost.wanBytes };
}

/**
 * DiLoCo: H inner steps, then a blocking outer sync of the (compressed) pseudo-gradient. The inner
 * steps sync inside each site only, so the WAN is silent for all H of them: the op after an idle
 * gap, which with slow start after idle climbs from restarted windows.
 */
function diloco(spec: StrategySpec, ctx: StepContext): StepComm {
  const H = spec.innerSteps ?? DEFAULTS.innerSteps;
  const inner = innerExposed(ctx);
  const outer = outerSync(spec, ctx, ctx.parameters * COMPRESSION_BYTES[spec.compression ?? DEFAULTS.compression]);
  const idleS = H * (ctx.computeS + inner);
  const restartSeconds = restart(ctx, spec.outer ?? "hierarchical", outer.wanBytes, idleS);
  const sync = outer.seconds + restartSeconds;
  return { syncSeconds: sync, exposedSeconds: inner + sync / H, wanBytesPerStep: outer.wanBytes / H, idleS, restartSeconds };
}

/**
 * Streaming DiLoCo: the model in F fragments, one fragment's outer sync starting every H/F inner
 * steps and allowed to run behind τ inner steps of compute; only what sticks out is exposed.
 */
function streamingDiloco(spec: StrategySpec, ctx: StepContext): StepComm {
  const H = spec.innerSteps ?? DEFAULTS.innerSteps;
  const F = Math.min(spec.fragments ?? DEFAULTS.fragments, H);
  const tau = Math.min(spec.overlapSteps ?? DEFAULTS.overlapSteps, H / F);
  const inner = innerExposed(ctx);
  const fragment = outerSync(spec, ctx, (ctx.parameters * COMPRESSION_BYTES[spec.compression ?? DEFAULTS.streamingCompression]) / F);
  // A fragment's sync starts every H/F inner steps: the WAN is silent for what is left of that stretch.
  const idleS = Math.max(0, (H / F) * (ctx.computeS + inner) - fragment.seconds);
  const restartSeconds = restart(ctx, spec.outer ?? "hierarchical", fragment.wanBytes, idleS);
  const sync = fragment.seconds + restartSeconds;
  const sticksOut = Math.max(0, sync - tau * (ctx.computeS + inner));
  return { syncSeconds: sync * F, exposedSeconds: inner + (F / H) * sticksOut, wanBytesPerStep: (fragment.wanBytes * F) / H, idleS, restartSeconds };
}

export function stepComm(spec: StrategySpec, ctx: StepContext): StepComm {
  if (spec.name === "diloco") return diloco(spec, ctx);
  if (spec.name === "streaming-diloco") return streamingDiloco(spec, ctx);
  return synchronous(spec, ctx);
}
