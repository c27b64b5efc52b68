/**
 * The ranks of this host that run as worker threads of one process (`launch --threads`): the
 * bootstrap (thread-rank-main.ts) registers this worker's place before it imports the trainer, and
 * init() takes it. Kept on globalThis under a registered symbol, so a trainer that imports its own
 * copy of longhaul still finds it.
 */
import { CommError } from "../../world/comm-error.js";
import type { ThreadPorts } from "./transport.js";

export interface ThreadWorld {
  /** Global ranks of the threads of this process, in order; this worker is ranks[index]. */
  ranks: readonly number[];
  index: number;
  /** ports[i] reaches ranks[i] (undefined at index). */
  ports: ThreadPorts;
  /** The shared arena of these threads (createSharedArena(ranks.length)). */
  shared: SharedArrayBuffer;
}

const KEY = Symbol.for("longhaul.threadWorld");
type Slot = { world: ThreadWorld; taken: boolean };
const registry = globalThis as unknown as Record<symbol, Slot | undefined>;

export function registerThreadWorld(world: ThreadWorld): void {
  registry[KEY] = { world, taken: false };
}

/** Whether this thread was started by `launch --threads` (its world not taken yet or not). */
export function inThreadWorld(): boolean {
  return registry[KEY] !== undefined;
}

/** This worker's thread world, once: its ports go to one transport. */
export function takeThreadWorld(): ThreadWorld {
  const slot = registry[KEY];
  if (!slot) throw new CommError("this thread was not started by \"longhaul launch --threads\"", { code: "INVALID_ARGUMENT", op: "init" });
  if (slot.taken) {
    throw new CommError(`rank ${slot.world.ranks[slot.world.index]}: init() was already called in this worker thread and its links went to that communicator; keep one communicator per rank`, { code: "INVALID_ARGUMENT", rank: slot.world.ranks[slot.world.index], op: "init" });
  }
  slot.taken = true;
  return slot.world;
}
