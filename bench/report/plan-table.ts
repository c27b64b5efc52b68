/** The plan as a markdown table (what `longhaul plan` prints) with figures in engineering units. */
import { markdownTable } from "./table.js";
import type { Plan, StrategyResult } from "../../plan/evaluate.js";

export function seconds(s: number): string {
  if (s === 0) return "0";
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

export function bytes(b: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = b;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}

export function gbit(g: number | null): string {
  if (g === null) return "unreachable";
  if (g >= 1e6) return `${(g / 1e6).toPrecision(3)} Pbit/s`;
  if (g >= 1e3) return `${(g / 1e3).toPrecision(3)} Tbit/s`;
  return `${g.toPrecision(3)} Gbit/s`;
}

const HEADER = ["strategy", "step", "compute", "exposed intra", "exposed WAN", "sync", "efficiency", "WAN bytes/step", "for 90%", "for 95%", "for 99%", "bytes ÷"];

function row(r: StrategyResult): string[] {
  const extra = r.bandwidthForTargetGbit === undefined ? [] : [gbit(r.bandwidthForTargetGbit)];
  return [
    r.strategy,
    seconds(r.stepSeconds),
    seconds(r.computeSeconds),
    seconds(r.exposedIntraSeconds),
    seconds(r.exposedInterSeconds),
    seconds(r.syncSeconds),
    `${(r.efficiency * 100).toFixed(1)}%`,
    bytes(r.wanBytesPerStep),
    gbit(r.bandwidthFor90Gbit),
    gbit(r.bandwidthFor95Gbit),
    gbit(r.bandwidthFor99Gbit),
    r.bytesReduction === null ? "-" : `${r.bytesReduction.toPrecision(3)}×`,
    ...extra,
  ];
}

export function planMarkdown(plan: Plan, target?: number): string {
  const first = plan.results[0];
  const head = first ? `${plan.scenario}: ${first.gpus} GPUs on ${first.sites} sites, WAN ${gbit(first.wanGbit)} per link; one site: ${seconds(plan.baselineStepSeconds)} per step` : plan.scenario;
  return `${head}\n\n${markdownTable(target === undefined ? HEADER : [...HEADER, `for ${+(target * 100).toFixed(2)}%`], plan.results.map(row))}`;
}
