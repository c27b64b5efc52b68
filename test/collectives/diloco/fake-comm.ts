import type { Communicator, NumericArray } from "../../../collectives/types.js";
import { parseTopology } from "../../../world/topology.js";

/** In-process stand-in for a Communicator: the i-th allReduce of every rank meets the others' i-th. */
export function createFakeComms(size: number): { comms: Communicator[]; calls: number[] } {
  const rounds: Array<{ parts: NumericArray[]; waiters: Array<() => void> }> = [];
  const counters = new Array(size).fill(0);
  const calls = new Array(size).fill(0);
  const topology = parseTopology(String(size));
  const collective = (rank: number, data: NumericArray, combine: (parts: NumericArray[]) => void): Promise<void> => {
    calls[rank]++;
    const k = counters[rank]++;
    const round = (rounds[k] ??= { parts: [], waiters: [] });
    round.parts[rank] = data;
    return new Promise((resolve) => {
      round.waiters.push(resolve);
      if (round.waiters.length === size) {
        combine(round.parts);
        setTimeout(() => round.waiters.forEach((w) => w()), 1);
      }
    });
  };
  const comms = Array.from({ length: size }, (_, rank) => ({
    rank, size, topology,
    async allReduce<T extends NumericArray>(data: T, options?: { op?: string }): Promise<T> {
      await collective(rank, data, (parts) => {
        const sum = new Float64Array(data.length);
        for (const p of parts) p.forEach((v, i) => (sum[i] += v));
        for (const p of parts) p.forEach((_, i) => (p[i] = options?.op === "avg" ? sum[i] / size : sum[i]));
      });
      return data;
    },
    async broadcast<T extends NumericArray>(data: T, root: number): Promise<T> {
      await collective(rank, data, (parts) => parts.forEach((p) => p.set(parts[root])));
      return data;
    },
  }) as unknown as Communicator);
  return { comms, calls };
}
