/** `longhaul plan --explain`: what the planner assumed about the WAN's connections and, per strategy, why its figures come out as they do. */
import { connectionRateBps, pathRtoS } from "../model/stream-rate.js";
import { baselineStepSeconds, stepContext, strategyBaselineSeconds } from "./evaluate.js";
import type { Scenario, StrategySpec } from "./scenario.js";
import { stepComm } from "./strategies.js";
import { replicaGpus, type WorldKnobs } from "./world.js";

const s = (x: number) => (x >= 1 ? `${x.toPrecision(3)} s` : `${(x * 1000).toPrecision(3)} ms`);
const mbit = (bytesPerS: number) => (Number.isFinite(bytesPerS) ? `${((bytesPerS * 8) / 1e6).toPrecision(3)} Mbit/s` : "unlimited");

/** The WAN's connections: how many per pair, what caps each, and whether idle restarts them. */
function connectionLines(scenario: Scenario, knobs: WorldKnobs): string[] {
  const ctx = stepContext(scenario, knobs);
  const { settings, paths } = ctx.wan!;
  const S = scenario.sites.length;
  if (S === 1) return ["WAN: one site, none."];
  let longest = paths[0][1];
  paths.forEach((row, i) => row.forEach((p, j) => (i !== j && p.rttS > longest.rttS ? (longest = p) : undefined)));
  const window = Number.isFinite(longest.windowBytes) ? `a window of ${(longest.windowBytes / 2 ** 20).toPrecision(3)} MiB each` : "no window cap (RDMA or tuned TCP: wan.windowBytes unset)";
  const lines = [
    `WAN connections: ${longest.connections} per site pair (tensor × pipeline = ${replicaGpus(scenario)} shard groups × ${scenario.wan.streamsPerFlow ?? 1} stream(s)), ${window}, congestion control ${settings.cc}.`,
  ];
  const lossy = paths.some((row, i) => row.some((p, j) => i !== j && p.loss > 0));
  if (lossy) {
    const one = connectionRateBps(settings.cc, longest);
    lines.push(
      `Loss ${+(longest.loss * 100).toPrecision(3)}% on the longest route (${(longest.rttS * 1000).toFixed(0)} ms round trip): one ${settings.cc} connection moves at most ${mbit(one)} there ` +
        `(${settings.cc === "cubic" ? "RFC 8312bis's average window" : settings.cc === "reno" ? "Mathis's 1.22/√p" : "BBR ignores loss below 15%"}), so the pair moves at most ${mbit(one * longest.connections)} of its ${mbit(longest.rateBps)}.`,
    );
  } else lines.push("No loss on the links (wan.lossPct, --loss): each connection moves its share of the link.");
  const rto = pathRtoS(longest.rttS);
  lines.push(
    settings.slowStartAfterIdle
      ? `Slow start after idle on (Linux's default): a connection silent for longer than its RTO (${s(rto)} on the longest route: RTT + 200 ms) restarts its window, halved per RTO down to 10 segments, and a sync that follows a silent stretch climbs back.`
      : "Slow start after idle off (the planner's default: RDMA or tuned TCP, net.ipv4.tcp_slow_start_after_idle = 0); wan.slowStartAfterIdle: true or --slow-start-after-idle models Linux's default.",
  );
  return lines;
}

/** One line per strategy: its baseline, the WAN's silence before each sync and what slow start after idle costs (or would cost) there. */
function strategyLine(scenario: Scenario, spec: StrategySpec, knobs: WorldKnobs): string {
  const ctx = stepContext(scenario, knobs);
  const comm = stepComm(spec, ctx);
  const sync = baselineStepSeconds(scenario, ctx);
  const own = strategyBaselineSeconds(scenario, spec, ctx);
  const parts = [`${spec.name}:`];
  if (own < sync) {
    parts.push(`efficiency against itself with its sites side by side (${s(own)} per step), faster than one site's synchronous data parallelism (${s(sync)}): ${spec.name.includes("diloco") ? "its inner steps sync inside each site only" : "it moves less than a dense all-reduce"}, so the ratio is what the WAN costs it;`);
  }
  if (spec.name.endsWith("+overlap")) parts.push(`${scenario.model.layers} buckets; a bucket holds the WAN only for its bytes and its round trips overlap the next bucket's (the buckets' all-reduces in flight together, as several channels run them);`);
  const on = ctx.wan!.settings.slowStartAfterIdle;
  const what = spec.name === "diloco" ? `its outer sync follows ${spec.innerSteps ?? 100} inner steps` : spec.name === "streaming-diloco" ? "each fragment's sync follows" : "each step's sync follows";
  if (scenario.sites.length > 1) {
    if (on) parts.push(`${what} ${s(comm.idleS)} of WAN silence and ${comm.restartSeconds > 0 ? `pays ${s(comm.restartSeconds)} of slow start from restarted windows` : "pays no restart (silence within the RTO, or no window cap to climb back to)"}.`);
    else {
      const would = stepComm(spec, stepContext(scenario, { ...knobs, slowStartAfterIdle: true })).restartSeconds;
      parts.push(`${what} ${s(comm.idleS)} of WAN silence; with slow start after idle on it would pay ${s(would)} more per sync.`);
    }
  }
  return parts.join(" ");
}

export function explainPlan(scenario: Scenario, strategies: readonly StrategySpec[], knobs: WorldKnobs = {}): string[] {
  return [...connectionLines(scenario, knobs), ...strategies.map((spec) => strategyLine(scenario, spec, knobs))];
}
