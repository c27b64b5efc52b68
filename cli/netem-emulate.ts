import { parseArgs } from "node:util";
import { DEFAULT_BASE_PORT, proxyPort, type AddressPlan } from "../world/addresses.js";
import { parseTopology } from "../world/topology.js";
import { DEFAULT_WINDOW_BYTES } from "../netem/emulator/emulator.js";
import { startWorldEmulator } from "../launch/world-emulator.js";
import { badValue } from "../netem/errors.js";
import { linkProfilesFor } from "../netem/pairs.js";
import { formatRate } from "../netem/tc/netem-args.js";
import { parsePort, parseRate, parseSize } from "../world/units.js";
import { reportErrors } from "./netem-flags.js";

export const EMULATE_HELP = `usage: longhaul netem emulate --topology SPEC [--base-port P] [--rate 1gbit] [--window 6MiB]
                             [--listen-host H] [--host REGION=HOST ...]

Runs the userspace WAN emulator until SIGINT/SIGTERM: for every region S and every rank D in
another region, a proxy on port P + size + S*size + D forwards to D's port P + D with the S→D
link profile (delay from the distance between the regions). Ranks dial it when LONGHAUL_EMULATE=1.
  --window SIZE     per-connection window cap (default ${DEFAULT_WINDOW_BYTES / (1 << 20)} MiB, Linux's tcp_rmem max)
  --host REGION=H   where the ranks of REGION listen (default 127.0.0.1)`;

export const PROFILES_HELP = `usage: longhaul netem profiles [--topology SPEC] [--rate 1gbit] [--json]

Prints the link profile of every pair of regions in the topology (default: continents):
great-circle km, one-way delay, round trip, rate.`;

export function profilesMain(argv: string[]): Promise<number> {
  return reportErrors("profiles", async () => {
    const { values } = parseArgs({
      args: argv,
      options: { topology: { type: "string", default: "continents" }, rate: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    });
    if (values.help) {
      console.log(PROFILES_HELP);
      return 0;
    }
    const matrix = linkProfilesFor(parseTopology(values.topology), { rateMbit: values.rate === undefined ? undefined : parseRate(values.rate, "--rate") });
    const rows: Array<{ pair: string; km: number; oneWayMs: number; rttMs: number; rate: string | null }> = [];
    matrix.regions.forEach((a, i) => matrix.regions.forEach((b, j) => {
      if (j <= i) return;
      const p = matrix.profile(i, j);
      rows.push({ pair: `${a}-${b}`, km: Math.round(matrix.km[i][j]), oneWayMs: p.delayMs, rttMs: Math.round((p.delayMs + matrix.profile(j, i).delayMs) * 1000) / 1000, rate: p.rateMbit === undefined ? null : formatRate(p.rateMbit) });
    }));
    if (values.json) {
      for (const row of rows) console.log(JSON.stringify(row));
      return 0;
    }
    const header = ["pair", "km", "one-way ms", "RTT ms", "rate"];
    const lines = rows.map((r) => [String(r.pair), String(r.km), r.oneWayMs.toFixed(2), r.rttMs.toFixed(2), String(r.rate ?? "unshaped")]);
    const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
    for (const line of [header, ...lines]) console.log(line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
    return 0;
  });
}

export function emulateMain(argv: string[]): Promise<number> {
  return reportErrors("emulate", async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        topology: { type: "string" }, "base-port": { type: "string" }, rate: { type: "string" }, window: { type: "string" },
        "listen-host": { type: "string" }, host: { type: "string", multiple: true }, help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(EMULATE_HELP);
      return 0;
    }
    if (values.topology === undefined) throw badValue("give --topology (e.g. --topology continents)");
    const topology = parseTopology(values.topology);
    const basePort = values["base-port"] === undefined ? DEFAULT_BASE_PORT : parsePort(values["base-port"], "--base-port");
    const hosts = values.host?.length ? Object.fromEntries(values.host.map((spec) => {
      const [region, host, extra] = spec.split("=");
      if (!region || !host || extra !== undefined || !topology.regions.some((r) => r.name === region)) {
        throw badValue(`--host "${spec}" is not REGION=HOST for a region of ${topology.spec}`);
      }
      return [region, host];
    })) : undefined;
    const plan: AddressPlan = { basePort, emulate: true, ...(hosts && { hosts }) };
    // Signal handlers first, so that a signal during start-up still closes every port.
    let stopped: (() => void) | undefined;
    const stop = new Promise<void>((resolve) => (stopped = resolve));
    const onSignal = (): void => stopped?.();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const emulator = await startWorldEmulator({
      topology, plan, listenHost: values["listen-host"],
      rateMbit: values.rate === undefined ? undefined : parseRate(values.rate, "--rate"),
      windowBytes: values.window === undefined ? undefined : parseSize(values.window, "--window"),
    });
    const first = proxyPort(topology, plan, 0, 0);
    console.log(`longhaul netem emulate: ${topology.spec} (${topology.size} ranks) proxies on ports ${first}..${proxyPort(topology, plan, topology.regions.length - 1, topology.size - 1)}; ready`);
    await stop;
    const stats = emulator.stats();
    await emulator.close();
    const moved = stats.links.filter((l) => l.bytes > 0).map((l) => `${topology.regions[l.src].name}->${topology.regions[l.dst].name} ${(l.bytes / 1e6).toFixed(1)} MB`);
    console.log(`longhaul netem emulate: closed after ${stats.connections} connection(s)${moved.length ? `; ${moved.join(", ")}` : ""}`);
    return 0;
  });
}
