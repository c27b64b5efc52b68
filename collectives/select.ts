/**
 * The cost model and `algorithm: "auto"` (NCCL's tuning.cc): for each algorithm, replay its message
 * schedule on the link model (cost-sim.ts) and pick the cheapest for this buffer size.
 *
 * - predict(): this implementation's time, software costs included (µs).
 * - lowerBound(): the algorithm's floor on these links: the bytes its busiest WAN region pair must
 *   carry divided by that pair's rate, plus its sequential latency steps (network only, µs).
 */
import { allReduceHalvingDoubling } from "./algorithms/allreduce-halving-doubling.js";
import { allReduceHierarchical } from "./algorithms/allreduce-hierarchical.js";
import { allReduceOneShot } from "./algorithms/allreduce-one-shot.js";
import { ringAllReduce } from "./algorithms/allreduce-ring.js";
import { allReduceTree } from "./algorithms/allreduce-tree.js";
import { barrierSchedule, scheduleOf, type ScheduledAlgorithm } from "../model/cost-schedules.js";
import { CALIBRATION_ENV, softwareFromEnv } from "../model/calibration.js";
import { simulate, type ConnectionStates } from "../model/cost-sim.js";
import { withVariant } from "./algorithm-variant.js";
import { threadsChoice } from "./select-threads.js";
import { declaredLinkModel, DEFAULT_SOFTWARE, type DeclareOptions, type LinkModel } from "../model/link-model.js";
import { readLinkRate, readStreams, readThreadsPerProcess, type HostLinks } from "../world/env.js";
import type { AllReduceAlgorithm } from "./types.js";
import { CONGESTION_CONTROLS, TCP_ENV, type CongestionControl } from "../model/tcp.js";
import { invalidArgument } from "../world/comm-error.js";

export const SELECTABLE: readonly ScheduledAlgorithm[] = ["ring", "tree", "halving-doubling", "hierarchical"];
const IMPLEMENTATIONS: Record<ScheduledAlgorithm, AllReduceAlgorithm> = {
  ring: ringAllReduce,
  tree: allReduceTree,
  "halving-doubling": allReduceHalvingDoubling,
  hierarchical: allReduceHierarchical,
};
export const DEFAULT_MODEL_SEGMENT_BYTES = 1 << 20;

/** When each rank leaves a barrier it entered at `entries[rank]`: over a WAN they leave tens of ms apart. */
function barrierExits(links: LinkModel, entries: readonly number[], connections?: ConnectionStates): number[] {
  return simulate(links, barrierSchedule(links.topology), { software: true, bandwidth: true, startAt: entries, connections }).rankEnd;
}

/** Repetitions replayed before the measured ones: the skew settles after one (checked on continents). */
const SETTLE_ROUNDS = 2;
/** Repetitions averaged: an op's skew can alternate between two states from one call to the next. */
const MEASURED_ROUNDS = 2;

/**
 * Predicted time of one all-reduce of `bytes` with `algorithm` on `links`, in µs, as the slowest
 * rank sees it when the op repeats, each call started right after a barrier (as in `longhaul bench`
 * and in a training step). Each rank enters the barrier when it finished the previous call, so the
 * ranks start as skewed as that call and the barrier leave them — not as a barrier entered at once
 * would (a London rank that finished last starts last: measured 171 ms after its neighbour for
 * halving-doubling at 256 KiB, which it then waits for). Replays barrier → op until that settles.
 */
export function predict(algorithm: ScheduledAlgorithm, bytes: number, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): number {
  if (links.topology.size === 1) return links.software.perOpS * 1e6;
  const schedule = scheduleOf(algorithm, links.topology, bytes, segmentBytes);
  let entries: readonly number[] = new Array<number>(links.topology.size).fill(0);
  let total = 0;
  // One clock for every round: a connection the op uses once idles until the next call (idle restart).
  const connections: ConnectionStates = new Map();
  for (let round = 0; round < SETTLE_ROUNDS + MEASURED_ROUNDS; round++) {
    const { seconds, rankEnd } = simulate(links, schedule, { software: true, bandwidth: true, startAt: barrierExits(links, entries, connections), connections });
    if (round >= SETTLE_ROUNDS) total += seconds;
    entries = rankEnd;
  }
  return (total / MEASURED_ROUNDS + links.software.perOpS) * 1e6;
}

