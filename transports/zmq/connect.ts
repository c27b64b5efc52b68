import { CommError } from "../../world/comm-error.js";
import { dialEndpoint, listenEndpoints, type AddressPlan } from "../../world/addresses.js";
import type { CurveKeys } from "../curve.js";
import { defaultJobId, jobToken, type Agreement } from "../job.js";
import type { Topology } from "../../world/topology.js";
import { ZmqTransport } from "./transport.js";

export interface ConnectZmqOptions {
  rank: number;
  topology: Topology;
  plan: AddressPlan;
  /** How long to wait for every peer's hello/ready (default 30 s). */
  timeoutMs?: number;
  /** Sockets per peer link; a number for every peer or a function of the peer (default 1). */
  streams?: number | ((peer: number) => number);
  /**
   * Payloads below this are copied at send (the promise resolves at once); from this size on they go
   * zero-copy and the send resolves on the peer's ACK. A number, or a function of the peer. Default:
   * 64 KiB inside a region; 64 MiB to other regions, where waiting for an ACK would cost a WAN
   * one-way delay at the end of every op while a copy costs well under the wire time.
   */
  copyBelowBytes?: number | ((peer: number) => number);
  /** Payloads from this size on are striped over the link's streams (default 1 MiB). */
  stripeMinBytes?: number;
  /** Longest wait for a peer's ACK of a zero-copy send (default 300 s). */
  ackTimeoutMs?: number;
  /** ZMTP heartbeats: a peer whose host vanished without closing is dropped after the timeout. */
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /**
   * How long a connection that dropped after the handshake may take to come back before the peer is
   * lost (default: timeoutMs, which init() sets to the op timeout). Within it, a flap costs time: what
   * the peer had not acknowledged is sent again. A direct link whose peer no longer listens is lost at once.
   */
  reconnectTimeoutMs?: number;
  /**
   * zeromq.js would keep a process whose program forgot close() alive forever; after this long with
   * nothing else pending in the process the transport closes itself, with a note on stderr (0: off).
   */
  closeWhenAbandonedMs?: number;
  /** The job this rank belongs to (the launcher's LONGHAUL_JOB_ID); frames of other jobs are dropped. Default: one id per topology and base port. */
  jobId?: string;
  /** What every rank must agree on, beyond the world size and topology (link rate, version, options). */
  agreement?: Agreement;
  /** CURVE keys: encrypted links that only holders of the job's keys can join. */
  curve?: CurveKeys;
  /** close() waits this long (plus the time for bytes still in flight) for peers to confirm (default 60 s). */
  closeTimeoutMs?: number;
  /** The peers to link to (default: all); the others are threads of this process (composite.ts). */
  peers?: (peer: number) => boolean;
  /** Slowest link rate assumed for the bytes still in flight at close (Mbit/s, default 10). */
  drainRateMbit?: number;
}

const POLL_MS = 5;

/**
 * Binds this rank's endpoints, dials every peer (through the emulator's proxies where the plan
 * says so), and resolves once every peer has answered the hello on every stream.
 */
export async function connectZmq(options: ConnectZmqOptions): Promise<ZmqTransport> {
  const { rank, topology, plan } = options;
  if (!Number.isInteger(rank) || rank < 0 || rank >= topology.size) {
    throw new CommError(`rank ${rank} is outside topology "${topology.spec}" of ${topology.size} ranks`, { code: "INVALID_ARGUMENT", rank, op: "connect" });
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const streams = options.streams ?? 1;
  const sameRegion = (peer: number): boolean => topology.regionOf(peer).index === topology.regionOf(rank).index;
  const copyBelow = options.copyBelowBytes ?? ((peer: number) => (sameRegion(peer) ? 64 * 1024 : 64 * 1024 * 1024));
  const transport = new ZmqTransport(rank, topology.size, (peer) => dialEndpoint(topology, plan, rank, peer), {
    streams: typeof streams === "number" ? () => streams : streams,
    copyBelowBytes: typeof copyBelow === "number" ? () => copyBelow : copyBelow,
    connects: options.peers,
  }, {
    stripeMinBytes: options.stripeMinBytes ?? 1 << 20,
    ackTimeoutMs: options.ackTimeoutMs ?? 300_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 2000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 20_000,
    reconnectTimeoutMs: options.reconnectTimeoutMs ?? timeoutMs,
  }, {
    job: jobToken(options.jobId ?? defaultJobId(plan.basePort)),
    agreement: { world: String(topology.size), topology: topology.spec, curve: options.curve ? "on" : "off", ...options.agreement },
    curve: options.curve,
    closeBaseMs: options.closeTimeoutMs ?? 60_000,
    drainRateMbit: options.drainRateMbit ?? 10,
  });
  try {
    await transport.bind(listenEndpoints(topology, plan, rank));
    transport.sayHello();
    const deadline = Date.now() + timeoutMs;
    for (let pending = transport.pendingPeers(); pending.length > 0; pending = transport.pendingPeers()) {
      if (Date.now() > deadline) throw transport.handshakeFailure ?? unreachable(rank, topology, plan, pending, timeoutMs, options.curve !== undefined);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    transport.abort();
    throw error;
  }
  transport.closeWhenAbandoned(options.closeWhenAbandonedMs ?? 10_000);
  return transport;
}

function unreachable(rank: number, topology: Topology, plan: AddressPlan, pending: number[], timeoutMs: number, curveOn: boolean): CommError {
  const shown = pending.slice(0, 8).map((p) => `${p} at ${dialEndpoint(topology, plan, rank, p)}`);
  const where = pending.length > shown.length ? `${shown.join(", ")} and ${pending.length - shown.length} more` : shown.join(", ");
  const emulator = plan.emulate ? "; with emulation on, check that the link emulator is running" : "";
  const curve = curveOn ? "; with CURVE on, check that every rank has the job's keys" : "";
  return new CommError(
    `rank ${rank}: peers ${where} did not answer within ${timeoutMs} ms; check that every rank of topology "${topology.spec}" was started with the same base port (${plan.basePort}) and that those ports are reachable${emulator}${curve}`,
    { code: "TIMEOUT", rank, peer: pending[0], op: "connect" },
  );
}
