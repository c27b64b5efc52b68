import { formatBytes, formatTime } from "./format.js";
import { lineChart, type Series } from "./svg.js";
import type { DistanceRow, ReportRow } from "./types.js";

function groupBy<T>(rows: readonly T[], name: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(name(row), [...(groups.get(name(row)) ?? []), row]);
  return groups;
}

/** Time of one all-reduce against message size, one line per algorithm (log-log). */
export function timeVsSizeSvg(rows: readonly ReportRow[], title: string): string {
  const series: Series[] = [...groupBy(rows, (r) => r.algorithm)].map(([name, group]) => ({
    name,
    points: group.filter((r) => r.bytes > 0).map((r) => [r.bytes, r.timeUs] as const),
  }));
  return lineChart({
    title,
    xLabel: "message size",
    yLabel: "time per all-reduce",
    series,
    xLog: true,
    yLog: true,
    xTick: formatBytes,
    yTick: formatTime,
  });
}

/** Time against the distance between two regions, one line per algorithm and size. */
export function timeVsDistanceSvg(rows: readonly DistanceRow[], title: string): string {
  const series: Series[] = [...groupBy(rows, (r) => `${r.algorithm} ${formatBytes(r.bytes)}`)].map(
    ([name, group]) => ({ name, points: group.map((r) => [r.distanceKm, r.timeUs] as const) }),
  );
  return lineChart({
    title,
    xLabel: "distance between the two regions (km)",
    yLabel: "time per all-reduce",
    series,
    yLog: true,
    xTick: (km) => `${km.toLocaleString("en-US")}`,
    yTick: formatTime,
  });
}
