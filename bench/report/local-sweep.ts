import { runWanSweep } from "../wan-sweep.js";
import type { Sweep } from "./experiment.js";
import type { ReportRow } from "./types.js";

/** How long the timed iterations of each size and algorithm take on one site (no emulated WAN); see RankSweepConfig.minTimeMs. */
export const ONE_SITE_MIN_TIME_MS = 500;

export interface LocalSweepOptions {
  /** Rank r listens on basePort + r; the emulator's proxies sit right above. */
  readonly basePort?: number;
  /** Per-op timeout handed to the ranks (ms). */
  readonly timeoutMs?: number;
  /** Whole-sweep limit: ranks are stopped after this long (ms). */
  readonly launchTimeoutMs?: number;
  readonly onRankLog?: (rank: number, line: string) => void;
}

/**
 * A Sweep on this machine: the emulated-WAN bench (its ranks as local processes, ipc:// inside a
 * region, the userspace emulator's proxies on every cross-region link when `emulate` is set, the
 * ranks' cost model told the link rate, rows annotated with predictedUs / lowerBoundUs).
 */
export function localSweep(options: LocalSweepOptions = {}): Sweep {
  return async (request, onRow) => {
    const rows: ReportRow[] = [];
    const sweep = runWanSweep({
      topology: request.topology,
      sizes: [...request.sizes],
      algorithms: [...request.algorithms],
      iters: request.iters,
      // One site: small sizes take milliseconds, so many iterations are cheap and steady the median.
      ...(!request.emulate && { minTimeMs: ONE_SITE_MIN_TIME_MS }),
      warmup: 1,
      transport: "ipc",
      emulate: request.emulate,
      rateMbit: request.rateMbit,
      ...(request.tcp && { tcp: request.tcp }),
      ...(request.faults && { faults: request.faults, onFaults: request.onFaults }),
      basePort: options.basePort,
      timeoutMs: options.timeoutMs,
      launchTimeoutMs: options.launchTimeoutMs,
      onRankLog: options.onRankLog,
    });
    for await (const row of sweep) {
      rows.push(row);
      onRow(row);
    }
    return rows;
  };
}
