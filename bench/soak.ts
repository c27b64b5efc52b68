/**
 * `longhaul bench soak`: many consecutive all-reduces per transport, to show that nothing is kept
 * from op to op — resident memory after the warm-up against the end, and live handles (timers,
 * sockets, message ports) then and at the end.
 */
import { parseTopology } from "../world/topology.js";
import { sweepConfig, startRanks } from "./allreduce-sweep.js";
import type { SoakConfig, SoakResult } from "./rank-soak.js";
import type { SweepTransport } from "./sweep-types.js";

export interface SoakOptions extends SoakConfig {
  ranks: number;
  transports: SweepTransport[];
  basePort?: number;
  timeoutMs?: number;
}

export interface SoakRow {
  transport: SweepTransport;
  ranks: number;
  bytes: number;
  ops: number;
  msPerOp: number;
  /** Whole process for threads (all ranks), the largest rank for processes. */
  rssAfterWarmupMiB: number;
  rssEndMiB: number;
  growthPct: number;
  /** The worst rank's RSS after each tenth of the ops (MiB). */
  rssByTenthMiB: number[];
  resourcesAfterWarmup: Record<string, number>;
  resourcesEnd: Record<string, number>;
  wrong: number;
}

export async function runSoak(options: SoakOptions, log: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<SoakRow[]> {
  const rows: SoakRow[] = [];
  for (const transport of options.transports) {
    const topology = parseTopology(String(options.ranks));
    const results: SoakResult[] = [];
    const config = { ...sweepConfig({ ranks: options.ranks, timeoutMs: options.timeoutMs }), soak: { ops: options.ops, bytes: options.bytes, warmup: options.warmup } };
    const code = await startRanks<SoakResult>(topology, transport, config, (r) => results.push(r), (rank, line) => log(`[rank ${rank}] ${line}`), { basePort: options.basePort });
    if (code !== 0 || results.length !== topology.size) throw new Error(`soak on ${transport}: ranks failed (exit ${code}, ${results.length} of ${topology.size} reported)`);
    rows.push(soakRow(transport, options, results));
  }
  return rows;
}

function soakRow(transport: SweepTransport, options: SoakOptions, results: SoakResult[]): SoakRow {
  // Threads share one process: every rank reports the same RSS; take the largest rank for processes.
  const worst = results.reduce((a, b) => (b.rssEnd - b.rssAfterWarmup > a.rssEnd - a.rssAfterWarmup ? b : a));
  const mib = (n: number) => n / 2 ** 20;
  return {
    transport,
    ranks: options.ranks,
    bytes: options.bytes,
    ops: options.ops,
    msPerOp: Math.max(...results.map((r) => r.msPerOp)),
    rssAfterWarmupMiB: mib(worst.rssAfterWarmup),
    rssEndMiB: mib(worst.rssEnd),
    growthPct: ((worst.rssEnd - worst.rssAfterWarmup) / worst.rssAfterWarmup) * 100,
    rssByTenthMiB: worst.rssByTenth.map(mib),
    resourcesAfterWarmup: worst.resourcesAfterWarmup,
    resourcesEnd: worst.resourcesEnd,
    wrong: results.reduce((sum, r) => sum + r.wrong, 0),
  };
}

export function soakTable(rows: SoakRow[]): string {
  const handles = (r: Record<string, number>) => Object.entries(r).sort().map(([k, v]) => `${k}:${v}`).join(" ") || "-";
  const lines = rows.map((r) =>
    [r.transport.padEnd(9), String(r.ranks).padStart(5), `${(r.bytes / 2 ** 20).toFixed(2)} MiB`.padStart(9), String(r.ops).padStart(7), r.msPerOp.toFixed(3).padStart(8), r.rssAfterWarmupMiB.toFixed(1).padStart(9), r.rssEndMiB.toFixed(1).padStart(8), `${r.growthPct.toFixed(1)}%`.padStart(7), String(r.wrong).padStart(6), ` ${handles(r.resourcesAfterWarmup)} -> ${handles(r.resourcesEnd)}`].join(" "),
  );
  return [`${"transport".padEnd(9)} ${"ranks".padStart(5)} ${"size".padStart(9)} ${"ops".padStart(7)} ${"ms/op".padStart(8)} ${"RSS0 MiB".padStart(9)} ${"RSS1 MiB".padStart(8)} ${"growth".padStart(7)} ${"#wrong".padStart(6)}  live handles after warm-up -> end`, ...lines].join("\n");
}
