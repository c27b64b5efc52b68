/** Text table of micro-benchmark rows. */
import { formatSize } from "./sizes.js";
import type { MicroRow } from "./micro.js";

export function microTable(rows: MicroRow[]): string {
  const header = `${"benchmark".padEnd(46)} ${"size".padStart(8)} ${"mean(us)".padStart(11)} ${"GB/s/operand".padStart(13)} ${"% of copy".padStart(10)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(46)} ${(r.bytes ? formatSize(r.bytes) : "-").padStart(8)} ${r.meanUs.toFixed(3).padStart(11)} ${(r.gbps === undefined ? "-" : r.gbps.toFixed(2)).padStart(13)} ${(r.pctOfCopy === undefined ? "-" : `${r.pctOfCopy.toFixed(0)}%`).padStart(10)}`,
  );
  return [header, ...lines].join("\n");
}
