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

/** One method of a training comparison: where it ended (validation loss) for the WAN bytes it spent. */
export interface LossPoint {
  readonly method: string;
  readonly wanBytes: number;
  readonly valLoss: number;
}

/**
 * Validation loss against WAN bytes (log x), one point per method — DiLoCo's plot of quality
 * against communication — with the one-process reference (no WAN at all) as a flat line when given.
 */
export function lossVsWanSvg(points: readonly LossPoint[], title: string, oneProcessLoss?: number): string {
  const sent = points.filter((p) => p.wanBytes > 0);
  const series: Series[] = sent.map((p) => ({ name: p.method, points: [[p.wanBytes, p.valLoss] as const] }));
  if (oneProcessLoss !== undefined && sent.length) {
    const xs = sent.map((p) => p.wanBytes);
    series.push({ name: "one process", points: [[Math.min(...xs), oneProcessLoss], [Math.max(...xs), oneProcessLoss]] });
  }
  return lineChart({
    title,
    xLabel: "WAN bytes sent (all ranks)",
    yLabel: "validation loss (nats per character)",
    series,
    xLog: true,
    yLog: true,
    xTick: (bytes) => formatBytes(bytes),
    yTick: (loss) => loss.toFixed(2),
  });
}
