/**
 * Whether an emulated run measured this host rather than the links: the ranks' CPU time per op,
 * spread over this machine's cores, already exceeds the algorithm's network floor (lowerBoundUs).
 * Then the time says little about the WAN (e.g. 8 ranks at 64 MiB on 2 cores and 1 Gbit/s), and
 * the bench says so instead of letting the figure pass for the links'.
 */
import { availableParallelism } from "node:os";
import { formatSize } from "./sizes.js";
import type { ResultRow } from "./sweep-types.js";

/** The ranks' CPU per op spread over `cores`, in µs, when that exceeds the row's network floor; else undefined. */
export function cpuFloorAboveNetwork(row: ResultRow, cores = availableParallelism()): number | undefined {
  const floor = row.lowerBoundUs;
  if (typeof floor !== "number" || floor <= 0 || row.transport === "threads") return undefined;
  const cpuUs = (row.cpuMs * 1e3) / cores;
  return cpuUs > floor ? cpuUs : undefined;
}

/** One line per CPU-bound row, saying what to change; empty when none. */
export function cpuBoundNotes(rows: readonly ResultRow[], cores = availableParallelism()): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    const cpuUs = cpuFloorAboveNetwork(row, cores);
    if (cpuUs === undefined) continue;
    notes.push(
      `note: ${row.algorithm} at ${formatSize(row.bytes)} is CPU-bound here: the ranks used ${row.cpuMs.toFixed(0)} ms of CPU per op, ` +
        `${(cpuUs / 1e3).toFixed(0)} ms on ${cores} core(s), above the ${(Number(row.lowerBoundUs) / 1e3).toFixed(0)} ms the links need; ` +
        `the time measures this host, not the WAN (use fewer ranks per host, more cores, or a lower --rate)`,
    );
  }
  return notes;
}
