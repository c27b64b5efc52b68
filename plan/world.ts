/**
 * A scenario as the closed forms see it: each data-parallel replica (tensor × pipeline GPUs) is one
 * rank whose NICs together move tensor·pipeline·gbitPerGpu; the WAN is a matrix of one-way
 * latencies and shared rates between sites. The bandwidth and distance knobs are what the solver
 * and the sweeps turn.
 */
import type { Fabric } from "../model/fabric.js";
import { fromDistance } from "../model/distance.js";
import { greatCircleKm, REGIONS } from "../model/regions.js";
import { LINUX_CONNECTIONS, pairRateBps, type ConnectionSettings, type PairPath } from "../model/stream-rate.js";
import type { CongestionControl } from "../model/tcp.js";
import type { LinkSpec, Scenario } from "./scenario.js";

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
  /** Random segment loss of every link, percent (default: the scenario's). */
  readonly lossPct?: number;
  /** Congestion control (default: the scenario's, else cubic). */
  readonly cc?: CongestionControl;
  /** Slow start after idle (default: the scenario's, else off). */
  readonly slowStartAfterIdle?: boolean;
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
 * What does not change while the solver turns the bandwidth: per distance scale, the latencies and
 * each pair's share of the default bandwidth; and the replica counts (the same array, so the tree's
 * shape is computed once).
 */
interface Fixed {
  ranksPerSite: number[];
  byScale: Map<number, { wanAlphaS: number[][]; share: number[][]; rates: Map<string, number[][]> }>;
}
/** Rate matrices kept per bandwidth, loss and congestion control: solves for different strategies and targets start with the same bisection steps. */
const KEPT_RATES = 512;
const fixed = new WeakMap<Scenario, Fixed>();

function linkOf(scenario: Scenario, i: number, j: number): LinkSpec | undefined {
  const { sites, wan } = scenario;
  return wan.links?.find((l) => l.between.includes(sites[i].name) && l.between.includes(sites[j].name));
}

function fixedParts(scenario: Scenario, scale: number): { ranksPerSite: number[] } & NonNullable<ReturnType<Fixed["byScale"]["get"]>> {
  let parts = fixed.get(scenario);
  if (!parts) fixed.set(scenario, (parts = { ranksPerSite: scenario.sites.map((s) => s.gpus / replicaGpus(scenario)), byScale: new Map() }));
  let links = parts.byScale.get(scale);
  if (!links) {
    const { sites, wan } = scenario;
    const grid = (f: (i: number, j: number) => number) => sites.map((_, i) => sites.map((_, j) => f(i, j)));
    links = {
      wanAlphaS: grid((i, j) => (i === j ? 0 : siteLatencyS(scenario, i, j, scale))),
      share: grid((i, j) => (linkOf(scenario, i, j)?.gbit ?? wan.gbit) / wan.gbit),
      rates: new Map(),
    };
    parts.byScale.set(scale, links);
  }
  return { ranksPerSite: parts.ranksPerSite, ...links };
}

/** The WAN's connections with these knobs: TCP settings and every directed site pair as model/stream-rate.ts sees it. */
export interface WanConnections {
  readonly settings: ConnectionSettings;
  /** paths[i][j]: the i → j pair (the diagonal is unused). */
  readonly paths: readonly (readonly PairPath[])[];
}

/** The knobs' TCP settings: the knob, else the scenario's, else cubic and (the planner's RDMA / tuned-TCP default) no idle restart. */
export function connectionsOf(scenario: Scenario, knobs: WorldKnobs = {}): ConnectionSettings {
  return { cc: knobs.cc ?? scenario.wan.cc ?? LINUX_CONNECTIONS.cc, slowStartAfterIdle: knobs.slowStartAfterIdle ?? scenario.wan.slowStartAfterIdle ?? false };
}

/**
 * Every pair's connections: the flows that cross it (tensor × pipeline shard groups, times
 * streamsPerFlow), each capped by the window where the scenario gives one and by its loss response
 * where the link loses segments.
 */
export function wanConnections(scenario: Scenario, knobs: WorldKnobs = {}): WanConnections {
  const { wan, sites } = scenario;
  const bytesPerS = (knobs.wanGbit ?? wan.gbit) * 1.25e8;
  const { wanAlphaS, share } = fixedParts(scenario, knobs.distanceScale ?? 1);
  const connections = replicaGpus(scenario) * (wan.streamsPerFlow ?? 1);
  const paths = sites.map((_, i) =>
    sites.map((_, j): PairPath => ({
      rttS: wanAlphaS[i][j] + wanAlphaS[j][i],
      rateBps: i === j ? Infinity : share[i][j] * bytesPerS,
      windowBytes: wan.windowBytes ?? Infinity,
      loss: (knobs.lossPct ?? linkOf(scenario, i, j)?.lossPct ?? wan.lossPct ?? 0) / 100,
      connections,
    })),
  );
  return { settings: connectionsOf(scenario, knobs), paths };
}

/** The multi-site fabric of `scenario` (one rank per replica). */
export function worldFabric(scenario: Scenario, knobs: WorldKnobs = {}): Fabric {
  const { wan, intraSite } = scenario;
  const per = replicaGpus(scenario);
  const { ranksPerSite, wanAlphaS, rates } = fixedParts(scenario, knobs.distanceScale ?? 1);
  const { cc } = connectionsOf(scenario, knobs);
  const key = `${knobs.wanGbit ?? wan.gbit}|${knobs.lossPct}|${cc}`;
  let wanBytesPerS = rates.get(key);
  if (!wanBytesPerS) {
    const { paths } = wanConnections(scenario, knobs);
    wanBytesPerS = paths.map((row, i) => row.map((path, j) => (i === j ? Infinity : pairRateBps(cc, path))));
    if (rates.size >= KEPT_RATES) rates.clear();
    rates.set(key, wanBytesPerS);
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

/**
 * The same sites side by side on one site's network: every site pair linked like two ranks of a
 * site (its latency; each of the smaller site's replicas a NIC of its own). What a strategy's own
 * structure costs without a WAN (evaluate.ts's strategyBaselineSeconds).
 */
export function colocated(fabric: Fabric): Fabric {
  const { ranksPerSite: R } = fabric;
  return {
    ...fabric,
    wanAlphaS: R.map((_, i) => R.map((_, j) => (i === j ? 0 : fabric.localAlphaS))),
    wanBytesPerS: R.map((_, i) => R.map((_, j) => (i === j ? Infinity : fabric.localBytesPerS * Math.min(R[i], R[j])))),
  };
}
