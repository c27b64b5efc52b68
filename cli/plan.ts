/** `longhaul plan SCENARIO`: the full-scale what-if planner over a scenario file (plan/, scenarios/). */
import { parseArgs } from "node:util";
import { badField, PlanError } from "../plan/errors.js";
import { planScenario, strategiesOf } from "../plan/evaluate.js";
import { loadScenario } from "../plan/load.js";
import { STRATEGY_NAMES } from "../plan/scenario.js";
import { checkStrategyName } from "../plan/validate.js";
import { planMarkdown } from "../bench/report/plan-table.js";
import { CHECK_DEFAULTS, checkTopology, runCheck } from "./plan-check.js";
import { lossTable, sweepKind, writeSweep } from "./plan-sweep.js";
import { explainPlan } from "../plan/explain.js";
import type { WorldKnobs } from "../plan/world.js";
import { CONGESTION_CONTROLS, type CongestionControl } from "../model/tcp.js";

const USAGE = `usage: longhaul plan SCENARIO [--strategy NAME ...] [--json] [--sweep distance|bandwidth|loss] [--out DIR]
                     [--cc cubic|reno|bbr] [--loss PCT] [--slow-start-after-idle | --no-slow-start-after-idle] [--explain]

Evaluates a scenario file (JSON; see scenarios/) at full scale with the closed-form cost model:
per strategy, the step time split into compute and exposed intra-site and WAN communication, the
efficiency against the same GPUs on one site, WAN bytes per step on the busiest link, and the WAN
bandwidth each link needs for 90/95/99% efficiency (solved).

  --strategy NAME   only this strategy (repeatable): ${STRATEGY_NAMES.join(", ")}
                    (default: the scenario's list, or all of them)
  --json            one JSON object per strategy per line instead of the table
  --sweep KIND      also write an SVG (and PNG where rsvg-convert or ImageMagick exists) of
                    efficiency against distance, bandwidth or loss, one line per strategy
                    (loss: also prints the table of efficiency per loss, 0 to 1%)
  --cc NAME         congestion control of the WAN connections (default: the scenario's wan.cc,
                    else cubic): how loss limits each connection
  --loss PCT        random loss of every WAN link in percent (default: the scenario's wan.lossPct, else 0)
  --slow-start-after-idle, --no-slow-start-after-idle
                    whether a sync after a silent stretch (compute, DiLoCo's inner steps) restarts
                    its windows, as Linux does by default (default: the scenario's
                    wan.slowStartAfterIdle, else off: RDMA or tuned TCP)
  --explain         also print what the planner assumed about the connections and, per strategy,
                    its baseline and what slow start after idle costs it
  --out DIR         where the sweep's files go (default .)
  --check           also run the scenario's sites (built-in regions, ${CHECK_DEFAULTS.ranksPerSite} ranks each) through the
                    userspace emulator at ${CHECK_DEFAULTS.rateMbit} Mbit/s with ${CHECK_DEFAULTS.bytes >> 20} MiB all-reduces and print the closed
                    form, the replay and the measured time side by side (--check-rate MBIT to change the rate)
  --target PCT      also solve the bandwidth for this efficiency (e.g. 96): column "for PCT%",
                    JSON key bandwidthForTargetGbit`;

/** The TCP knobs of the command line (absent: the scenario's). */
function connectionKnobs(values: { cc?: string; loss?: string; "slow-start-after-idle"?: boolean; "no-slow-start-after-idle"?: boolean }): WorldKnobs {
  const cc = values.cc?.toLowerCase();
  if (cc !== undefined && !(CONGESTION_CONTROLS as readonly string[]).includes(cc)) throw badField("--cc", values.cc, `give one of ${CONGESTION_CONTROLS.join(", ")}`);
  const lossPct = values.loss === undefined ? undefined : Number(values.loss.replace(/%$/, ""));
  if (lossPct !== undefined && !(lossPct >= 0 && lossPct < 100)) throw badField("--loss", values.loss, "give a loss in percent, >= 0 and < 100 (e.g. 0.01)");
  const on = values["slow-start-after-idle"];
  const off = values["no-slow-start-after-idle"];
  if (on && off) throw badField("--slow-start-after-idle", true, "give either --slow-start-after-idle or --no-slow-start-after-idle, not both");
  return {
    ...(cc !== undefined && { cc: cc as CongestionControl }),
    ...(lossPct !== undefined && { lossPct }),
    ...((on || off) && { slowStartAfterIdle: Boolean(on) }),
  };
}

function targetOf(text: string): number {
  const pct = Number(text);
  if (!(pct > 0 && pct < 100)) throw badField("--target", text, "give an efficiency in percent, > 0 and < 100 (e.g. 96)");
  return pct / 100;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        strategy: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        sweep: { type: "string" },
        out: { type: "string", default: "." },
        target: { type: "string" },
        check: { type: "boolean", default: false },
        "check-rate": { type: "string" },
        cc: { type: "string" },
        loss: { type: "string" },
        "slow-start-after-idle": { type: "boolean" },
        "no-slow-start-after-idle": { type: "boolean" },
        explain: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      console.error(`longhaul plan: give one scenario file (got ${positionals.length})\n\n${USAGE}`);
      return 2;
    }
    const kind = values.sweep === undefined ? undefined : sweepKind(values.sweep);
    (values.strategy ?? []).forEach(checkStrategyName);
    const scenario = await loadScenario(positionals[0]);
    const strategies = strategiesOf(scenario, values.strategy);
    const target = values.target === undefined ? undefined : targetOf(values.target);
    const knobs = connectionKnobs(values);
    const plan = planScenario(scenario, strategies, knobs, target);
    if (values.json) for (const result of plan.results) console.log(JSON.stringify({ scenario: plan.scenario, ...result }));
    else console.log(planMarkdown(plan, target));
    if (values.explain) console.log(`\n${explainPlan(scenario, strategies, knobs).join("\n")}`);
    if (kind === "loss" && !values.json) console.log(`\n${lossTable(scenario, strategies, knobs)}`);
    if (kind) for (const path of await writeSweep(scenario, strategies, kind, values.out, knobs)) console.error(`wrote ${path}`);
    if (values.check) {
      const rateMbit = values["check-rate"] === undefined ? CHECK_DEFAULTS.rateMbit : Number(values["check-rate"]);
      if (!(rateMbit > 0)) throw badField("--check-rate", values["check-rate"], "give a rate in Mbit/s > 0");
      checkTopology(scenario, CHECK_DEFAULTS.ranksPerSite);
      console.log(`\n${await runCheck(scenario, { ...CHECK_DEFAULTS, rateMbit })}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof PlanError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`longhaul plan: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}
