/**
 * Four ranks as worker threads of this process, all-reducing through the threads transport and its
 * shared arena (the README's "Ranks as worker threads" example). Run: node dist/examples/threads-allreduce.js
 */
import { isMainThread, parentPort, Worker, workerData, type TransferListItem } from "node:worker_threads";
import { createCommunicator, createSharedArena, createThreadMesh, markRankExited, parseTopology, ThreadTransport, type ThreadPorts } from "../index.js";

const SIZE = 4;

interface RankData {
  rank: number;
  ports: ThreadPorts;
  shared: SharedArrayBuffer;
}

async function rankMain({ rank, ports, shared }: RankData): Promise<void> {
  const comm = createCommunicator(new ThreadTransport(rank, SIZE, ports, { shared }), parseTopology(String(SIZE)));
  const small = new Float32Array(1024).fill(rank); // auto: one-shot over the arena
  const large = new Float32Array(4 << 20).fill(rank); // 16 MiB, auto: ring
  await comm.allReduce(small);
  await comm.allReduce(large, { op: "avg" });
  parentPort?.postMessage(`rank ${rank}: small[0] = ${small[0]}, large[0] = ${large[0]}`);
  await comm.close();
}

if (isMainThread) {
  const mesh = createThreadMesh(SIZE);
  const shared = createSharedArena(SIZE);
  const url = new URL(import.meta.url);
  await Promise.all(
    mesh.map((ports, rank) => {
      const worker = new Worker(url, { workerData: { rank, ports, shared } satisfies RankData, transferList: ports.filter(Boolean) as TransferListItem[] });
      worker.on("message", (line: string) => console.log(line));
      // A rank that dies is then PEER_LOST to the others even if it died before they listened.
      worker.on("exit", () => markRankExited(shared, SIZE, rank));
      return new Promise((resolve, reject) => worker.on("exit", resolve).on("error", reject));
    }),
  );
} else {
  await rankMain(workerData as RankData);
}
