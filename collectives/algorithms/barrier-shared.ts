/** Barrier over the shared arena (threads transport): every rank arrives, the last one wakes the rest. */
import type { SharedArena } from "../../transports/threads/shared-arena.js";
import type { OpContext } from "../types.js";

export async function sharedBarrier(ctx: OpContext, arena: SharedArena): Promise<void> {
  const generation = arena.begin();
  arena.arrive(generation);
  await arena.waitForAll(generation, ctx.deadline, ctx.opName);
}
