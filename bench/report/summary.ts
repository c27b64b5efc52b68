import type { ReportRow } from "./types.js";

/** One line of the summary table: a WAN row beside the same op on one site. */
export interface SummaryLine {
  readonly algorithm: string;
  readonly bytes: number;
  readonly timeUs: number;
  readonly busbwGBps: number;
  readonly wrong: number;
  readonly baselineUs?: number;
  /** Throughput across the WAN as % of the single-site run of the same algorithm and size. */
  readonly efficiencyPct?: number;
}

/** The headline figure per algorithm: efficiency at the largest size both sweeps measured. */
export interface EfficiencyFigure {
  readonly algorithm: string;
  readonly bytes: number;
  readonly efficiencyPct: number;
  readonly wanBusbwGBps: number;
  readonly baselineBusbwGBps: number;
}

const key = (row: ReportRow): string => `${row.op}\u0000${row.algorithm}\u0000${row.bytes}`;

/** Same bytes and ranks on both sides, so the time ratio is the throughput ratio. */
function efficiency(wan: ReportRow, base: ReportRow): number | undefined {
  if (!(wan.timeUs > 0) || !(base.timeUs > 0)) return undefined;
  return (100 * base.timeUs) / wan.timeUs;
}

/** Joins WAN rows with baseline rows; order: algorithm in first-seen order, then size ascending. */
export function summarize(wan: readonly ReportRow[], baseline: readonly ReportRow[]): SummaryLine[] {
  const base = new Map(baseline.map((row) => [key(row), row]));
  const order = [...new Set(wan.map((row) => row.algorithm))];
  const sorted = [...wan].sort(
    (a, b) => order.indexOf(a.algorithm) - order.indexOf(b.algorithm) || a.bytes - b.bytes,
  );
  return sorted.map((row) => {
    const match = base.get(key(row));
    return {
      algorithm: row.algorithm,
      bytes: row.bytes,
      timeUs: row.timeUs,
      busbwGBps: row.busbwGBps,
      wrong: row.wrong,
      baselineUs: match?.timeUs,
      efficiencyPct: match ? efficiency(row, match) : undefined,
    };
  });
}

/** Per algorithm, the efficiency at its largest size that has a baseline (bandwidth-bound, as quoted). */
export function efficiencyFigures(wan: readonly ReportRow[], baseline: readonly ReportRow[]): EfficiencyFigure[] {
  const base = new Map(baseline.map((row) => [key(row), row]));
  const best = new Map<string, EfficiencyFigure>();
  for (const row of wan) {
    const match = base.get(key(row));
    const pct = match ? efficiency(row, match) : undefined;
    if (!match || pct === undefined) continue;
    const seen = best.get(row.algorithm);
    if (seen && seen.bytes >= row.bytes) continue;
    best.set(row.algorithm, {
      algorithm: row.algorithm,
      bytes: row.bytes,
      efficiencyPct: pct,
      wanBusbwGBps: row.busbwGBps,
      baselineBusbwGBps: match.busbwGBps,
    });
  }
  return [...best.values()];
}
