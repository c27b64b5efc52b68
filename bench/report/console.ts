import { formatBytes, formatPct } from "./format.js";
import { efficiencyFigures, summarize } from "./summary.js";
import { SUMMARY_HEADER, summaryCells, textTable } from "./table.js";
import type { LmTrainingRow, TrainingRow } from "./types.js";
import type { ReportRow } from "./types.js";

/** The terminal summary: the per-algorithm-and-size table, then the efficiency figure per algorithm. */
export function summaryText(wan: readonly ReportRow[], baseline: readonly ReportRow[], training: readonly TrainingRow[] = [], lmTraining: readonly LmTrainingRow[] = []): string {
  const lines = [textTable(SUMMARY_HEADER, summaryCells(summarize(wan, baseline)))];
  const figures = efficiencyFigures(wan, baseline);
  if (figures.length > 0) {
    lines.push("", "efficiency vs one site (all-reduce throughput across the continents, largest size):");
    for (const f of figures) lines.push(`  ${f.algorithm.padEnd(18)} ${formatPct(f.efficiencyPct).padStart(6)} at ${formatBytes(f.bytes)}`);
  }
  if (training.length > 0) {
    lines.push("", "training across the continents (MNIST MLP):");
    for (const t of training) {
      const rate = t.baselineStepsPerSec ? ` (${formatPct((100 * t.stepsPerSec) / t.baselineStepsPerSec)} of one site)` : "";
      lines.push(`  ${t.method.padEnd(18)} test accuracy ${(100 * t.testAccuracy).toFixed(1)}%, WAN ${(t.wanBytes / 1e6).toFixed(2)} MB, ${t.stepsPerSec.toFixed(1)} steps/s${rate}`);
    }
  }
  if (lmTraining.length > 0) {
    lines.push("", "a language model across the continents (validation perplexity per character):");
    for (const t of lmTraining) lines.push(`  ${t.method.padEnd(18)} perplexity ${t.valPerplexity.toFixed(2)}, WAN ${(t.wanBytes / 1e6).toFixed(2)} MB, ${t.stepsPerSec.toFixed(1)} steps/s`);
  }
  return lines.join("\n");
}
