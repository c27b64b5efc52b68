/** Small ZeroMQ worlds inside the test process, for wire-level tests (the integration tests use real processes). */
import { expect } from "vitest";
import { createCommunicator } from "../../collectives/communicator.js";
import type { Communicator } from "../../collectives/types.js";
import type { CommError } from "../../world/comm-error.js";
import { parseTopology } from "../../world/topology.js";
import { connectZmq, type ConnectZmqOptions } from "../../transports/zmq/connect.js";
import type { ZmqTransport } from "../../transports/zmq/transport.js";

export interface ZmqWorld {
  transports: ZmqTransport[];
  comms: Communicator[];
  close(): Promise<void>;
}

export async function zmqWorld(size: number, basePort: number, extra: Partial<ConnectZmqOptions> | ((rank: number) => Partial<ConnectZmqOptions>) = {}): Promise<ZmqWorld> {
  const topology = parseTopology(String(size));
  const options = typeof extra === "function" ? extra : () => extra;
  const transports = await Promise.all(Array.from({ length: size }, (_, rank) => connectZmq({ rank, topology, plan: { basePort }, timeoutMs: 10_000, ...options(rank) })));
  const comms = transports.map((t) => createCommunicator(t, topology, { timeoutMs: 10_000 }));
  return { transports, comms, close: async () => void (await Promise.allSettled(comms.map((c) => c.close()))) };
}

/** Every rank's connect was refused with MISMATCH naming the link rate that rank 2 was given differently. */
export function expectLinkRateMismatch(results: PromiseSettledResult<unknown>[]): void {
  for (const [rank, result] of results.entries()) {
    expect(result.status, `rank ${rank}`).toBe("rejected");
    const error = (result as PromiseRejectedResult).reason as CommError;
    expect(error.code).toBe("MISMATCH");
    expect(error.message).toMatch(/disagrees on LONGHAUL_LINK_RATE_MBIT: it has "(100|1000)", this rank "(100|1000)"/);
  }
}

/** All-reduces [rank + 1, …] of `n` floats on every rank; true when every rank got the exact sum. */
export async function allReduceExact(comms: Communicator[], n = 1000): Promise<boolean> {
  const size = comms.length;
  const results = await Promise.all(
    comms.map(async (comm, rank) => {
      const data = Float32Array.from({ length: n }, (_, i) => (rank + 1) * (i % 7));
      await comm.allReduce(data, { op: "sum" });
      return data.every((v, i) => v === ((size * (size + 1)) / 2) * (i % 7));
    }),
  );
  return results.every(Boolean);
}
