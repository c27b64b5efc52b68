import { createCommunicator } from "./collectives/communicator.js";
import type { Communicator } from "./collectives/types.js";
import { readRankEnv, type RankEnvOverrides } from "./transports/env.js";
import { connectZmq } from "./transports/zmq-connect.js";

export interface InitOptions extends Omit<RankEnvOverrides, "streams"> {
  /** Environment to read instead of process.env. */
  env?: NodeJS.ProcessEnv;
  /** Sockets per peer link (multi-stream); a number or a function of the peer rank (see streamsForLink). */
  streams?: number | ((peer: number) => number);
  /** Pipelining segment size for the collectives (bytes). */
  segmentBytes?: number;
}

/**
 * Joins the world this process belongs to and returns a ready Communicator. Reads RANK, WORLD_SIZE,
 * LOCAL_RANK (torchrun's names) and LONGHAUL_TOPOLOGY, LONGHAUL_BASE_PORT, LONGHAUL_EMULATE,
 * LONGHAUL_HOSTS, LONGHAUL_IPC_DIR, LONGHAUL_TIMEOUT_MS, LONGHAUL_STREAMS; options override the environment.
 * LONGHAUL_TIMEOUT_MS (or timeoutMs) bounds both connecting and every op.
 */
export async function init(options: InitOptions = {}): Promise<Communicator> {
  const { env, streams, segmentBytes, ...overrides } = options;
  const world = readRankEnv(env ?? process.env, overrides);
  const transport = await connectZmq({ rank: world.rank, topology: world.topology, plan: world.plan, timeoutMs: world.timeoutMs, streams: streams ?? world.streams });
  return createCommunicator(transport, world.topology, { timeoutMs: world.timeoutMs, segmentBytes });
}
