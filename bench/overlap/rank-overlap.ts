/**
 * One rank's part of `longhaul bench overlap`: a GPU-like synthetic trainer. A layer's forward and
 * backward "compute" is a timer (time that leaves the CPU free, as a GPU kernel does); gradients are
 * Float32Array views of one flat buffer, one per layer. With overlap each layer's all-reduce starts
 * as soon as its backward ends (per-layer buckets, as DDP and NeMo do) and the step waits for all of
 * them before the optimizer; without, one all-reduce of the whole gradient after the backward.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { allocArray } from "../../collectives/kernels/index.js";
import type { AllReduceAlgorithmName, Communicator } from "../../collectives/types.js";
import { BucketClock, meanBuckets, type BucketTiming } from "./bucket-clock.js";

export const OVERLAP_STRATEGIES = ["sync", "hierarchical", "diloco"] as const;
export type OverlapStrategy = (typeof OVERLAP_STRATEGIES)[number];

/** Backward costs twice the forward (two matrix products per layer instead of one). */
export const BACKWARD_FACTOR = 2;

export interface OverlapConfig {
  layers: number;
  computeMs: number;
  /** Gradient bytes per layer (float32). */
  gradBytes: number;
  strategy: OverlapStrategy;
  overlap: boolean;
  steps: number;
  warmup: number;
  /** DiLoCo: inner steps between outer syncs (H). */
  innerSteps: number;
}

export interface OverlapRankResult {
  kind: "overlap";
  rank: number;
  /** Wall time of each timed step, ms (a barrier before each, outside the timing, except while DiLoCo's outer sync is in flight). */
  stepMs: number[];
  /** Elements that differed from the closed-form sum, over every step's every gradient. */
  wrong: number;
  /** Synchronous strategies: each bucket's mean timings over the timed steps, in issue order. */
  buckets?: BucketTiming[];
}

/** The all-reduce each strategy runs: a flat ring for sync, hierarchical for the others (DiLoCo's outer sync). */
function algorithmOf(strategy: OverlapStrategy): AllReduceAlgorithmName {
  return strategy === "sync" ? "ring" : "hierarchical";
}

/** Layer l of rank r holds r + 1 + l + (step mod 8): small integers, so the float32 sum is exact. */
const valueOf = (rank: number, layer: number, step: number) => rank + 1 + layer + (step % 8);

/**
 * Forward then backward, one timer per layer; `afterLayer(l)` runs as layer l's backward ends. The
 * timers follow one schedule from the step's start, as kernels queued on a GPU do: a layer ends at
 * its due time however late the host noticed the one before (a busy event loop delays when a
 * bucket's all-reduce starts, not the "GPU"), and timer granularity does not add up over layers.
 */
async function computeStep(config: OverlapConfig, afterLayer: (layer: number) => void): Promise<void> {
  let due = performance.now();
  const until = async (ms: number) => {
    due += ms;
    await sleep(Math.max(0, due - performance.now()));
  };
  for (let l = 0; l < config.layers; l++) await until(config.computeMs);
  for (let l = config.layers - 1; l >= 0; l--) {
    await until(config.computeMs * BACKWARD_FACTOR);
    afterLayer(l);
  }
}

/** Gradient buffers: one flat (registered) array, a view per layer. */
function gradients(config: OverlapConfig): { flat: Float32Array; layers: Float32Array[] } {
  const per = config.gradBytes / 4;
  const flat = allocArray(Float32Array, per * config.layers);
  return { flat, layers: Array.from({ length: config.layers }, (_, l) => flat.subarray(l * per, (l + 1) * per)) };
}

export async function runRankOverlap(comm: Communicator, config: OverlapConfig): Promise<OverlapRankResult> {
  return config.strategy === "diloco" ? runDiloco(comm, config) : runDataParallel(comm, config);
}

/** Synchronous data parallelism: every step's gradient all-reduced, bucketed per layer or whole. */
async function runDataParallel(comm: Communicator, config: OverlapConfig): Promise<OverlapRankResult> {
  const { flat, layers } = gradients(config);
  const algorithm = algorithmOf(config.strategy);
  const stepMs: number[] = [];
  const timings: BucketTiming[][] = [];
  let wrong = 0;
  for (let step = 0; step < config.warmup + config.steps; step++) {
    // The gradient the "GPU" produces this step: written and checked outside the timing.
    layers.forEach((g, l) => g.fill(valueOf(comm.rank, l, step)));
    await comm.barrier();
    const started = performance.now();
    const clock = new BucketClock();
    const pending: Promise<unknown>[] = [];
    await computeStep(config, (l) => {
      if (config.overlap) pending.push(clock.track(l, comm.allReduce(layers[l], { op: "sum", algorithm })));
    });
    if (!config.overlap) await clock.track(-1, comm.allReduce(flat, { op: "sum", algorithm }));
    await Promise.all(pending);
    if (step >= config.warmup) {
      stepMs.push(performance.now() - started);
      timings.push(clock.buckets);
    }
    wrong += countWrong(layers, comm.size, step);
  }
  return { kind: "overlap", rank: comm.rank, stepMs, wrong, buckets: meanBuckets(timings) };
}

/**
 * DiLoCo: inner steps without communication, an outer all-reduce of the whole (float32)
 * pseudo-gradient every H steps. With overlap it runs behind the next inner step and is awaited at
 * that step's end (DiLoCo's one-step-delayed outer update); two buffers take turns so the next
 * outer sync's input is written while the previous one is in flight.
 */
async function runDiloco(comm: Communicator, config: OverlapConfig): Promise<OverlapRankResult> {
  const buffers = [gradients(config), gradients(config)];
  const stepMs: number[] = [];
  let wrong = 0;
  let syncs = 0;
  let inFlight: { done: Promise<unknown>; layers: Float32Array[]; step: number } | undefined;
  const toCheck: Array<{ layers: Float32Array[]; step: number }> = [];
  const land = async (): Promise<void> => {
    if (!inFlight) return;
    await inFlight.done;
    toCheck.push(inFlight);
    inFlight = undefined;
  };
  for (let step = 0; step < config.warmup + config.steps; step++) {
    const outerNow = (step + 1) % config.innerSteps === 0;
    const outer = buffers[syncs % 2];
    if (outerNow) outer.layers.forEach((g, l) => g.fill(valueOf(comm.rank, l, step)));
    // A barrier queues behind an op in flight (ops run in issue order), so none while one is.
    if (!inFlight) await comm.barrier();
    const started = performance.now();
    await computeStep(config, () => undefined);
    await land();
    if (outerNow) {
      syncs++;
      inFlight = { done: comm.allReduce(outer.flat, { op: "sum", algorithm: "hierarchical" }), layers: outer.layers, step };
      if (!config.overlap) await land();
    }
    if (step >= config.warmup) stepMs.push(performance.now() - started);
    for (const done of toCheck.splice(0)) wrong += countWrong(done.layers, comm.size, done.step);
  }
  await land();
  for (const done of toCheck.splice(0)) wrong += countWrong(done.layers, comm.size, done.step);
  return { kind: "overlap", rank: comm.rank, stepMs, wrong };
}

/** Every element of every layer against sum over ranks of valueOf(rank, layer, step). */
function countWrong(layers: Float32Array[], size: number, step: number): number {
  let wrong = 0;
  layers.forEach((g, l) => {
    const expected = (size * (size + 1)) / 2 + size * (l + (step % 8));
    for (let i = 0; i < g.length; i++) if (g[i] !== expected) wrong++;
  });
  return wrong;
}
