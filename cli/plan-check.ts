/**
 * `longhaul plan --check`: the scenario's sites (built-in regions) at a few ranks each, through the
 * userspace emulator on this machine, with the sync all-reduces the library runs: the closed form
 * (network only), the message-level replay (with this host's software costs) and the measurement,
 * side by side. It checks the cost model on the scenario's geography; it does not emulate compute.
 */
import { sweepLinkModel, runWanSweep } from "../bench/wan-sweep.js";
import { markdownTable } from "../bench/report/table.js";
import { CLOSED_FORMS } from "../model/closed-form.js";
import { fabricOfLinks } from "../model/fabric-of-links.js";
import { REGIONS } from "../model/regions.js";
import { badField } from "../plan/errors.js";
import type { Scenario } from "../plan/scenario.js";
import { seconds } from "../bench/report/plan-table.js";

export interface CheckOptions {
  ranksPerSite: number;
  bytes: number;
  rateMbit: number;
  iters: number;
}

export const CHECK_DEFAULTS: CheckOptions = { ranksPerSite: 2, bytes: 4 << 20, rateMbit: 100, iters: 3 };
/** Processes this machine runs at once for a check (2 cores; each rank is a node process). */
const MAX_RANKS = 8;
const SEGMENT = 1 << 20;
/** Untimed ops first: with one, the first row of a bench run (a cold emulator and connections) came out 1.3-1.8x slow here; with three, 1.02x. */
const WARMUP = 3;

/** The topology spec the check runs, or a PlanError naming the site the emulator cannot place. */
export function checkTopology(scenario: Scenario, ranksPerSite: number): string {
  scenario.sites.forEach((site, i) => {
    if (!REGIONS.has(site.name)) throw badField(`sites[${i}].name`, site.name, `--check runs through the emulator, which places built-in regions only (${[...REGIONS.keys()].join(", ")})`);
  });
  if (scenario.sites.length * ranksPerSite > MAX_RANKS) throw badField("sites", scenario.sites.length, `--check runs at most ${MAX_RANKS} ranks here: ${scenario.sites.length} sites x ${ranksPerSite} is too many`);
  return scenario.sites.map((s) => `${s.name}:${ranksPerSite}`).join(",");
}

export async function runCheck(scenario: Scenario, options: CheckOptions = CHECK_DEFAULTS): Promise<string> {
  const sweep = { topology: checkTopology(scenario, options.ranksPerSite), sizes: [options.bytes], algorithms: Object.keys(CLOSED_FORMS), emulate: true, rateMbit: options.rateMbit, iters: options.iters, warmup: WARMUP };
  const fabric = fabricOfLinks(sweepLinkModel(sweep), SEGMENT);
  const rows: string[][] = [];
  for await (const row of runWanSweep(sweep)) {
    const closed = CLOSED_FORMS[row.algorithm](fabric, row.bytes).seconds;
    const replay = (row.predictedUs as number) / 1e6;
    const measured = row.timeUs / 1e6;
    rows.push([row.algorithm, seconds(closed), seconds(replay), seconds(measured), `${(measured / replay).toFixed(2)}×`]);
  }
  const head = `check: ${sweep.topology} through the userspace emulator at ${options.rateMbit} Mbit/s per region pair, ${options.bytes >> 20} MiB (median of ${options.iters})`;
  return `${head}\n\n${markdownTable(["algorithm", "closed form (network)", "replay (with software)", "measured", "measured / replay"], rows)}`;
}
