/**
 * A scenario as the closed forms see it: each data-parallel replica (tensor × pipeline GPUs) is one
 * rank whose NICs together move tensor·pipeline·gbitPerGpu; the WAN is a matrix of one-way
 * latencies and shared rates between sites. The bandwidth and distance knobs are what the solver
 * and the sweeps turn.
 */
import type { Fabric } from "../model/fabric.js";
import { fromDistance } from "../model/distance.js";
import { greatCircleKm, REGIONS } from "../model/regions.js";
import type { Scenario } from "./scenario.js";

/** GPU reduction speed when the scenario gives none (H100 HBM3 ≈ 3 TB/s, three streams per reduced byte). */
export const DEFAULT_REDUCE_GBPS = 1000;
export const DEFAULT_INTRA_LATENCY_US = 5;
/** NCCL-sized chunks: the unit a ring or tree forwards. */
export const PLAN_SEGMENT_BYTES = 4 << 20;

export interface WorldKnobs {
  /** WAN bandwidth of the default link, Gbit/s (per-link overrides scale with it); default wan.gbit. */
  readonly wanGbit?: number;
  /** Every WAN distance times this (default 1). */
  readonly distanceScale?: number;
}

export function replicaGpus(scenario: Scenario): number {
  return scenario.parallelism.tensor * scenario.parallelism.pipeline;
}

/** Route km between two sites before inflation (undefined where the scenario gives a measured RTT instead). */
export function siteKm(scenario: Scenario, i: number, j: number): number | undefined {
  const { wan, sites } = scenario;
  const [a, b] = [sites[i], sites[j]];
  const link = wan.links?.find((l) => l.between.includes(a.name) && l.between.includes(b.name));
  if (link?.rttMs !== undefined) return undefined;
  if (link?.km !== undefined) return link.km;
  if (wan.shape === "loop") return (wan.loopKm! * Math.min(Math.abs(i - j), sites.length - Math.abs(i - j))) / sites.length;
  const at = (s: typeof a) => (s.lat !== undefined && s.lon !== undefined ? { lat: s.lat, lon: s.lon } : REGIONS.get(s.name)!);
  return greatCircleKm({ name: a.name, city: a.name, ...at(a) }, { name: b.name, city: b.name, ...at(b) });
}

/** One-way latency between two sites, s, with distances (and measured RTTs) times `scale`. */
function siteLatencyS(scenario: Scenario, i: number, j: number, scale: number): number {
  const { wan, sites } = scenario;
  const km = siteKm(scenario, i, j);
  if (km === undefined) {
    const link = wan.links!.find((l) => l.between.includes(sites[i].name) && l.between.includes(sites[j].name))!;
    return (link.rttMs! * scale) / 2000;
  }
  const loop = wan.shape === "loop";
  return fromDistance(km * scale, { inflation: wan.routeInflation ?? (loop ? 1 : undefined), overheadMs: wan.overheadMs ?? (loop ? 0 : undefined) }).delayMs / 1000;
}

/**
 * What does not change while the solver turns the bandwidth: per distance scale, the latencies, each
 * pair's share of the default bandwidth and its window cap; and the replica counts (the same array,
 * so the tree's shape is computed once).
 */
interface Fixed {
  ranksPerSite: number[];
  byScale: Map<number, { wanAlphaS: number[][]; share: number[][]; capBytesPerS: number[][]; rates: Map<number, number[][]> }>;
}
/** Rate matrices kept per bandwidth: solves for different strategies and targets start with the same bisection steps. */
const KEPT_RATES = 512;
const fixed = new WeakMap<Scenario, Fixed>();

function fixedParts(scenario: Scenario, scale: number): { ranksPerSite: number[] } & NonNullable<ReturnType<Fixed["byScale"]["get"]>> {
  let parts = fixed.get(scenario);
  if (!parts) fixed.set(scenario, (parts = { ranksPerSite: scenario.sites.map((s) => s.gpus / replicaGpus(scenario)), byScale: new Map() }));
  let links = parts.byScale.get(scale);
  if (!links) {
    const { sites, wan } = scenario;
    const grid = (f: (i: number, j: number) => number) => sites.map((_, i) => sites.map((_, j) => f(i, j)));
    const wanAlphaS = grid((i, j) => (i === j ? 0 : siteLatencyS(scenario, i, j, scale)));
    const linkOf = (i: number, j: number) => wan.links?.find((l) => l.between.includes(sites[i].name) && l.between.includes(sites[j].name));
    // Every flow's window caps it at window/RTT; flows = shard groups × streams.
    const flows = replicaGpus(scenario) * (wan.streamsPerFlow ?? 1);
    const rtt = (i: number, j: number) => wanAlphaS[i][j] + wanAlphaS[j][i];
    links = {
      wanAlphaS,
      share: grid((i, j) => (linkOf(i, j)?.gbit ?? wan.gbit) / wan.gbit),
      capBytesPerS: grid((i, j) => (wan.windowBytes === undefined || rtt(i, j) === 0 ? Infinity : (flows * wan.windowBytes) / rtt(i, j))),
      rates: new Map(),
    };
    parts.byScale.set(scale, links);
  }
  return { ranksPerSite: parts.ranksPerSite, ...links };
}

/** The multi-site fabric of `scenario` (one rank per replica). */
export function worldFabric(scenario: Scenario, knobs: WorldKnobs = {}): Fabric {
  const { wan, intraSite } = scenario;
  const per = replicaGpus(scenario);
  const bytesPerS = (knobs.wanGbit ?? wan.gbit) * 1.25e8;
  const { ranksPerSite, wanAlphaS, share, capBytesPerS, rates } = fixedParts(scenario, knobs.distanceScale ?? 1);
  let wanBytesPerS = rates.get(bytesPerS);
  if (!wanBytesPerS) {
    wanBytesPerS = share.map((row, i) => row.map((k, j) => (i === j ? Infinity : Math.min(k * bytesPerS, capBytesPerS[i][j]))));
    if (rates.size >= KEPT_RATES) rates.clear();
    rates.set(bytesPerS, wanBytesPerS);
  }
  return {
    ranksPerSite,
    localAlphaS: (intraSite.latencyUs ?? DEFAULT_INTRA_LATENCY_US) * 1e-6,
    localBytesPerS: per * intraSite.gbitPerGpu * 1.25e8,
    wanAlphaS,
    wanBytesPerS,
    wanShape: wan.shape ?? "mesh",
    gammaS: 1 / (per * (intraSite.reduceGBps ?? DEFAULT_REDUCE_GBPS) * 1e9),
    segmentBytes: PLAN_SEGMENT_BYTES,
  };
}

/** The same replicas in one site: the reference a multi-site plan is measured against. */
export function oneSite(fabric: Fabric): Fabric {
  return { ...fabric, ranksPerSite: [fabric.ranksPerSite.reduce((a, b) => a + b, 0)], wanAlphaS: [[0]], wanBytesPerS: [[Infinity]] };
}

/** Each site alone (DiLoCo's inner steps sync only inside a site). */
export function siteAlone(fabric: Fabric, site: number): Fabric {
  return { ...fabric, ranksPerSite: [fabric.ranksPerSite[site]], wanAlphaS: [[0]], wanBytesPerS: [[Infinity]] };
}
