/**
 * The lighthouse of one launched job: for an emulated job, each new epoch's world gets its routes
 * through the emulator (the larger world's links, so faults and token buckets are shared) before
 * its quorum is announced; the routes of epochs two back are closed (their ports come round again
 * after EPOCH_PORT_BLOCKS epochs).
 */
import type { Emulator } from "../../netem/emulator/emulator.js";
import type { AddressPlan } from "../../world/addresses.js";
import type { Topology } from "../../world/topology.js";
import { worldRoutes } from "../world-emulator.js";
import { epochWorld } from "./epoch-world.js";
import { startLighthouse, type Lighthouse } from "./lighthouse.js";

export interface JobLighthouseOptions {
  topology: Topology;
  plan: AddressPlan;
  emulator?: Emulator;
  /** Where the emulator listens for the ranks (default 127.0.0.1). */
  listenHost?: string;
  minMembers?: number;
  deadAfterMs?: number;
  log?: (line: string) => void;
}

export async function startJobLighthouse(options: JobLighthouseOptions): Promise<Lighthouse> {
  const { topology, plan, emulator } = options;
  const open: Array<{ close(): Promise<void> }> = [];
  const lighthouse = await startLighthouse({
    size: topology.size,
    minMembers: options.minMembers,
    deadAfterMs: options.deadAfterMs,
    log: options.log,
    prepare: emulator && (async (quorum) => {
      const sub = epochWorld(topology, plan.basePort, true, quorum.epoch, quorum.members);
      const routes = worldRoutes(sub.topology, { ...plan, basePort: sub.basePort }, options.listenHost ?? "127.0.0.1", undefined, sub.sites);
      open.push(await emulator.addRoutes(routes));
      while (open.length > 2) await open.shift()!.close();
    }),
  });
  return {
    address: lighthouse.address,
    events: lighthouse.events,
    gone: (rank) => lighthouse.gone(rank),
    close: () => {
      lighthouse.close();
      for (const routes of open) void routes.close();
    },
  };
}
