/**
 * A scenario's answer per strategy: step time split into compute and exposed intra-/inter-site
 * communication, efficiency against the same GPUs on one site, WAN bytes per step, and the WAN
 * bandwidth each efficiency target needs (solve.ts).
 */
import type { Scenario, StrategySpec } from "./scenario.js";
import { bandwidthFor } from "./solve.js";
import { DEFAULTS, stepComm, type StepContext } from "./strategies.js";
import { colocated, oneSite, wanConnections, worldFabric, type WorldKnobs } from "./world.js";

/** Backward ≈ two thirds of forward + backward: the window gradients arrive in. */
export const DEFAULT_OVERLAP_FRACTION = 2 / 3;
export const EFFICIENCY_TARGETS = [0.9, 0.95, 0.99] as const;

export interface StrategyResult {
  strategy: string;
  gpus: number;
  sites: number;
  stepSeconds: number;
  computeSeconds: number;
  syncSeconds: number;
  exposedCommSeconds: number;
  /** The part of the exposed communication the same strategy pays on one site. */
  exposedIntraSeconds: number;
  /** What the WAN adds. */
  exposedInterSeconds: number;
  efficiency: number;
  wanGbit: number;
  wanBytesPerStep: number;
  /** WAN bytes per step of synchronous data parallelism with the same all-reduce / this strategy's (DiLoCo family and top-k). */
  bytesReduction: number | null;
  bandwidthFor90Gbit: number | null;
  bandwidthFor95Gbit: number | null;
  bandwidthFor99Gbit: number | null;
  /** With a --target: the bandwidth for that efficiency. */
  bandwidthForTargetGbit?: number | null;
}

export interface Plan {
  scenario: string;
  baselineStepSeconds: number;
  results: StrategyResult[];
}

/** Seconds of compute per step: measured, or 6 · parameters · tokens / (GPUs · peak · MFU). */
export function computeSeconds(scenario: Scenario): number {
  const c = scenario.compute;
  if (c.stepSeconds !== undefined) return c.stepSeconds;
  const gpus = scenario.sites.reduce((n, s) => n + s.gpus, 0);
  return (6 * scenario.model.parameters * c.tokensPerStep!) / (gpus * c.peakTflopsPerGpu! * 1e12 * c.mfu!);
}

export function stepContext(scenario: Scenario, knobs: WorldKnobs = {}): StepContext {
  const computeS = computeSeconds(scenario);
  return {
    fabric: worldFabric(scenario, knobs),
    parameters: scenario.model.parameters,
    bytesPerElement: scenario.model.bytesPerElement,
    computeS,
    overlapWindowS: computeS * (scenario.compute.overlapFraction ?? DEFAULT_OVERLAP_FRACTION),
    buckets: scenario.model.layers,
    wan: wanConnections(scenario, knobs),
  };
}

/** What a single site would run: synchronous data parallelism with whichever all-reduce and overlap is fastest there. */
const SINGLE_SITE = ["ring", "ring+overlap", "bidir-ring", "bidir-ring+overlap", "tree", "tree+overlap"];
/** The baselines depend on no WAN knob, and the solver asks for them at every step: per scenario, by strategy ("" for synchronous data parallelism alone). */
const baselines = new WeakMap<Scenario, Map<string, number>>();

function cached(scenario: Scenario, key: string, compute: () => number): number {
  let byKey = baselines.get(scenario);
  if (!byKey) baselines.set(scenario, (byKey = new Map()));
  let step = byKey.get(key);
  if (step === undefined) byKey.set(key, (step = compute()));
  return step;
}

/** The same GPUs on one site: compute plus the least communication a synchronous all-reduce exposes there. */
export function baselineStepSeconds(scenario: Scenario, ctx: StepContext): number {
  return cached(scenario, "", () => {
    const single = { ...ctx, fabric: oneSite(ctx.fabric), wan: undefined };
    return ctx.computeS + Math.min(...SINGLE_SITE.map((name) => stepComm({ name }, single).exposedSeconds));
  });
}

/**
 * What `spec` is measured against: the faster of one site's synchronous data parallelism and
 * `spec` itself with its sites side by side on one site's network (colocated). The second matters
 * where the strategy communicates less than synchronous data parallelism even on one site: DiLoCo's
 * inner steps sync inside each site only (not at all where a site holds one replica), so against
 * synchronous data parallelism alone a streaming DiLoCo whose outer syncs hide behind compute came
 * out above 100% (100.6% on 8 sites of one 8-GPU replica, 12B parameters). Measured against
 * itself, efficiency is what the WAN costs it, and never above 100%.
 */
