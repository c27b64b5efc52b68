/**
 * init() inside a `launch --threads` worker: the peers that are threads of this process get the
 * threads transport over the ports and arena the launcher handed over; peers on other nodes get
 * ZeroMQ (with the job id and agreement as ever). A world of one node opens no socket at all.
 */
import { CompositeTransport, type AbortableTransport } from "../composite.js";
import type { RankEnv } from "../../world/env.js";
import { invalidArgument } from "../../world/comm-error.js";
import { takeThreadWorld } from "./world.js";
import { ThreadTransport } from "./transport.js";

/** Connects ZeroMQ links to the peers `peers` accepts (init.ts's connectRank). */
export type ConnectRemote = (peers: (peer: number) => boolean) => Promise<AbortableTransport>;

export async function connectThreadRank(world: RankEnv, connectRemote: ConnectRemote): Promise<AbortableTransport> {
  const threads = takeThreadWorld();
  const { ranks, index } = threads;
  if (ranks[index] !== world.rank) {
    throw invalidArgument(`this worker thread was launched as rank ${ranks[index]} but init() was told rank ${world.rank}; leave RANK and { rank } as the launcher set them`, "init");
  }
  const local = new ThreadTransport(index, ranks.length, threads.ports, { shared: threads.shared, unref: true });
  const size = world.topology.size;
  if (ranks.length === size && ranks.every((rank, i) => rank === i)) return local;
  const isLocal = new Set(ranks);
  let remote: AbortableTransport;
  try {
    remote = await connectRemote((peer) => !isLocal.has(peer));
  } catch (error) {
    await local.close();
    throw error;
  }
  return new CompositeTransport(world.rank, size, ranks, local, remote);
}
