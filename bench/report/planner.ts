/**
 * The report's planner section: the closed form's prediction for the emulated sweep beside the
 * replay's and the measurement, and the planner's answer for the shipped scenarios at full scale.
 */
import { CLOSED_FORMS } from "../../model/closed-form.js";
import { fabricOfLinks } from "../../model/fabric-of-links.js";
import type { LinkModel } from "../../model/link-model.js";
import { join } from "node:path";
import { planScenario, strategiesOf } from "../../plan/evaluate.js";
import { loadScenario, scenariosDir } from "../../plan/load.js";
import { formatBytes, formatTime } from "./format.js";
import { planMarkdown } from "./plan-table.js";
import { markdownTable } from "./table.js";
import type { PlannerCheckRow, PlannerSection, ReportRow } from "./types.js";


/** Where the closed forms are meant to hold: buffers large enough for the links, not the event loop, to set the time. */
export const CHECK_MIN_BYTES = 4 << 20;

/** Closed form (with this host's software terms) against the replay and the measurement, for the rows the closed forms cover. */
export function plannerChecks(rows: readonly ReportRow[], links: LinkModel, segmentBytes: number): PlannerCheckRow[] {
  const fabric = fabricOfLinks(links, segmentBytes, true);
  return rows
    .filter((r) => r.algorithm in CLOSED_FORMS && r.bytes >= CHECK_MIN_BYTES)
    .map((r) => ({ algorithm: r.algorithm, bytes: r.bytes, closedFormUs: CLOSED_FORMS[r.algorithm](fabric, r.bytes).seconds * 1e6, replayUs: r.predictedUs, measuredUs: r.timeUs }));
}

/** The seeds' scenarios the report answers at full scale. */
export const REPORT_SCENARIOS = ["nemotron-340b-2dc-1000km", "epoch-23-sites-4800km-loop"];

/** Each report scenario's plan as markdown, or the reason it could not be planned (the report still gets written). */
export async function scenarioPlans(names: readonly string[] = REPORT_SCENARIOS): Promise<PlannerSection["scenarios"]> {
  return Promise.all(
    names.map(async (name) => {
      try {
        const scenario = await loadScenario(join(scenariosDir(), `${name}.json`));
        return { name, markdown: planMarkdown(planScenario(scenario, strategiesOf(scenario))) };
      } catch (error) {
        return { name, markdown: `not planned: ${error instanceof Error ? error.message : String(error)}` };
      }
    }),
  );
}

export function plannerMarkdown(section: PlannerSection): string {
  const ratio = (a: number, b?: number) => (b === undefined ? "-" : `${(a / b).toFixed(2)}×`);
  const checks = section.checks.length
    ? markdownTable(
        ["algorithm", "size", "closed form", "replay", "measured", "measured / closed form", "measured / replay"],
        section.checks.map((c) => [c.algorithm, formatBytes(c.bytes), formatTime(c.closedFormUs), c.replayUs === undefined ? "-" : formatTime(c.replayUs), formatTime(c.measuredUs), ratio(c.measuredUs, c.closedFormUs), ratio(c.measuredUs, c.replayUs)]),
      )
    : `No sweep rows of ${formatBytes(CHECK_MIN_BYTES)} or more for ring, tree or hierarchical.`;
  return [
    "The closed forms `longhaul plan` uses at full scale, for the emulated sweep above (the replay is the message-level model behind `auto` and the bench's predictedUs):",
    "",
    checks,
    "",
    ...section.scenarios.flatMap((s) => [`### ${s.name}`, "", s.markdown, ""]),
  ].join("\n");
}
