/**
 * `longhaul plan --sweep distance|bandwidth|loss`: efficiency of each strategy as the scenario's
 * WAN distances, bandwidth or loss change, drawn as an SVG (and a PNG where a converter exists);
 * the loss sweep also as a table.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findPngRenderer } from "../bench/report/png.js";
import { createProgress, type Progress } from "../bench/report/progress.js";
import { lineChart, type Series } from "../bench/report/svg.js";
import { badField } from "../plan/errors.js";
import { efficiencyAt } from "../plan/evaluate.js";
import type { Scenario, StrategySpec } from "../plan/scenario.js";
import { siteKm, type WorldKnobs } from "../plan/world.js";
import { gbit } from "../bench/report/plan-table.js";
import { markdownTable } from "../bench/report/table.js";

export type SweepKind = "distance" | "bandwidth" | "loss";
/** The loss sweep's range, percent: from a clean fiber path to a bad public-internet one. */
const LOSS_RANGE_PCT = [1e-4, 1] as const;
/** The loss table's rows, percent. */
const LOSS_TABLE_PCT = [0, 1e-4, 1e-3, 1e-2, 0.1, 1];
const POINTS = 25;
/** A sweep that has run this long without finishing gets a progress bar. */
const PROGRESS_AFTER_MS = 1000;

export function sweepKind(value: string): SweepKind {
  if (value !== "distance" && value !== "bandwidth" && value !== "loss") throw badField("--sweep", value, 'give "distance", "bandwidth" or "loss"');
  return value;
}

/** The longest site-to-site route in the scenario, km (the distance sweep's x axis scales it). */
function longestKm(scenario: Scenario): number {
  let km = 0;
  scenario.sites.forEach((_, i) => scenario.sites.forEach((_, j) => (km = Math.max(km, (i !== j && siteKm(scenario, i, j)) || 0))));
  return km || 1000;
}

/** x values and the knobs each stands for: distances up to 4× the scenario's, bandwidth from 1/1000 to 100×, loss over LOSS_RANGE_PCT. */
function axis(scenario: Scenario, kind: SweepKind, base: WorldKnobs): Array<{ x: number; knobs: WorldKnobs }> {
  return Array.from({ length: POINTS }, (_, i) => {
    if (kind === "distance") {
      const scale = (4 * (i + 1)) / POINTS;
      return { x: scale * longestKm(scenario), knobs: { ...base, distanceScale: scale } };
    }
    if (kind === "loss") {
      const [lo, hi] = LOSS_RANGE_PCT.map(Math.log10);
      const lossPct = 10 ** (lo + ((hi - lo) * i) / (POINTS - 1));
      return { x: lossPct, knobs: { ...base, lossPct } };
    }
    const wanGbit = scenario.wan.gbit * 10 ** (-3 + (5 * i) / (POINTS - 1));
    return { x: wanGbit, knobs: { ...base, wanGbit } };
  });
}

/** Efficiency of each strategy at each of LOSS_TABLE_PCT, as a markdown table (rows: loss; columns: strategies). */
export function lossTable(scenario: Scenario, strategies: readonly StrategySpec[], base: WorldKnobs = {}): string {
  const rows = LOSS_TABLE_PCT.map((lossPct) => [`${lossPct}%`, ...strategies.map((spec) => `${(100 * efficiencyAt(scenario, spec, { ...base, lossPct })).toFixed(1)}%`)]);
  const cc = base.cc ?? scenario.wan.cc ?? "cubic";
  return `efficiency against loss on every link (${cc}):\n\n${markdownTable(["loss", ...strategies.map((s) => s.name)], rows)}`;
}

export async function writeSweep(scenario: Scenario, strategies: readonly StrategySpec[], kind: SweepKind, outDir: string, base: WorldKnobs = {}): Promise<string[]> {
  const started = Date.now();
  let progress: Progress | undefined;
  const points = axis(scenario, kind, base);
  const series: Series[] = strategies.map((spec) => ({ name: spec.name, points: [] as Array<[number, number]> }));
  points.forEach(({ x, knobs }, i) => {
    strategies.forEach((spec, s) => (series[s].points as Array<[number, number]>).push([x, 100 * efficiencyAt(scenario, spec, knobs)]));
    const label = `${kind} ${i + 1}/${points.length}`;
    if (progress) progress.tick(label);
    else if (Date.now() - started > PROGRESS_AFTER_MS) (progress = createProgress({ total: points.length })).tick(label, i + 1);
  });
  progress?.done();
  const svg = lineChart({
    title: `${scenario.name}: efficiency vs ${kind}`,
    xLabel: kind === "distance" ? "longest site-to-site route (km)" : kind === "loss" ? "random loss per link (%)" : "WAN bandwidth per link",
    yLabel: "efficiency vs one site (%)",
    series,
    xLog: kind !== "distance",
    ...(kind === "bandwidth" && { xTick: (v: number) => gbit(v) }),
    ...(kind === "loss" && { xTick: (v: number) => `${+v.toPrecision(2)}%` }),
  });
  await mkdir(outDir, { recursive: true });
  const svgPath = join(outDir, `${scenario.name}-${kind}.svg`);
  await writeFile(svgPath, svg);
  const written = [svgPath];
  const png = await findPngRenderer();
  if (png) {
    await png.render(svgPath, svgPath.replace(/\.svg$/, ".png"));
    written.push(svgPath.replace(/\.svg$/, ".png"));
  }
  return written;
}
