/** One rank of a threads sweep: a worker thread with its ports to every other rank, reporting results to the parent. */
import { parentPort, workerData } from "node:worker_threads";
import { createCommunicator } from "../collectives/communicator.js";
import { parseTopology } from "../world/topology.js";
import { ThreadTransport, type ThreadPorts } from "../transports/threads/transport.js";
import { runRankSoak } from "./rank-soak.js";
import { runRankSweep } from "./rank-sweep.js";
import type { RankSweepConfig } from "./sweep-types.js";

/** What a sweep rank's worker posts to the thread that started it. */
export type WorkerMessage<R> = { type: "result"; result: R } | { type: "log"; line: string } | { type: "failed"; line: string };

export interface ThreadWorkerData {
  rank: number;
  topology: string;
  config: RankSweepConfig;
  ports: ThreadPorts;
  /** The world's shared arena (one-shot all-reduce, shared barrier). */
  shared: SharedArrayBuffer;
}

async function main(data: ThreadWorkerData): Promise<void> {
  const topology = parseTopology(data.topology);
  const comm = createCommunicator(new ThreadTransport(data.rank, topology.size, data.ports, { shared: data.shared }), topology, {
    segmentBytes: data.config.segmentBytes,
    timeoutMs: data.config.timeoutMs,
  });
  const report = (result: unknown): void => parentPort?.postMessage({ type: "result", result });
  if (data.config.soak) report(await runRankSoak(comm, data.config.soak));
  else await runRankSweep(comm, data.config, report);
  await comm.barrier();
  await comm.close();
}

if (parentPort && workerData) {
  main(workerData as ThreadWorkerData).catch((error: unknown) => {
    const failed: WorkerMessage<never> = { type: "failed", line: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    parentPort?.postMessage(failed);
  });
}
