/** The `--explain` text: each algorithm's predicted time and floor for one size, and what "auto" picks and why. */
import type { Topology } from "../world/topology.js";
import type { LinkModel } from "../model/link-model.js";
import { connectionSettings, pairPathOf } from "../model/link-paths.js";
import { connectionWindowBytes } from "../model/stream-rate.js";
import { choose, DEFAULT_MODEL_SEGMENT_BYTES } from "./select.js";
import { ONE_SHOT_MAX_READ_BYTES, threadsChoice } from "./select-threads.js";

function size(bytes: number): string {
  for (const [unit, scale] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) if (bytes >= scale) return `${+(bytes / scale).toFixed(2)} ${unit}`;
  return `${bytes} B`;
}

function time(us: number): string {
  return us >= 1e4 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`;
}

function streamRange(links: LinkModel): string {
  const wan = links.streams.flatMap((row, a) => row.filter((_, b) => a !== b));
  const [lo, hi] = [Math.min(...wan), Math.max(...wan)];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/** The WAN connections' TCP: congestion control, loss and what it leaves one stream, slow start after idle. */
function describeConnections(links: LinkModel): string {
  const { cc, slowStartAfterIdle } = connectionSettings(links);
  const parts = [`${cc}`];
  const losses = (links.loss ?? []).flatMap((row, a) => row.filter((_, b) => a !== b)).filter((p) => p > 0);
  if (losses.length) {
    const t = links.topology;
    let slowest = Infinity;
    t.regions.forEach((a) => t.regions.forEach((b) => {
      if (a.index !== b.index) slowest = Math.min(slowest, connectionWindowBytes(cc, pairPathOf(links, a.index, b.index, 1)) / (links.alphaS[a.index][b.index] + links.alphaS[b.index][a.index]));
    }));
    parts.push(`loss ${+(Math.max(...losses) * 100).toPrecision(3)}% (one stream moves at most ${((slowest * 8) / 1e6).toFixed(1)} Mbit/s)`);
  }
  parts.push(`slow start after idle ${slowStartAfterIdle ? "on" : "off"}`);
  if ((links.idleGapS ?? 0) > 0) parts.push(`${links.idleGapS} s idle before each op`);
  return parts.join(", ");
}

/** One line describing the links the model was given. */
export function describeLinks(links: LinkModel): string {
  const t = links.topology;
  const wan: number[] = [];
  const rates = new Set<string>();
  t.regions.forEach((a) => t.regions.forEach((b) => {
    if (a.index === b.index) return;
    wan.push(links.alphaS[a.index][b.index] * 1000);
    const rate = links.rateBps[a.index][b.index];
    rates.add(Number.isFinite(rate) ? `${((rate * 8) / 1e6).toFixed(0)} Mbit/s` : "unshaped");
  }));
  const latency = wan.length ? `WAN one-way ${Math.min(...wan).toFixed(1)}–${Math.max(...wan).toFixed(1)} ms, ${[...rates].join("/")}, ${streamRange(links)} stream(s) per rank pair, ${describeConnections(links)}` : `all links local (${links.hostLinks === "unix" ? "Unix sockets" : "ZeroMQ"})`;
  const hosts = new Set(links.hostOf).size;
  const cores = Number.isFinite(links.cores) ? ` of ${+links.cores.toFixed(2)} effective core(s)` : ", a core per rank";
  const cpu = `CPU: ${hosts} host(s)${cores}${links.emulated ? ", shared with the emulator" : ""}`;
  return `${t.spec}: ${t.size} ranks in ${t.regions.length} region(s); ${links.source} links${links.emulated ? " through the userspace emulator" : ""}; ${latency}; ${cpu}`;
}

/** Lines explaining the choice for `bytes`. */
export function explainChoice(bytes: number, links: LinkModel, segmentBytes = DEFAULT_MODEL_SEGMENT_BYTES): string[] {
  const { algorithm, predictions } = choose(bytes, links, segmentBytes);
  const sorted = [...predictions].sort((a, b) => a.predictedUs - b.predictedUs);
  const lines = [`${size(bytes)}: ${"algorithm".padEnd(18)} ${"predicted".padStart(11)} ${"lower bound".padStart(12)}`];
  for (const p of predictions) {
    lines.push(`${" ".repeat(size(bytes).length + 2)}${p.algorithm.padEnd(18)} ${time(p.predictedUs).padStart(11)} ${time(p.lowerBoundUs).padStart(12)}${p.algorithm === algorithm ? "  <- auto" : ""}`);
  }
  const runnerUp = sorted[1];
  const margin = runnerUp ? ` (${(runnerUp.predictedUs / sorted[0].predictedUs).toFixed(2)}x faster than ${runnerUp.algorithm})` : "";
  lines.push(`${" ".repeat(size(bytes).length + 2)}auto picks ${algorithm}${margin}`);
  return lines;
}

/** The --explain text when the ranks are threads of one process: auto's measured rule, per size. */
export function explainThreads(topology: Topology, sizes: readonly number[], slotBytes: number): string[] {
  const rule = `auto runs one-shot over shared memory while each rank reads at most ${size(ONE_SHOT_MAX_READ_BYTES)} of the others' slots (slot ${size(slotBytes)}), else ring — a measured rule; the cost model describes socket transports`;
  return [`${topology.spec}: ${topology.size} ranks as threads of one process; ${rule}`, ...sizes.map((bytes) => `${size(bytes)}: auto picks ${threadsChoice(bytes, topology.size, slotBytes)}`)];
}
