/**
 * One rank's part of `longhaul bench soak`: many consecutive all-reduces of one size, with this
 * process's resident memory and live handles (timers, sockets, ports) taken after the warm-up and at
 * the end, each after a full garbage collection, so growth means something was kept.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Communicator } from "../collectives/types.js";

export interface SoakConfig {
  ops: number;
  bytes: number;
  warmup: number;
}

export interface SoakResult {
  kind: "soak";
  rank: number;
  ops: number;
  msPerOp: number;
  rssAfterWarmup: number;
  rssEnd: number;
  /** RSS after each tenth of the ops (after a full collection): growth that flattens is the allocator settling, growth that keeps on is a leak. */
  rssByTenth: number[];
  /** Live handles by type (process.getActiveResourcesInfo), after the warm-up and at the end. */
  resourcesAfterWarmup: Record<string, number>;
  resourcesEnd: Record<string, number>;
  /** Elements that differed from the closed-form sum, over every checked op. */
  wrong: number;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Checks every element on this many ops (and the first and last element on every op). */
const FULL_CHECK_EVERY = 100;

export async function runRankSoak(comm: Communicator, config: SoakConfig): Promise<SoakResult> {
  const data = new Float32Array(config.bytes / 4);
  const expected = (comm.size * (comm.size + 1)) / 2;
  let wrong = 0;
  const once = async (i: number): Promise<void> => {
    data.fill(comm.rank + 1);
    await comm.allReduce(data, { op: "sum" });
    if (i % FULL_CHECK_EVERY === 0) for (const v of data) wrong += v === expected ? 0 : 1;
    else wrong += (data[0] === expected ? 0 : 1) + (data[data.length - 1] === expected ? 0 : 1);
  };
  for (let i = 0; i < config.warmup; i++) await once(i);
  await comm.barrier();
  const [rssAfterWarmup, resourcesAfterWarmup] = settledMemory();
  const rssByTenth: number[] = [];
  const tenth = Math.max(1, Math.floor(config.ops / 10));
  let busyMs = 0;
  for (let i = 0; i < config.ops; i++) {
    const started = performance.now();
    await once(i);
    busyMs += performance.now() - started;
    if ((i + 1) % tenth === 0 && rssByTenth.length < 10) rssByTenth.push(settledMemory()[0]);
  }
  const msPerOp = busyMs / config.ops;
  await comm.barrier();
  const [rssEnd, resourcesEnd] = settledMemory();
  return { kind: "soak", rank: comm.rank, ops: config.ops, msPerOp, rssAfterWarmup, rssEnd, rssByTenth, resourcesAfterWarmup, resourcesEnd, wrong };
}

function settledMemory(): [number, Record<string, number>] {
  gc();
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  return [process.memoryUsage.rss(), resources];
}
