import { parseArgs } from "node:util";
import { fromDistance } from "../netem/distance.js";
import { probeLink } from "../netem/emulator/probe.js";
import { badValue } from "../netem/errors.js";
import { profileBetween } from "../netem/pairs.js";
import { distanceKm } from "../netem/regions.js";
import { parseCount, parseDistance, parseDuration, parseSize } from "../world/units.js";
import { TCP_FLAGS, tcpFromFlags } from "./job-flags.js";
import { PROFILE_OPTIONS, reportErrors, shapeFromFlags } from "./netem-flags.js";

export const PROBE_HELP = `usage: longhaul netem probe (--distance 1000km | --pair new-york:london) [--rate 100mbit]
                           [--jitter 1ms] [--loss 0.01%] [--streams N] [--bytes 64MiB] [--json]
                           [--cc cubic|reno|bbr] [--no-slow-start-after-idle] [--tcp-rmem-max 6MiB]
                           [--idle 5s]

Sends traffic through the userspace emulator on loopback: a ping-pong of small messages (median
round trip) and a bulk transfer over N streams (default: enough 3 MiB windows to fill the
bandwidth-delay product). Each connection runs the emulator's TCP model: slow start from 10
segments, then --cc's loss response (CUBIC by default), under a receive window of half of
--tcp-rmem-max. Prints measured RTT and throughput beside what TCP's published formulas give,
for the whole transfer and for its second half against the steady rate (slow start overshoots
the loss response's window: a lossy path needs hundreds of MiB to settle). --idle also moves
--bytes again on one warm connection after that much silence, beside the time Linux's slow
start after idle gives (the window halved per RTO idle; untouched with --no-slow-start-after-idle).`;

export function probeMain(argv: string[]): Promise<number> {
  return reportErrors("probe", async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROFILE_OPTIONS, ...TCP_FLAGS, distance: { type: "string" }, pair: { type: "string" }, streams: { type: "string" },
        bytes: { type: "string" }, idle: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(PROBE_HELP);
      return 0;
    }
    const shape = shapeFromFlags(values);
    let km: number;
    let profile;
    if (values.pair !== undefined) {
      const [a, b, extra] = values.pair.split(":");
      if (!a || !b || extra !== undefined) throw badValue(`--pair "${values.pair}" is not REGION:REGION (e.g. new-york:london)`);
      km = distanceKm(a, b);
      profile = profileBetween(a, b, shape);
    } else if (values.distance !== undefined) {
      km = parseDistance(values.distance, "--distance");
      profile = fromDistance(km, shape);
    } else {
      throw badValue("give --distance (e.g. 1000km) or --pair (e.g. new-york:london)");
    }
    const streams = values.streams === undefined ? undefined : parseCount(values.streams, "--streams");
    const tcp = tcpFromFlags(values);
    const idleMs = values.idle === undefined ? undefined : parseDuration(values.idle, "--idle");
    const result = await probeLink({ forward: profile, streams, tcp, idleMs, bytes: values.bytes === undefined ? undefined : parseSize(values.bytes, "--bytes") });
    const out = { km: Math.round(km), cc: tcp?.cc ?? "cubic", ...result };
    if (values.json) {
      console.log(JSON.stringify(out));
      return 0;
    }
    const pct = (measured: number, expected: number | null) => (expected ? ` (${(((measured - expected) / expected) * 100).toFixed(1)}%)` : "");
    console.log(`link        ${out.km} km, one-way ${profile.delayMs} ms${profile.rateMbit ? `, ${profile.rateMbit} Mbit/s` : ", unshaped"}`);
    console.log(`rtt         ${out.rttMs.toFixed(2)} ms median, ${out.rttMinMs.toFixed(2)} ms min   expected ${out.expectedRttMs.toFixed(2)} ms${pct(out.rttMs, out.expectedRttMs)}`);
    console.log(`set-up+rtt  ${out.firstEchoMs.toFixed(2)} ms   expected ${(2 * out.expectedRttMs).toFixed(2)} ms`);
    console.log(`throughput  ${out.throughputMbit.toFixed(1)} Mbit/s   expected ${out.expectedMbit === null ? "n/a" : `${out.expectedMbit.toFixed(1)} Mbit/s`}${pct(out.throughputMbit, out.expectedMbit)}   (${out.streams} ${out.cc} stream(s), ${(out.bytes / 1e6).toFixed(1)} MB)`);
    console.log(`2nd half    ${out.steadyMbit.toFixed(1)} Mbit/s   steady ${out.expectedSteadyMbit === null ? "n/a" : `${out.expectedSteadyMbit.toFixed(1)} Mbit/s`}${pct(out.steadyMbit, out.expectedSteadyMbit)}   (past slow start once the transfer is long enough)`);
    if (out.idle) {
      const i = out.idle;
      console.log(`after idle  ${i.ms.toFixed(1)} ms for ${(i.bytes / 1e6).toFixed(1)} MB after ${(i.idleMs / 1000).toFixed(2)} s silent   expected ${i.expectedMs.toFixed(1)} ms${pct(i.ms, i.expectedMs)}   (slow start after idle ${i.slowStartAfterIdle ? "on" : "off"}, RTO ${i.rtoMs.toFixed(0)} ms; from cold ${i.expectedColdMs.toFixed(1)} ms)`);
    }
    console.log(`memory      peak ${(out.peakHeldBytes / (1 << 20)).toFixed(2)} MiB held; bytes in order: ${!out.reordered}`);
    return 0;
  });
}
