import { startCommThread } from "./comm-thread/start.js";
import { createCommunicator } from "./collectives/communicator.js";
import { countTraffic } from "./collectives/compression/traffic.js";
import { measureRegionRtts } from "./collectives/link-probe.js";
import { linkModelFor, probedLinkModel, setLinkModel } from "./collectives/select.js";
import type { Communicator } from "./collectives/types.js";
import { readCommThread, readHostLinks, readLinkRate, readRankEnv, type RankEnv } from "./world/env.js";
import { readWireEnv } from "./transports/wire-env.js";
import { oneHost } from "./world/addresses.js";
import type { AbortableTransport } from "./transports/composite.js";
import { CommError } from "./world/comm-error.js";
import { connectThreadRank } from "./transports/threads/connect.js";
import { connectUnix } from "./transports/unix/connect.js";
import { inThreadWorld } from "./transports/threads/world.js";
import { connectZmq } from "./transports/zmq/connect.js";
import type { ZmqTransport } from "./transports/zmq/transport.js";
import type { InitHereOptions, InitOptions } from "./init-options.js";

export type { InitHereOptions, InitOptions } from "./init-options.js";

/** How long the probe waits for a peer when no timeout is set (ms). */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Joins the world this process belongs to and returns a ready Communicator. Reads RANK, WORLD_SIZE,
 * LOCAL_RANK (torchrun's names) and LONGHAUL_TOPOLOGY, LONGHAUL_BASE_PORT, LONGHAUL_EMULATE,
 * LONGHAUL_HOSTS, LONGHAUL_IPC_DIR, LONGHAUL_TIMEOUT_MS, LONGHAUL_STREAMS, LONGHAUL_LINK_RATE_MBIT, LONGHAUL_PROBE,
 * LONGHAUL_JOB_ID, LONGHAUL_CURVE, LONGHAUL_CURVE_KEYS, LONGHAUL_COMM_THREAD;
 * options override the environment.
 * LONGHAUL_TIMEOUT_MS (or timeoutMs) bounds both connecting and every op.
 */
export async function init(options: InitOptions = {}): Promise<Communicator> {
  const { commThread, ...rest } = options;
  if (!(commThread ?? readCommThread(options.env ?? process.env))) return initHere(rest);
  if (inThreadWorld()) {
    throw new CommError("this rank runs as a worker thread (launch --threads): its links are shared memory and messages of this process, which a communication thread of its own cannot take over; leave commThread / LONGHAUL_COMM_THREAD off for --threads launches", { code: "INVALID_ARGUMENT", op: "init" });
  }
  return startCommThread(rest);
}

/** init() on the calling thread: connects the transport and returns the Communicator over it. */
export async function initHere(options: InitHereOptions = {}): Promise<Communicator> {
  return (await connectHere(options)).comm;
}

/** initHere, also handing back the transport (the comm thread aborts it when it must stop at once). */
export async function connectHere(options: InitHereOptions = {}): Promise<{ comm: Communicator; transport: AbortableTransport }> {
  const { env = process.env, streams, segmentBytes, jobId, curve, closeWhenAbandonedMs, countTraffic: counted, ...overrides } = options;
  const world = readRankEnv(env, overrides);
  const wire = { streams, jobId, curve, closeWhenAbandonedMs };
  const transport = inThreadWorld() ? await connectThreadRank(world, (peers) => connectRank(world, env, { ...wire, peers })) : await connectProcessRank(world, env, wire);
  if (world.probe && world.topology.regions.length > 1) {
    try {
      const rttMs = await measureRegionRtts(transport, world.topology, world.timeoutMs ?? PROBE_TIMEOUT_MS);
      setLinkModel(probedLinkModel(world.topology, rttMs, env));
    } catch (error) {
      transport.abort();
      throw error;
    }
  }
  const under = counted ? countTraffic(transport, world.topology) : transport;
  return { comm: createCommunicator(under, world.topology, { timeoutMs: world.timeoutMs, segmentBytes: segmentBytes ?? defaultSegmentBytes(world) }), transport };
}

type WireOptions = Pick<InitHereOptions, "streams" | "jobId" | "curve" | "closeWhenAbandonedMs">;

/**
 * A rank that is a process of its own: when every rank is on this host and no link is emulated,
 * Unix sockets with Node's own socket code (no ZeroMQ I/O threads on the path); else, or with
 * CURVE or LONGHAUL_HOST_LINKS=zmq, ZeroMQ.
 */
function connectProcessRank(world: RankEnv, env: NodeJS.ProcessEnv, options: WireOptions): Promise<AbortableTransport> {
  const wire = readWireEnv(env, world, options);
  if (wire.curve || !oneHost(world.plan) || readHostLinks(env) === "zmq") return connectRank(world, env, options, wire);
  return connectUnix({
    rank: world.rank,
    topology: world.topology,
    plan: world.plan,
    timeoutMs: world.timeoutMs,
    jobId: wire.jobId,
    agreement: wire.agreement,
    closeTimeoutMs: world.timeoutMs,
    drainRateMbit: readLinkRate(env),
    closeWhenAbandoned: (options.closeWhenAbandonedMs ?? 1) > 0,
  });
}

/** Connects this rank's ZeroMQ transport with everything its environment says (job, keys, agreement, streams). */
export function connectRank(world: RankEnv, env: NodeJS.ProcessEnv, options: WireOptions & { peers?: (peer: number) => boolean } = {}, wire = readWireEnv(env, world, options)): Promise<ZmqTransport> {
  const rateMbit = readLinkRate(env);
  return connectZmq({
    rank: world.rank,
    topology: world.topology,
    plan: world.plan,
    timeoutMs: world.timeoutMs,
    streams: options.streams ?? world.streams ?? defaultStreams(world, env),
    ...wire,
    closeTimeoutMs: world.timeoutMs,
    drainRateMbit: rateMbit,
    peers: options.peers,
    closeWhenAbandonedMs: options.closeWhenAbandonedMs,
  });
}

/**
 * Processes of one host take 4 MiB segments: over Unix sockets (the default there), 4 ranks, 64 MiB
 * ring, one run each: 1 MiB 0.52, 2 MiB 0.50, 4 MiB 0.54-0.59, 16 MiB 0.50 GB/s busbw; over ZeroMQ,
 * where each message also costs two I/O-thread hops and an ACK, 0.66 s of CPU per op against 0.77 s
 * with 1 MiB (busbw 0.33-0.35 against 0.28-0.31 GB/s). Threads and WAN links keep Gloo's 1 MiB (a WAN
 * pipeline fills faster with it).
 */
export const ONE_HOST_SEGMENT_BYTES = 4 << 20;

/** The segment init() gives the communicator when none is set (undefined: the communicator's 1 MiB). */
export function defaultSegmentBytes(world: RankEnv): number | undefined {
  return oneHost(world.plan) && !inThreadWorld() ? ONE_HOST_SEGMENT_BYTES : undefined;
}

/** Streams per peer as the cost model assumes them: from each WAN pair's bandwidth-delay product when the rate is declared. */
function defaultStreams(world: RankEnv, env: NodeJS.ProcessEnv): (peer: number) => number {
  const { streams } = linkModelFor(world.topology, env);
  const region = (rank: number) => world.topology.regionOf(rank).index;
  return (peer) => streams[region(world.rank)][region(peer)];
}
