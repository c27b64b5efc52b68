/**
 * One rank of `longhaul train` (started by the launcher): joins the world with init(), counting the
 * bytes it sends (countTraffic) so it can report its WAN volume, on one stream per peer unless
 * LONGHAUL_STREAMS says otherwise; trains the MLP on MNIST or the LM on the Brown corpus (config.model).
 * Reads its TrainConfig from LONGHAUL_TRAIN_CONFIG and writes rank-R.json into LONGHAUL_TRAIN_OUT.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { init } from "../init.js";
import { initElastic } from "../init-elastic.js";
import { trainRankElastic } from "./train-rank-elastic.js";
import { trainRankElasticSync } from "./train-rank-elastic-sync.js";
import { readRankEnv, readStreams } from "../world/env.js";
import type { RankResult, TrainConfig } from "./config.js";
import { makeTask } from "./make-task.js";
import { useWasmBackend } from "./tfjs-backend.js";
import { trainRank } from "./train-rank.js";

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LONGHAUL_TRAIN_CONFIG ?? "null") as TrainConfig | null;
  const outDir = process.env.LONGHAUL_TRAIN_OUT;
  if (!config || !outDir) throw new Error("train-worker is started by `longhaul train` (LONGHAUL_TRAIN_CONFIG and LONGHAUL_TRAIN_OUT are not set)");
  await useWasmBackend();
  if (config.elastic) return elasticMain(config, outDir);
  const comm = await init({ streams: readStreams(process.env) ?? 1, countTraffic: true, commThread: config.commThread ?? false });
  const task = await makeTask(config, comm.rank, comm.size);
  const every = Math.max(1, Math.floor(config.steps / 10));
  const run = await trainRank(comm, config, task, (step, loss) => {
    if (comm.rank === 0 && (step + 1) % every === 0) process.stderr.write(`step ${step + 1}/${config.steps} loss ${loss.toFixed(4)}\n`);
  });
  await comm.barrier();
  // close() returns once every peer confirmed receipt of all this rank sent (the closing handshake).
  await comm.close();
  const result: RankResult = { rank: comm.rank, method: config.method, steps: config.steps, ...run, wanBytes: comm.traffic!.wanBytes, lanBytes: comm.traffic!.lanBytes };
  writeFileSync(join(outDir, `rank-${comm.rank}.json`), JSON.stringify(result));
}

/** --elastic: the group's communicator changes with its members; results name the full world's rank. */
async function elasticMain(config: TrainConfig, outDir: string): Promise<void> {
  const processStartMs = Date.now() - performance.now();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  // The data and model first: loading them blocks this thread for seconds, and a rank that has
  // joined must keep heartbeating.
  const world = readRankEnv(process.env);
  const task = await makeTask(config, world.rank, world.topology.size);
  const group = await initElastic({ streams: readStreams(process.env) ?? 1, countTraffic: true, log });
  const run = config.method === "sync" ? await trainRankElasticSync(group, config, task, processStartMs, log) : await trainRankElastic(group, config, task, processStartMs, log);
  const result: RankResult = { rank: group.rank, method: config.method, steps: config.steps, ...run, ...group.traffic() };
  writeFileSync(join(outDir, `rank-${group.rank}.json`), JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`train-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
