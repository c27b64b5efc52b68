/**
 * init({ commThread: true }): starts the communication thread (comm-thread/worker.ts), which joins
 * the world through the normal init path, and returns a Communicator whose ops are forwarded to it.
 * The environment and options are checked here first, so a bad one fails as it does without the
 * thread; connecting errors (TIMEOUT, MISMATCH, …) come back from the thread with their fields.
 */
import { Worker } from "node:worker_threads";
import type { Communicator } from "../collectives/types.js";
import { readRankEnv } from "../world/env.js";
import { invalidArgument } from "../world/comm-error.js";
import { compiledScript } from "../world/package-info.js";
import { parseTopology } from "../world/topology.js";
import type { InitHereOptions } from "../init-options.js";
import { CommThreadLink } from "./link.js";
import { TRAFFIC_FIELDS, type ThreadData } from "./messages.js";
import { ThreadedCommunicator } from "./threaded-communicator.js";

/** The options as plain data for the thread: the environment copied, a Topology by its spec. */
function forThread(options: InitHereOptions): InitHereOptions {
  if (typeof options.streams === "function") {
    throw invalidArgument("streams as a function cannot cross to the communication thread; pass a number, set LONGHAUL_STREAMS, or leave it unset (init then picks per link)", "init");
  }
  const topology = typeof options.topology === "object" ? options.topology.spec : options.topology;
  return { ...options, env: { ...(options.env ?? process.env) }, topology };
}

export async function startCommThread(options: InitHereOptions, script = compiledScript("comm-thread/worker.js")): Promise<Communicator> {
  const { env = process.env, streams: _streams, segmentBytes: _segment, jobId: _job, curve: _curve, closeWhenAbandonedMs: _abandon, countTraffic, ...overrides } = options;
  const world = readRankEnv(env, overrides);
  const socketsClosed = new Int32Array(new SharedArrayBuffer(4));
  const traffic = countTraffic ? new Float64Array(new SharedArrayBuffer(TRAFFIC_FIELDS.length * 8)) : undefined;
  const workerData: ThreadData = { options: forThread(options) as Record<string, unknown>, socketsClosed, traffic };
  const worker = new Worker(script, { workerData });
  const link = new CommThreadLink(worker, world.rank, socketsClosed);
  const ready = await link.ready;
  const topology = typeof options.topology === "object" ? options.topology : parseTopology(ready.topology);
  return new ThreadedCommunicator(link, ready.rank, ready.size, topology, traffic);
}
