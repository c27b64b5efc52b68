import { startWorldEmulator } from "../launch/world-emulator.js";
import { onProcessEnd } from "../netem/cleanup.js";
import { NetemError } from "../netem/errors.js";
import { probeNetem, type NetemProbe } from "../netem/tc/probe.js";
import { applyCommands, clearDeviceSync } from "../netem/tc/runner.js";
import { TcFaultTarget } from "../netem/tc/fault-target.js";
import type { Command } from "../netem/tc/builder.js";
import type { ImpairTarget } from "../netem/faults/types.js";
import type { AddressPlan } from "../world/addresses.js";
import type { Topology } from "../world/topology.js";
import { egressCommands, egressDestinations } from "./shaping.js";

export interface ShapedEgress {
  readonly backend: "netem" | "userspace";
  /** What was decided and why, in one line (printed by the entrypoint). */
  readonly line: string;
  /** Where a fault schedule's link faults go: this container's tc tree, or its emulator. */
  readonly faults: ImpairTarget;
  close(): Promise<void>;
}

export interface ShapeOptions {
  readonly topology: Topology;
  readonly region: string;
  readonly hosts: Readonly<Record<string, string>>;
  readonly dev: string;
  readonly basePort: number;
  readonly rateMbit?: number;
  readonly backend: "auto" | "netem" | "userspace";
  /** For tests: the netem probe result and the functions with side effects. */
  readonly probe?: () => NetemProbe;
  readonly tc?: { apply: typeof applyCommands; clear: (dev: string) => void; run?: (command: Command) => Promise<unknown> };
}

/**
 * Shapes this container's egress to every other continent: the per-destination netem tree where
 * the kernel has sch_netem; otherwise (or with backend "userspace") the userspace emulator's
 * proxies for this container's ranks, which dial them on 127.0.0.1 and are forwarded to the other
 * containers' addresses. Every container runs proxies for its own egress only in use: its ranks
 * never dial another region's proxy ports.
 */
export async function shapeEgress(options: ShapeOptions): Promise<ShapedEgress> {
  const { topology, region, hosts, dev } = options;
  const tc = options.tc ?? { apply: applyCommands, clear: (d: string) => clearDeviceSync(d) };
  let reason = "LONGHAUL_BACKEND=userspace";
  if (options.backend !== "userspace") {
    const probe = (options.probe ?? probeNetem)();
    if (probe.available !== false) {
      const spec = { topology, self: region, hosts, dev, profile: { rateMbit: options.rateMbit } };
      const commands = egressCommands(spec);
      try {
        await tc.apply(dev, commands);
        const forget = onProcessEnd(() => tc.clear(dev));
        const self = topology.regions.findIndex((r) => r.name === region);
        const others = topology.regions.filter((r) => r.index !== self);
        // egressDestinations lists the other regions in order: the i-th is the tree's i-th destination.
        const destinations = new Map(egressDestinations(spec).map((d, index) => [others[index].index, { index, ip: d.ip, profile: d.profile }]));
        return {
          backend: "netem",
          faults: new TcFaultTarget({ dev, self, destinations, ...(tc.run && { run: tc.run }) }),
          line: `longhaul[${region}]: shaping ${dev} with tc netem towards ${topology.regions.length - 1} continents (${commands.length} tc commands)`,
          close: async () => {
            forget();
            tc.clear(dev);
          },
        };
      } catch (error) {
        // Leave no half-built tree behind (htb and filters went in before the netem leaf failed).
        tc.clear(dev);
        if (!(error instanceof NetemError) || error.code !== "NO_NETEM" || options.backend === "netem") throw error;
        reason = error.stderr?.trim() || error.message.split(";")[0];
      }
    } else {
      if (options.backend === "netem") throw new NetemError(`LONGHAUL_BACKEND=netem but ${probe.reason}; load sch_netem on the host or set LONGHAUL_BACKEND=auto`, { code: "NO_NETEM" });
      reason = probe.reason;
    }
  }
  const plan: AddressPlan = { basePort: options.basePort, hosts, emulate: true };
  const emulator = await startWorldEmulator({ topology, plan, rateMbit: options.rateMbit });
  const line =
    options.backend === "userspace"
      ? `longhaul[${region}]: shaping egress with the userspace link emulator (LONGHAUL_BACKEND=userspace)`
      : `longhaul[${region}]: NO sch_netem in this kernel (${reason}) — falling back to the userspace link emulator for this container's egress`;
  return { backend: "userspace", line, faults: emulator, close: () => emulator.close() };
}
