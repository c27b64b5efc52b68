import { formatBytes, formatGBps, formatPct, formatTime } from "./format.js";
import type { SummaryLine } from "./summary.js";

export const SUMMARY_HEADER = ["algorithm", "size", "time", "busbw GB/s", "single-site", "efficiency", "#wrong"];

export function summaryCells(lines: readonly SummaryLine[]): string[][] {
  return lines.map((line) => [
    line.algorithm,
    formatBytes(line.bytes),
    formatTime(line.timeUs),
    formatGBps(line.busbwGBps),
    line.baselineUs === undefined ? "-" : formatTime(line.baselineUs),
    formatPct(line.efficiencyPct),
    String(line.wrong),
  ]);
}

/** GitHub markdown table; pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const cell = (text: string): string => text.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Aligned plain-text table for the terminal: first column left, the rest right-aligned. */
export function textTable(header: readonly string[], rows: readonly string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => [...(row[col] ?? "")].length)));
  const pad = (text: string, col: number): string => {
    const gap = " ".repeat(widths[col] - [...text].length);
    return col === 0 ? text + gap : gap + text;
  };
  return all.map((row) => row.map(pad).join("  ").trimEnd()).join("\n");
}
