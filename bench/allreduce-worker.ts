/**
 * One rank of `longhaul bench` as its own process (started by the sweep runner through
 * launchRanks): joins the world with init(), runs the sweep, prints each result as a marked JSON
 * line on stdout for the runner to collect.
 */
import { init } from "../init.js";
import { runRankOverlap } from "./overlap/rank-overlap.js";
import { runRankSoak } from "./rank-soak.js";
import { runRankSweep } from "./rank-sweep.js";
import { CONFIG_ENV, RESULT_MARKER, type RankSweepConfig } from "./sweep-types.js";

async function main(): Promise<void> {
  const config = JSON.parse(process.env[CONFIG_ENV] ?? "null") as RankSweepConfig | null;
  if (!config) throw new Error(`${CONFIG_ENV} is not set; this worker is started by "longhaul bench", not by hand`);
  const comm = await init({ segmentBytes: config.segmentBytes, timeoutMs: config.timeoutMs });
  const report = (result: unknown): boolean => process.stdout.write(RESULT_MARKER + JSON.stringify(result) + "\n");
  if (config.soak) report(await runRankSoak(comm, config.soak));
  else if (config.overlap) report(await runRankOverlap(comm, config.overlap));
  else await runRankSweep(comm, config, report);
  await comm.barrier();
  await comm.close();
}

if (process.env[CONFIG_ENV] !== undefined) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(1);
  });
}
