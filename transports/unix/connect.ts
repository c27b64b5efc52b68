import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressPlan } from "../../world/addresses.js";
import { CommError } from "../../world/comm-error.js";
import { defaultJobId, jobToken, type Agreement } from "../job.js";
import type { Topology } from "../../world/topology.js";
import { UnixTransport } from "./transport.js";

export interface ConnectUnixOptions {
  rank: number;
  topology: Topology;
  plan: AddressPlan;
  /** How long to wait for every peer to link both ways (default 30 s). */
  timeoutMs?: number;
  jobId?: string;
  agreement?: Agreement;
  /** How long a peer whose connection broke may take to dial again before it is lost (default timeoutMs, which init() sets to the op timeout). */
  reconnectTimeoutMs?: number;
  /** close() waits this long (plus the time for bytes still in flight) for peers to confirm (default 60 s). */
  closeTimeoutMs?: number;
  drainRateMbit?: number;
  /** Close with the handshake when the program ends without close() (default true; the comm thread turns it off). */
  closeWhenAbandoned?: boolean;
}

/** The socket file a rank of a job listens on: in LONGHAUL_SOCKET_DIR, else LONGHAUL_IPC_DIR, else the system's temporary folder; the job's token keeps jobs apart. */
export function unixSocketPath(plan: AddressPlan, job: bigint, rank: number): string {
  return join(plan.socketDir ?? plan.ipcDir ?? tmpdir(), `longhaul-${job.toString(16).padStart(16, "0")}-${rank}.sock`);
}

/** Listens, dials every peer, and resolves once every peer is linked both ways and agreed. */
export async function connectUnix(options: ConnectUnixOptions): Promise<UnixTransport> {
  const { rank, topology, plan } = options;
  const job = jobToken(options.jobId ?? defaultJobId(plan.basePort));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = new UnixTransport(rank, topology.size, (r) => unixSocketPath(plan, job, r), {
    job,
    agreement: { world: String(topology.size), topology: topology.spec, curve: "off", ...options.agreement },
    closeBaseMs: options.closeTimeoutMs ?? 60_000,
    drainRateMbit: options.drainRateMbit ?? 10,
    reconnectTimeoutMs: options.reconnectTimeoutMs ?? timeoutMs,
  });
  try {
    await transport.start();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(transport.handshakeFailure ?? unreachable(rank, topology, transport.pendingPeers(), timeoutMs, (r) => unixSocketPath(plan, job, r))), timeoutMs);
    });
    await Promise.race([transport.linked(), timedOut]).finally(() => clearTimeout(timer));
  } catch (error) {
    transport.abort();
    throw error;
  }
  if (options.closeWhenAbandoned ?? true) transport.closeWhenAbandoned();
  return transport;
}

function unreachable(rank: number, topology: Topology, pending: number[], timeoutMs: number, path: (rank: number) => string): CommError {
  const shown = pending.slice(0, 8).map((p) => `${p} at ${path(p)}`);
  const where = pending.length > shown.length ? `${shown.join(", ")} and ${pending.length - shown.length} more` : shown.join(", ");
  return new CommError(
    `rank ${rank}: peers ${where} did not link within ${timeoutMs} ms; check that every rank of topology "${topology.spec}" runs on this host with the same job id (LONGHAUL_JOB_ID) and socket folder (LONGHAUL_IPC_DIR), and that none was started with LONGHAUL_HOST_LINKS=zmq`,
    { code: "TIMEOUT", rank, peer: pending[0], op: "connect" },
  );
}
