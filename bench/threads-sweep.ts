/** Starts a sweep's ranks as worker threads of this process, connected by transports/threads. */
import { Worker, type TransferListItem } from "node:worker_threads";
import type { Topology } from "../world/topology.js";
import { createSharedArena, markRankExited } from "../transports/threads/shared-arena.js";
import { createThreadMesh } from "../transports/threads/transport.js";
import type { RankResult, RankSweepConfig } from "./sweep-types.js";
import type { ThreadWorkerData, WorkerMessage } from "./threads-worker.js";

/** "failed": the rank's sweep threw; its thread may stay alive (its ports are open), so the parent ends every rank. */

/** Resolves with 0 when every rank finished, else 1; a failed rank stops the others. */
export async function launchThreadRanks<R = RankResult>(
  topology: Topology,
  config: RankSweepConfig,
  script: string,
  onResult: (result: R) => void,
  onLog: (rank: number, line: string) => void,
): Promise<number> {
  const mesh = createThreadMesh(topology.size);
  const shared = createSharedArena(topology.size);
  const workers = mesh.map((ports, rank) => {
    const workerData: ThreadWorkerData = { rank, topology: topology.spec, config, ports, shared };
    const live = ports.filter((p) => p !== undefined);
    return new Worker(script, { workerData, transferList: live as TransferListItem[], stdout: false, stderr: false });
  });
  let failed = false;
  const fail = (): void => {
    if (failed) return;
    failed = true;
    for (const worker of workers) void worker.terminate();
  };
  const onMessage = (rank: number, message: WorkerMessage<R>): void => {
    if (message.type === "result") return onResult(message.result);
    onLog(rank, message.line);
    if (message.type === "failed") fail();
  };
  const exits = workers.map(
    (worker, rank) =>
      new Promise<void>((resolve) => {
        worker.on("message", (message: WorkerMessage<R>) => onMessage(rank, message));
        worker.on("error", (error) => onLog(rank, `${error.name}: ${error.message}`));
        worker.on("exit", (code) => {
          markRankExited(shared, topology.size, rank);
          if (code !== 0) fail();
          resolve();
        });
      }),
  );
  await Promise.all(exits);
  return failed ? 1 : 0;
}