/** The algorithm's floor on these links, in µs: busiest WAN pair's bytes / its rate + its latency path. */
export function lowerBound(algorithm: ScheduledAlgorithm, bytes: number, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): number {
  const schedule = scheduleOf(algorithm, links.topology, bytes, segmentBytes);
  const latency = simulate(links, schedule, { software: false, bandwidth: false });
  let busiest = 0;
  for (const [key, wanBytes] of latency.wanBytes) {
    const [src, dst] = key.split(">").map(Number);
    const rate = links.rateBps[src][dst];
    if (Number.isFinite(rate)) busiest = Math.max(busiest, wanBytes / rate);
  }
  return (latency.seconds + busiest) * 1e6;
}

export interface Choice {
  algorithm: ScheduledAlgorithm;
  predictions: Array<{ algorithm: ScheduledAlgorithm; predictedUs: number; lowerBoundUs: number }>;
}

/** Every algorithm's prediction and the cheapest. */
export function choose(bytes: number, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): Choice {
  const predictions = SELECTABLE.map((algorithm) => ({
    algorithm,
    predictedUs: predict(algorithm, bytes, links, segmentBytes),
    lowerBoundUs: lowerBound(algorithm, bytes, links, segmentBytes),
  }));
  const best = predictions.reduce((a, b) => (b.predictedUs < a.predictedUs ? b : a));
  return { algorithm: best.algorithm, predictions };
}

/** Link models set by init() (declared or measured), by topology; they win over the environment. */
const models = new Map<string, LinkModel>();
/** Models declared from the environment, by topology and the settings read (a sweep may change them between runs). */
const declared = new Map<string, LinkModel>();
/** Each model's choices by size: the replay is not free, and repeated sizes are common. */
const decisions = new WeakMap<LinkModel, Map<string, ScheduledAlgorithm>>();

export function setLinkModel(model: LinkModel): void {
  models.set(model.topology.spec, model);
}

function truthy(text: string | undefined): boolean {
  return ["1", "true", "yes", "on"].includes((text ?? "").trim().toLowerCase());
}

/** The emulated links' segment loss the model reads, in percent (the TCP settings are TCP_ENV's). */
export const LINK_LOSS_ENV = "LONGHAUL_LINK_LOSS_PCT";
const CC_ENV = TCP_ENV.cc;
const SLOW_START_AFTER_IDLE_ENV = TCP_ENV.slowStartAfterIdle;

/** The WAN connections' TCP settings the environment declares (model/stream-rate.ts; absent: Linux's). */
export function connectionsFromEnv(env: NodeJS.ProcessEnv): Pick<DeclareOptions, "cc" | "lossPct" | "slowStartAfterIdle"> {
  const cc = env[CC_ENV]?.trim().toLowerCase();
  if (cc && !(CONGESTION_CONTROLS as readonly string[]).includes(cc)) throw invalidArgument(`${CC_ENV}=${env[CC_ENV]} is not a congestion control; give one of ${CONGESTION_CONTROLS.join(", ")}`);
  const idle = env[SLOW_START_AFTER_IDLE_ENV]?.trim();
  const lossText = env[LINK_LOSS_ENV]?.trim().replace(/%$/, "");
  const lossPct = lossText ? Number(lossText) : undefined;
  if (lossPct !== undefined && !(lossPct >= 0 && lossPct <= 100)) throw invalidArgument(`${LINK_LOSS_ENV}=${env[LINK_LOSS_ENV]} is not a loss in percent; give 0..100 (e.g. 0.01)`);
  return {
    ...(cc && { cc: cc as CongestionControl }),
    ...(idle && { slowStartAfterIdle: truthy(idle) }),
    ...(lossPct !== undefined && { lossPct }),
  };
}

/** The link settings the environment declares (see linkModelFor). */
function declaredFromEnv(env: NodeJS.ProcessEnv): DeclareOptions {
  const emulated = truthy(env.LONGHAUL_EMULATE);
  // The same readers as init() (world/env.ts): "1gbit" is a rate there too, and a bad value throws instead of meaning "unshaped".
  const rate = readLinkRate(env);
  const streams = readStreams(env); // the transport's sockets per peer link
  const software = softwareFromEnv(env); // a measured calibration (model/calibration.ts), or the defaults
  // After a node-level launch (rank hosts) the regions are other machines even with the emulator on:
  // no rank's choice may depend on its own host's core count. (Docker's containers share one host.)
  const hosted = Boolean(env.LONGHAUL_RANK_HOSTS);
  const threads = readThreadsPerProcess(env); // launch --threads: blocks of consecutive ranks share a process
  return { wan: emulated || hosted || Boolean(env.LONGHAUL_HOSTS), emulated, hosted, software, ...connectionsFromEnv(env), ...(rate !== undefined && { rateMbit: rate }), ...(streams !== undefined && { streams }), ...(threads !== undefined && { threadsPerProcess: threads }) };
}

