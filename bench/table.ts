/** nccl-tests-style text table of sweep rows, printed row by row as the sweep goes. */
import { formatSize } from "./sizes.js";
import type { ResultRow } from "./sweep-types.js";

const COLUMNS = [
  ["size", 10],
  ["count", 12],
  ["type", 8],
  ["algorithm", 22],
  ["time(us)", 12],
  ["algbw(GB/s)", 12],
  ["busbw(GB/s)", 12],
  ["#wrong", 8],
  ["peakRSS(MiB)", 13],
  ["iters", 6],
] as const;

export function tableHeader(): string {
  return COLUMNS.map(([name, width], i) => (i === 3 || i === 2 ? name.padEnd(width) : name.padStart(width))).join(" ");
}

export function tableRow(row: ResultRow): string {
  const cells = [
    formatSize(row.bytes),
    String(row.count),
    row.dtype,
    // auto names its pick, as nccl-tests shows what NCCL chose.
    row.algorithm === "auto" && row.chosen ? `auto→${row.chosen}` : row.algorithm,
    row.timeUs.toFixed(1),
    row.algbwGBps.toFixed(3),
    row.busbwGBps.toFixed(3),
    String(row.wrong),
    row.peakRssMiB.toFixed(1),
    String(row.iters),
  ];
  return cells.map((cell, i) => (i === 3 || i === 2 ? cell.padEnd(COLUMNS[i][1]) : cell.padStart(COLUMNS[i][1]))).join(" ");
}

/** The JSON line for a row: the required keys first, then everything else the row carries. */
export function jsonLine(row: ResultRow): string {
  const { op, algorithm, ranks, bytes, timeUs, algbwGBps, busbwGBps, wrong, ...rest } = row;
  return JSON.stringify({ op, algorithm, ranks, bytes, timeUs, algbwGBps, busbwGBps, wrong, ...rest });
}