export function strategyBaselineSeconds(scenario: Scenario, spec: StrategySpec, ctx: StepContext): number {
  const sync = baselineStepSeconds(scenario, ctx);
  if (scenario.sites.length === 1) return sync;
  const own = cached(scenario, JSON.stringify(spec), () => ctx.computeS + stepComm(spec, { ...ctx, fabric: colocated(ctx.fabric), wan: undefined }).exposedSeconds);
  return Math.min(sync, own);
}

/** Step-rate efficiency of `spec` with these knobs. */
export function efficiencyAt(scenario: Scenario, spec: StrategySpec, knobs: WorldKnobs = {}): number {
  const ctx = stepContext(scenario, knobs);
  return strategyBaselineSeconds(scenario, spec, ctx) / (ctx.computeS + stepComm(spec, ctx).exposedSeconds);
}

/** Every strategy of the scenario (or `strategies`), with defaults filled in. */
export function strategiesOf(scenario: Scenario, names?: readonly string[]): StrategySpec[] {
  const listed = (scenario.strategies ?? []).map((s) => (typeof s === "string" ? { name: s } : s));
  if (!names?.length) return listed.length ? listed : defaultStrategies();
  return names.map((name) => listed.find((s) => s.name === name) ?? { name });
}

function defaultStrategies(): StrategySpec[] {
  const sync = ["ring", "bidir-ring", "tree", "hierarchical", "topk"].flatMap((n) => [{ name: n }, { name: `${n}+overlap` }]);
  return [...sync, { name: "diloco", innerSteps: DEFAULTS.innerSteps }, { name: "streaming-diloco", innerSteps: DEFAULTS.innerSteps }];
}

export function evaluateStrategy(scenario: Scenario, spec: StrategySpec, knobs: WorldKnobs = {}, target?: number): StrategyResult {
  const ctx = stepContext(scenario, knobs);
  const comm = stepComm(spec, ctx);
  const alone = stepComm(spec, { ...ctx, fabric: oneSite(ctx.fabric) });
  // Against synchronous data parallelism with the same all-reduce (DiLoCo's outer one; top-k's dense hierarchical one) and the model's gradient bytes.
  const syncWan = stepComm({ name: spec.outer ?? "hierarchical" }, ctx).wanBytesPerStep;
  const reduces = spec.name === "diloco" || spec.name === "streaming-diloco" || spec.name.startsWith("topk");
  // One site has no WAN to size: any target it reaches it reaches with none, any other it never does.
  const solve = (target: number) =>
    scenario.sites.length === 1 ? (efficiencyAt(scenario, spec, knobs) >= target ? 0 : null) : bandwidthFor(target, (wanGbit) => efficiencyAt(scenario, spec, { ...knobs, wanGbit }));
  const [b90, b95, b99] = EFFICIENCY_TARGETS.map(solve);
  const step = ctx.computeS + comm.exposedSeconds;
  const exposedIntra = Math.min(alone.exposedSeconds, comm.exposedSeconds);
  return {
    strategy: spec.name,
    gpus: scenario.sites.reduce((n, s) => n + s.gpus, 0),
    sites: scenario.sites.length,
    stepSeconds: step,
    computeSeconds: ctx.computeS,
    syncSeconds: comm.syncSeconds,
    exposedCommSeconds: comm.exposedSeconds,
    exposedIntraSeconds: exposedIntra,
    exposedInterSeconds: comm.exposedSeconds - exposedIntra,
    efficiency: strategyBaselineSeconds(scenario, spec, ctx) / step,
    wanGbit: knobs.wanGbit ?? scenario.wan.gbit,
    wanBytesPerStep: comm.wanBytesPerStep,
    bytesReduction: reduces && comm.wanBytesPerStep > 0 ? syncWan / comm.wanBytesPerStep : null,
    bandwidthFor90Gbit: b90,
    bandwidthFor95Gbit: b95,
    bandwidthFor99Gbit: b99,
    ...(target !== undefined && { bandwidthForTargetGbit: solve(target) }),
  };
}

export function planScenario(scenario: Scenario, strategies: readonly StrategySpec[], knobs: WorldKnobs = {}, target?: number): Plan {
  return {
    scenario: scenario.name,
    baselineStepSeconds: baselineStepSeconds(scenario, stepContext(scenario, knobs)),
    results: strategies.map((spec) => evaluateStrategy(scenario, spec, knobs, target)),
  };
}
