/** Runs one function per rank over the in-memory transport (fast unit tests only). */
import { createCommunicator, type CommunicatorOptions } from "../../collectives/communicator.js";
import type { Communicator } from "../../collectives/types.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { parseTopology } from "../../world/topology.js";

export function memoryComms(size: number, options: CommunicatorOptions = {}): Communicator[] {
  const topology = parseTopology(String(size));
  return createMemoryWorld(size).map((t) => createCommunicator(t, topology, options));
}

export async function inWorld<T>(size: number, fn: (comm: Communicator, rank: number) => Promise<T>, options?: CommunicatorOptions): Promise<T[]> {
  return Promise.all(memoryComms(size, options).map((comm, rank) => fn(comm, rank)));
}

/** Settles every rank's promise, so a test can look at each rank's error. */
export async function settleWorld<T>(size: number, fn: (comm: Communicator, rank: number) => Promise<T>, options?: CommunicatorOptions) {
  return Promise.allSettled(memoryComms(size, options).map((comm, rank) => fn(comm, rank)));
}
