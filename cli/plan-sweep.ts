/**
 * `longhaul plan --sweep distance|bandwidth`: efficiency of each strategy as the scenario's WAN
 * distances or bandwidth change, drawn as an SVG (and a PNG where a converter exists).
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

export type SweepKind = "distance" | "bandwidth";
const POINTS = 25;
/** A sweep that has run this long without finishing gets a progress bar. */
const PROGRESS_AFTER_MS = 1000;

export function sweepKind(value: string): SweepKind {
  if (value !== "distance" && value !== "bandwidth") throw badField("--sweep", value, 'give "distance" or "bandwidth"');
  return value;
}

/** The longest site-to-site route in the scenario, km (the distance sweep's x axis scales it). */
function longestKm(scenario: Scenario): number {
  let km = 0;
  scenario.sites.forEach((_, i) => scenario.sites.forEach((_, j) => (km = Math.max(km, (i !== j && siteKm(scenario, i, j)) || 0))));
  return km || 1000;
}

/** x values and the knobs each stands for: distances up to 4× the scenario's, bandwidth from 1/1000 to 100×. */
function axis(scenario: Scenario, kind: SweepKind): Array<{ x: number; knobs: WorldKnobs }> {
  return Array.from({ length: POINTS }, (_, i) => {
    if (kind === "distance") {
      const scale = (4 * (i + 1)) / POINTS;
      return { x: scale * longestKm(scenario), knobs: { distanceScale: scale } };
    }
    const wanGbit = scenario.wan.gbit * 10 ** (-3 + (5 * i) / (POINTS - 1));
    return { x: wanGbit, knobs: { wanGbit } };
  });
}

export async function writeSweep(scenario: Scenario, strategies: readonly StrategySpec[], kind: SweepKind, outDir: string): Promise<string[]> {
  const started = Date.now();
  let progress: Progress | undefined;
  const points = axis(scenario, kind);
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
    xLabel: kind === "distance" ? "longest site-to-site route (km)" : "WAN bandwidth per link",
    yLabel: "efficiency vs one site (%)",
    series,
    xLog: kind === "bandwidth",
    ...(kind === "bandwidth" && { xTick: (v: number) => gbit(v) }),
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
