import { formatSeconds } from "../../netem/faults/timeline.js";
import type { AppliedFault } from "../../netem/faults/types.js";
import { markdownTable } from "./table.js";

/**
 * The faults a schedule applied during the WAN sweep, as a timeline table under its plot: when
 * each was scheduled, applied and lifted (seconds from the sweep's start), so a slow row can be
 * read against what the links were doing.
 */
export function faultsSection(faults: readonly AppliedFault[]): string {
  if (faults.length === 0) return "A fault schedule was given, but none of its faults came due before the sweep ended.";
  const rows = faults.map((f) => [
    `faults[${f.index}]`,
    f.kind + (f.value ? ` ${f.value}` : ""),
    f.rank !== undefined ? `rank ${f.rank}` : `\`${f.link}\``,
    formatSeconds(f.atMs) + (f.endsAtMs === undefined ? "" : `–${formatSeconds(f.endsAtMs)}`),
    formatSeconds(f.appliedAtMs),
    f.liftedAtMs === undefined ? "-" : formatSeconds(f.liftedAtMs),
    f.error ?? "",
  ]);
  return [
    "Faults from the schedule, in the order they were applied (seconds from the start of the sweep; the rows",
    "above whose iterations overlapped a fault list it under `faults` in results.json).",
    "",
    markdownTable(["entry", "fault", "link / rank", "scheduled", "applied", "lifted", "error"], rows),
  ].join("\n");
}
