/**
 * The communication thread: joins the world through the normal init path (connectHere: same
 * environment, job id, CURVE, probe, timeouts), then runs the ops the main thread forwards, in the
 * order they arrive — the Communicator chains them as it does on the main thread — on views of the
 * shared memory the requests name. Each op's completion is marked in its shared slot before the
 * main thread is told, so isCompleted() sees it while the main thread is still busy.
 *
 * ZeroMQ sockets or socket monitors still open when a worker thread is torn down abort the whole
 * process (zeromq.js 6.8 throws from its cleanup, zeromq.js #411). close() ends the thread only
 * when its event loop ran dry (the monitors ended); an uncaught error and the main thread's
 * process.exit() (it posts "abort" and waits on `socketsClosed`) close sockets and monitors at once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { connectHere } from "../init.js";
import type { InitHereOptions } from "../init-options.js";
import type { Communicator, NumericArray } from "../collectives/types.js";
import type { AbortableTransport } from "../transports/composite.js";
import { ZmqTransport } from "../transports/zmq/transport.js";
import { toWire, TRAFFIC_FIELDS, type FromWorker, type OpRequest, type ThreadData, type ToWorker } from "./messages.js";
import { viewOf } from "./shared-views.js";
import { FAILED, markSlot, SUCCEEDED } from "./slots.js";

const port = parentPort!;
const data = workerData as ThreadData;
const post = (message: FromWorker): void => port.postMessage(message);

/** Starts one op (synchronously, so ops start in arrival order); resolves when it finished. */
function runOp(comm: Communicator, request: OpRequest): Promise<unknown> {
  const array = request.data === undefined ? undefined : viewOf(request.data);
  const options = request.options;
  const into = (result: NumericArray): void => viewOf(request.out!).set(result);
  switch (request.op) {
    case "allReduce":
      return comm.allReduce(array!, options);
    case "reduceScatter":
      return comm.reduceScatter(array!, options).then(into);
    case "allGather":
      return comm.allGather(array!, options).then(into);
    case "broadcast":
      return comm.broadcast(array!, request.rank!, options);
    case "reduce":
      return comm.reduce(array!, request.rank!, options);
    case "barrier":
      return comm.barrier(options);
    case "send":
      return comm.send(array!, request.rank!, options);
    case "recv":
      return comm.recv(array!, request.rank!, options);
  }
}

function runAndReport(comm: Communicator, request: OpRequest): void {
  new Promise((resolve) => resolve(runOp(comm, request))).then(
    () => {
      publishTraffic(comm);
      markSlot(request.slot, SUCCEEDED, Date.now());
      post({ kind: "done", id: request.id });
    },
    (error: unknown) => {
      markSlot(request.slot, FAILED, Date.now());
      post({ kind: "done", id: request.id, error: toWire(error) });
    },
  );
}

/** The counts the main thread reads (Communicator.traffic), written before the op is marked done. */
function publishTraffic(comm: Communicator): void {
  if (!data.traffic || !comm.traffic) return;
  TRAFFIC_FIELDS.forEach((field, i) => (data.traffic![i] = comm.traffic![field]));
}

let exiting = false;

/** The thread is about to be torn down: closes the sockets and their monitors now, then sets the flag the main thread waits on. */
function abort(transport: AbortableTransport): void {
  exiting = true;
  // ZeroMQ's monitors close before their sockets: closed after, they linger. Unix sockets have none.
  if (transport instanceof ZmqTransport) for (const link of transport.links) link?.closeMonitor();
  transport.abort();
  Atomics.store(data.socketsClosed, 0, 1);
  Atomics.notify(data.socketsClosed, 0);
}

function serve(comm: Communicator, transport: AbortableTransport): void {
  const crash = (error: unknown): void => {
    if (exiting) return; // the closed monitors' receive loops reject on the way out
    post({ kind: "crashed", error: toWire(error) });
    abort(transport);
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  port.on("message", (message: ToWorker) => {
    if (message.kind === "abort") return abort(transport);
    if (message.kind === "op") return runAndReport(comm, message);
    comm.close().then(
      () => post({ kind: "closed" }),
      (error: unknown) => post({ kind: "closed", error: toWire(error) }),
    ).finally(() => port.close()); // the thread ends once the monitors' loops have ended too
  });
}

try {
  // The main thread decides when the program is finished (link.ts), not this thread's idle loop.
  const { comm, transport } = await connectHere({ ...(data.options as InitHereOptions), closeWhenAbandonedMs: 0 });
  // init() refuses a comm thread for ranks of a launch --threads world: these links are sockets (Unix or ZeroMQ).
  serve(comm, transport as AbortableTransport);
  post({ kind: "ready", rank: comm.rank, size: comm.size, topology: comm.topology.spec });
} catch (error) {
  post({ kind: "failed", error: toWire(error) });
  Atomics.store(data.socketsClosed, 0, 1);
  port.close();
}
