/**
 * What one training step costs in communication under each strategy, from the closed forms:
 * synchronous data parallelism with each all-reduce (with and without overlap), top-k, DiLoCo and
 * Streaming DiLoCo. Every figure is per inner step; DiLoCo's outer sync is spread over its H steps.
 */
import { hierarchicalCost, ringCost, treeCost } from "../model/closed-form.js";
import { sparseHierarchicalCost } from "../model/closed-form-sparse.js";
import type { Cost, Fabric } from "../model/fabric.js";
import { exposedWithOverlap } from "./overlap.js";
import { COMPRESSION_BYTES, type Compression, type StrategySpec } from "./scenario.js";
import { siteAlone } from "./world.js";

export interface StepContext {
  readonly fabric: Fabric;
  readonly parameters: number;
  readonly bytesPerElement: number;
  readonly computeS: number;
  /** How long gradients keep arriving during a step (the backward pass). */
  readonly overlapWindowS: number;
  /** Buckets the gradient is synced in when overlapped (one per layer). */
  readonly buckets: number;
}

export interface StepComm {
  /** One whole synchronisation (DiLoCo: one outer sync), exposed or not, s. */
  readonly syncSeconds: number;
  /** Communication the step waits for, s per inner step. */
  readonly exposedSeconds: number;
  /** Bytes on the busiest directed WAN link, per inner step. */
  readonly wanBytesPerStep: number;
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
  const whole = costOf(ctx.fabric, ctx.parameters * ctx.bytesPerElement);
  const exposedSeconds = spec.name.endsWith("+overlap")
    ? exposedWithOverlap(costOf(ctx.fabric, (ctx.parameters * ctx.bytesPerElement) / ctx.buckets).phases, ctx.buckets, ctx.overlapWindowS)
    : whole.seconds;
  return { syncSeconds: whole.seconds, exposedSeconds, wanBytesPerStep: whole.wanBytes };
}

/** Inner steps sync only inside each site (overlapped, as a single-site run does); the slowest site sets the pace. */
function innerExposed(ctx: StepContext): number {
  const bytes = (ctx.parameters * ctx.bytesPerElement) / ctx.buckets;
  return Math.max(...ctx.fabric.ranksPerSite.map((_, s) => exposedWithOverlap(ringCost(siteAlone(ctx.fabric, s), bytes).phases, ctx.buckets, ctx.overlapWindowS)));
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

/** DiLoCo: H inner steps, then a blocking outer sync of the (compressed) pseudo-gradient. */
function diloco(spec: StrategySpec, ctx: StepContext): StepComm {
  const H = spec.innerSteps ?? DEFAULTS.innerSteps;
  const outer = outerSync(spec, ctx, ctx.parameters * COMPRESSION_BYTES[spec.compression ?? DEFAULTS.compression]);
  return { syncSeconds: outer.seconds, exposedSeconds: innerExposed(ctx) + outer.seconds / H, wanBytesPerStep: outer.wanBytes / H };
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
  const sticksOut = Math.max(0, fragment.seconds - tau * (ctx.computeS + inner));
  return { syncSeconds: fragment.seconds * F, exposedSeconds: inner + (F / H) * sticksOut, wanBytesPerStep: (fragment.wanBytes * F) / H };
}

export function stepComm(spec: StrategySpec, ctx: StepContext): StepComm {
  if (spec.name === "diloco") return diloco(spec, ctx);
  if (spec.name === "streaming-diloco") return streamingDiloco(spec, ctx);
  return synchronous(spec, ctx);
}