/**
 * The model "auto" uses when none was set: regions are real WAN sites when the emulator is on
 * (LONGHAUL_EMULATE) or regions have their own hosts (LONGHAUL_HOSTS); otherwise every rank is on
 * this host and the region names are labels. LONGHAUL_LINK_RATE_MBIT declares the WAN rate, LONGHAUL_STREAMS
 * the connections per peer link, LONGHAUL_SOFTWARE_COSTS this host's calibration (`longhaul calibrate`).
 * `hostLinks` is how the transport links processes of this host (Transport.hostLinks; ZeroMQ when absent).
 */
export function linkModelFor(topology: LinkModel["topology"], env: NodeJS.ProcessEnv = process.env, hostLinks?: HostLinks): LinkModel {
  const set = models.get(topology.spec);
  if (set) return set;
  const options = { ...declaredFromEnv(env), hostLinks };
  const key = `${topology.spec}|${options.emulated}|${options.wan}|${options.hosted}|${options.rateMbit}|${options.streams}|${options.threadsPerProcess}|${hostLinks}|${options.cc}|${options.lossPct}|${options.slowStartAfterIdle}|${env[CALIBRATION_ENV] ?? ""}`;
  let model = declared.get(key);
  if (!model) {
    model = declaredLinkModel(topology, options);
    declared.set(key, model);
  }
  return model;
}

/**
 * The model from an init() probe's round trips (ms, by region; link-probe.ts) and the environment's
 * other settings. A ping's round trip also holds this implementation's own hops (ZeroMQ over
 * loopback, the emulator), which the model adds per message itself, so they are taken out.
 */
export function probedLinkModel(topology: LinkModel["topology"], rttMs: readonly (readonly number[])[], env: NodeJS.ProcessEnv = process.env): LinkModel {
  const options = declaredFromEnv(env);
  const software = { ...DEFAULT_SOFTWARE, ...options.software };
  const hopS = software.localAlphaS + (options.emulated ? software.emulatorAlphaS : 0);
  return declaredLinkModel(topology, { ...options, wan: true, measuredAlphaS: rttMs.map((row) => row.map((ms) => Math.max(0, ms / 2000 - hopS))) });
}

/** The algorithm "auto" runs for `bytes` on `links` (cached per model and size). */
export function autoChoice(links: LinkModel, bytes: number, segmentBytes: number): ScheduledAlgorithm {
  let byModel = decisions.get(links);
  if (!byModel) decisions.set(links, (byModel = new Map()));
  const key = `${bytes}|${segmentBytes}`;
  let algorithm = byModel.get(key);
  if (!algorithm) {
    algorithm = choose(bytes, links, segmentBytes).algorithm;
    if (byModel.size > 4096) byModel.clear();
    byModel.set(key, algorithm);
  }
  return algorithm;
}

/**
 * `algorithm: "auto"`: the cheapest algorithm by the cost model, chosen per call; when every peer is
 * a thread of this process, the measured rule of select-threads.ts. A world whose nodes run their
 * ranks as threads (some peers threads, others behind sockets) uses the cost model, which knows
 * from LONGHAUL_THREADS — the same on every rank, agreed at connect — which links are memcpy links.
 */
export const allReduceAuto: AllReduceAlgorithm = (ctx, data, op) => {
  const { transport } = ctx;
  if (transport.inProcess) {
    const choice = threadsChoice(data.byteLength, transport.size, transport.shared?.slotBytes) === "one-shot" ? "one-shot" : "ring";
    return (choice === "one-shot" ? allReduceOneShot : ringAllReduce)(withVariant(ctx, choice), data, op);
  }
  const choice = autoChoice(linkModelFor(ctx.topology, process.env, transport.hostLinks), data.byteLength, ctx.segmentBytes);
  return IMPLEMENTATIONS[choice](withVariant(ctx, choice), data, op);
};

export function implementationOf(algorithm: ScheduledAlgorithm): AllReduceAlgorithm {
  return IMPLEMENTATIONS[algorithm];
}
