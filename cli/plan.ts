/** `longhaul plan SCENARIO`: the full-scale what-if planner over a scenario file (plan/, scenarios/). */
import { parseArgs } from "node:util";
import { badField, PlanError } from "../plan/errors.js";
import { planScenario, strategiesOf } from "../plan/evaluate.js";
import { loadScenario } from "../plan/load.js";
import { STRATEGY_NAMES } from "../plan/scenario.js";
import { checkStrategyName } from "../plan/validate.js";
import { planMarkdown } from "../bench/report/plan-table.js";
import { CHECK_DEFAULTS, checkTopology, runCheck } from "./plan-check.js";
import { sweepKind, writeSweep } from "./plan-sweep.js";

const USAGE = `usage: longhaul plan SCENARIO [--strategy NAME ...] [--json] [--sweep distance|bandwidth] [--out DIR]

Evaluates a scenario file (JSON; see scenarios/) at full scale with the closed-form cost model:
per strategy, the step time split into compute and exposed intra-site and WAN communication, the
efficiency against the same GPUs on one site, WAN bytes per step on the busiest link, and the WAN
bandwidth each link needs for 90/95/99% efficiency (solved).

  --strategy NAME   only this strategy (repeatable): ${STRATEGY_NAMES.join(", ")}
                    (default: the scenario's list, or all of them)
  --json            one JSON object per strategy per line instead of the table
  --sweep KIND      also write an SVG (and PNG where rsvg-convert or ImageMagick exists) of
                    efficiency against distance or bandwidth, one line per strategy
  --out DIR         where the sweep's files go (default .)
  --check           also run the scenario's sites (built-in regions, ${CHECK_DEFAULTS.ranksPerSite} ranks each) through the
                    userspace emulator at ${CHECK_DEFAULTS.rateMbit} Mbit/s with ${CHECK_DEFAULTS.bytes >> 20} MiB all-reduces and print the closed
                    form, the replay and the measured time side by side (--check-rate MBIT to change the rate)
  --target PCT      also solve the bandwidth for this efficiency (e.g. 96): column "for PCT%",
                    JSON key bandwidthForTargetGbit`;

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
    const plan = planScenario(scenario, strategies, {}, target);
    if (values.json) for (const result of plan.results) console.log(JSON.stringify({ scenario: plan.scenario, ...result }));
    else console.log(planMarkdown(plan, target));
    if (kind) for (const path of await writeSweep(scenario, strategies, kind, values.out)) console.error(`wrote ${path}`);
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
