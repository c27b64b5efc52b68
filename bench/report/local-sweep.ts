import { startEmulator } from "../../netem/emulator/emulator.js";
import { parseTopology } from "../../transports/topology.js";
import { runAllReduceSweep } from "../allreduce-sweep.js";
import type { Sweep } from "./experiment.js";
import type { ReportRow } from "./types.js";

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
 * A Sweep on this machine: the sweep runner's ranks as local processes (ipc:// inside a region),
 * with the userspace emulator's proxies carrying every cross-region link when `emulate` is set.
 */
export function localSweep(options: LocalSweepOptions = {}): Sweep {
  return async (request, onRow) => {
    const topology = parseTopology(request.topology);
    const plan = { basePort: options.basePort ?? 29500, emulate: request.emulate };
    const emulator = request.emulate ? await startEmulator({ topology, plan, rateMbit: request.rateMbit }) : undefined;
    try {
      const rows: ReportRow[] = [];
      const sweep = runAllReduceSweep({
        topology: request.topology,
        sizes: [...request.sizes],
        algorithms: [...request.algorithms],
        iters: request.iters,
        warmup: 1,
        transport: "ipc",
        emulate: request.emulate,
        basePort: plan.basePort,
        timeoutMs: options.timeoutMs,
        launchTimeoutMs: options.launchTimeoutMs,
        onRankLog: options.onRankLog,
      });
      for await (const row of sweep) {
        rows.push(row);
        onRow(row);
      }
      return rows;
    } finally {
      await emulator?.close();
    }
  };
}
