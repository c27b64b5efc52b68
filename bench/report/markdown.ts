import { faultsSection } from "./faults.js";
import { plannerMarkdown } from "./planner.js";
import { formatBytes, formatGBps, formatPct, formatTime } from "./format.js";
import { efficiencyFigures, summarize } from "./summary.js";
import { markdownTable, SUMMARY_HEADER, summaryCells } from "./table.js";
import { trainingSection } from "./training.js";
import { lmTrainingSection } from "./lm-training.js";
import { faultToleranceSection } from "./fault-tolerance.js";
import type { ExperimentResults } from "./types.js";

/** File names the writer uses; report.md links to them relatively. */
export const REPORT_FILES = {
  markdown: "report.md",
  json: "results.json",
  sizePlot: "time-vs-size.svg",
  distancePlot: "time-vs-distance.svg",
} as const;

export function efficiencySection(results: ExperimentResults): string {
  const figures = efficiencyFigures(results.wan, results.baseline);
  if (figures.length === 0) return "No single-site baseline was measured, so no efficiency figure.";
  const rows = figures.map((f) => [
    f.algorithm,
    formatBytes(f.bytes),
    formatGBps(f.wanBusbwGBps),
    formatGBps(f.baselineBusbwGBps),
    formatPct(f.efficiencyPct),
  ]);
  return [
    "All-reduce throughput across the emulated continents as a percentage of the same algorithm with",
    "every rank on one site (same machine, no emulated WAN), at the largest size measured. For scale:",
    "NVIDIA quotes 96% of single-site throughput at 1,000 km; the distance sweep below gives this",
    "machine's figure for two regions at each distance.",
    "",
    markdownTable(["algorithm", "size", "busbw WAN GB/s", "busbw single-site GB/s", "efficiency"], rows),
    ...(figures.some((f) => f.efficiencyPct > 100)
      ? ["", "Above 100%: the single-site run was slower. Every rank of both runs shares this machine's CPU cores, so the",
        "single-site figure is bound by CPU contention, not by a network; read such a figure as \"the WAN cost nothing measurable\"."]
      : []),
  ].join("\n");
}

function linksSection(results: ExperimentResults): string {
  const rows = results.links.map((l) => [
    `${l.from} → ${l.to}`,
    l.km.toLocaleString("en-US"),
    `${l.delayMs.toFixed(1)} ms`,
    `${(2 * l.delayMs).toFixed(1)} ms`,
    l.rateMbit === undefined ? "-" : `${l.rateMbit} Mbit/s`,
  ]);
  return markdownTable(["link", "km", "one-way delay", "RTT", "rate"], rows);
}

function distanceSection(results: ExperimentResults): string {
  if (results.distance.length === 0) return "No distance sweep was run.";
  const base = new Map((results.distanceBaseline ?? []).map((r) => [`${r.algorithm}/${r.bytes}`, r]));
  const rows = results.distance.map((r) => {
    const b = base.get(`${r.algorithm}/${r.bytes}`);
    return [
      r.algorithm,
      formatBytes(r.bytes),
      r.distanceKm.toLocaleString("en-US"),
      formatTime(r.timeUs),
      formatGBps(r.busbwGBps),
      b ? formatTime(b.timeUs) : "-",
      b && r.timeUs > 0 ? formatPct((100 * b.timeUs) / r.timeUs) : "-",
    ];
  });
  return [
    `![time vs distance](${REPORT_FILES.distancePlot})`,
    "",
    markdownTable(["algorithm", "size", "km", "time", "busbw GB/s", "single-site", "efficiency"], rows),
  ].join("\n");
}

/** The summary table, plus the cost model's prediction and the network floor where the rows carry them. */
function allReduceTable(results: ExperimentResults): string {
  const lines = summarize(results.wan, results.baseline);
  const cells = summaryCells(lines);
  if (!results.wan.some((r) => r.predictedUs !== undefined)) return markdownTable(SUMMARY_HEADER, cells);
  const model = new Map(results.wan.map((r) => [`${r.algorithm}/${r.bytes}`, r]));
  const extra = lines.map((l) => {
    const r = model.get(`${l.algorithm}/${l.bytes}`);
    return [r?.predictedUs === undefined ? "-" : formatTime(r.predictedUs), r?.lowerBoundUs === undefined ? "-" : formatTime(r.lowerBoundUs)];
  });
  return [
    markdownTable([...SUMMARY_HEADER, "model", "network floor"], cells.map((c, i) => [...c, ...extra[i]])),
    "",
    "model: the cost model's predicted time on these links; network floor: the bytes the algorithm's busiest WAN link",
    "carries at its rate plus its sequential latency steps (no software overhead).",
  ].join("\n");
}

export function reportMarkdown(results: ExperimentResults, extraFiles: readonly string[] = []): string {
  const ranks = results.wan[0]?.ranks;
  return [
    `# ${results.title}`,
    "",
    `- topology: \`${results.topology}\`${ranks === undefined ? "" : ` (${ranks} ranks)`}`,
    `- WAN emulation: ${results.backend === "netem" ? "kernel tc netem" : "longhaul's userspace link emulator"}` +
      (results.rateMbit === undefined ? "" : `, ${results.rateMbit} Mbit/s per region pair`),
    `- machine: ${results.machine.cpus} CPU cores, Node ${results.machine.node}${results.machine.note ? ` — ${results.machine.note}` : ""}`,
    `- run: ${results.startedAt} → ${results.finishedAt}`,
    "",
    "## Efficiency against one site",
    "",
    efficiencySection(results),
    "",
    "## Emulated links",
    "",
    linksSection(results),
    "",
    "## All-reduce across the continents",
    "",
    `![time vs size](${REPORT_FILES.sizePlot})`,
    "",
    allReduceTable(results),
    "",
    ...(results.faults ? ["### Faults during the WAN sweep", "", faultsSection(results.faults), ""] : []),
    "## Time against distance (two regions)",
    "",
    distanceSection(results),
    "",
    ...(results.training?.length ? ["## Training across the continents", "", trainingSection(results.training), ""] : []),
    ...(results.lmTraining?.length ? ["## A language model across the continents", "", lmTrainingSection(results.lmTraining), ""] : []),
    ...(results.faultTolerance ? ["## Faults: training that survives them", "", faultToleranceSection(results.faultTolerance), ""] : []),
    ...(results.planner ? ["## The planner against this run, and at full scale", "", plannerMarkdown(results.planner), ""] : []),
    `Raw rows: [${REPORT_FILES.json}](${REPORT_FILES.json})${extraFiles.length ? `; also ${extraFiles.join(", ")}` : ""}.`,
    "",
  ].join("\n");
}
