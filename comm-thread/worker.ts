/**
 * The communication thread: joins the world through the normal init path (initHere: same
 * environment, job id, CURVE, probe, timeouts), then runs the ops the main thread forwards, in the
 * order they arrive — the Communicator chains them as it does on the main thread — on views of the
 * shared memory the requests name. Each op's completion is marked in its shared slot before the
 * main thread is told, so isCompleted() sees it while the main thread is still busy.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initHere, type InitHereOptions } from "../init.js";
import type { Communicator, NumericArray } from "../collectives/types.js";
import { toWire, type FromWorker, type OpRequest, type ToWorker } from "./messages.js";
import { viewOf } from "./shared-views.js";
import { FAILED, markSlot, SUCCEEDED } from "./slots.js";

const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);

/** Starts one op (synchronously, so ops start in arrival order); resolves when it finished. */
function runOp(comm: Communicator, request: OpRequest): Promise<unknown> {
  const data = request.data === undefined ? undefined : viewOf(request.data);
  const options = request.options;
  const into = (result: NumericArray): void => viewOf(request.out!).set(result);
  switch (request.op) {
    case "allReduce":
      return comm.allReduce(data!, options);
    case "reduceScatter":
      return comm.reduceScatter(data!, options).then(into);
    case "allGather":
      return comm.allGather(data!, options).then(into);
    case "broadcast":
      return comm.broadcast(data!, request.rank!, options);
    case "reduce":
      return comm.reduce(data!, request.rank!, options);
    case "barrier":
      return comm.barrier(options);
    case "send":
      return comm.send(data!, request.rank!, options);
    case "recv":
      return comm.recv(data!, request.rank!, options);
  }
}

function serve(comm: Communicator): void {
  port.on("message", (message: ToWorker) => {
    if (message.kind === "close") {
      comm.close().then(
        () => post({ kind: "closed" }),
        (error: unknown) => post({ kind: "closed", error: toWire(error) }),
      ).finally(() => port.close());
      return;
    }
    const request = message;
    new Promise((resolve) => resolve(runOp(comm, request))).then(
      () => {
        markSlot(request.slot, SUCCEEDED, Date.now());
        post({ kind: "done", id: request.id });
      },
      (error: unknown) => {
        markSlot(request.slot, FAILED, Date.now());
        post({ kind: "done", id: request.id, error: toWire(error) });
      },
    );
  });
}

try {
  // The main thread decides when the program is finished (comm-thread/abandon.ts), not this thread's idle loop.
  const comm = await initHere({ ...(workerData as InitHereOptions), closeWhenAbandonedMs: 0 });
  serve(comm);
  post({ kind: "ready", rank: comm.rank, size: comm.size, topology: comm.topology.spec });
} catch (error) {
  post({ kind: "failed", error: toWire(error) });
  port.close();
}
