import { describe, expect, it } from "vitest";
import { shapeEgress } from "../../docker/backend.js";
import { egressCommands } from "../../docker/shaping.js";
import { NetemError } from "../../netem/errors.js";
import type { Command } from "../../netem/tc/builder.js";
import { proxyPort } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";
import { connect } from "node:net";
import { freeBase } from "./free-ports.js";

const HOSTS = { "new-york": "172.29.77.11", chicago: "172.29.77.12", london: "172.29.77.13", asuncion: "172.29.77.14" };
const topology = parseTopology("continents:2");

// Ranks at basePort+r, the emulator's proxies above them.
const basePort = await freeBase(26300, 26500, 40);
const base = { topology, region: "chicago", hosts: HOSTS, dev: "eth0", basePort, rateMbit: 1000 };

function fakeTc(fail?: NetemError) {
  const calls: { applied: Command[][]; cleared: string[]; ran: string[] } = { applied: [], cleared: [], ran: [] };
  const tc = {
    run: async (command: Command) => void calls.ran.push(command.join(" ")),
    apply: async (_dev: string, commands: readonly Command[]) => {
      calls.applied.push([...commands]);
      if (fail) throw fail;
    },
    clear: (dev: string) => void calls.cleared.push(dev),
  };
  return { tc, calls };
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => (socket.destroy(), resolve(true)));
    socket.on("error", () => resolve(false));
  });

describe("shapeEgress", () => {
  it("applies the per-destination netem tree where the kernel has netem, and clears it on close", async () => {
    const { tc, calls } = fakeTc();
    const shaped = await shapeEgress({ ...base, backend: "auto", probe: () => ({ available: true, reason: "built in" }), tc });
    expect(shaped.backend).toBe("netem");
    expect(calls.applied).toEqual([egressCommands({ topology, self: "chicago", hosts: HOSTS, dev: "eth0", profile: { rateMbit: 1000 } })]);
    expect(shaped.line).toMatch(/^longhaul\[chicago\]: shaping eth0 with tc netem towards 3 continents/);
    // A schedule's faults on chicago's egress change that destination's leaf (london is its 2nd destination,
    // class 1:11); a fault on another region's egress is that container's to lay.
    shaped.faults.impair(1, 2, "faults[0]", { down: true });
    shaped.faults.impair(2, 1, "faults[0]", { down: true });
    shaped.faults.impair(1, 2, "faults[0]", undefined);
    await (shaped.faults as unknown as { settled(): Promise<void> }).settled();
    expect(calls.ran[0]).toBe("tc qdisc replace dev eth0 parent 1:11 handle 11: pfifo limit 0");
    expect(calls.ran[1]).toMatch(/^tc qdisc replace dev eth0 parent 1:11 handle 11: netem limit \d+ delay [\d.]+ms rate 1gbit$/);
    expect(calls.ran).toHaveLength(2);
    await shaped.close();
    expect(calls.cleared).toEqual(["eth0"]);
  });

  it("falls back to the userspace emulator in one line when the netem leaf is refused, removing the half-built tree", async () => {
    const refused = new NetemError("cannot shape with tc netem: …; load it", { code: "NO_NETEM", stderr: "Specified qdisc kind is unknown." });
    const { tc, calls } = fakeTc(refused);
    const shaped = await shapeEgress({ ...base, backend: "auto", probe: () => ({ available: undefined, reason: "cannot tell" }), tc });
    try {
      expect(shaped.backend).toBe("userspace");
      expect(shaped.line).toBe("longhaul[chicago]: NO sch_netem in this kernel (Specified qdisc kind is unknown.) — falling back to the userspace link emulator for this container's egress");
      expect(shaped.line.includes("\n")).toBe(false);
      expect(calls.cleared).toEqual(["eth0"]);
      // chicago (region 1) → rank 4 in london: its proxy listens for chicago's ranks.
      expect(await listening(proxyPort(topology, { basePort }, 1, 4))).toBe(true);
    } finally {
      await shaped.close();
    }
    expect(await listening(proxyPort(topology, { basePort }, 1, 4))).toBe(false);
  });

  it("does not touch tc when the probe says no netem, and refuses LONGHAUL_BACKEND=netem there", async () => {
    const { tc, calls } = fakeTc();
    const probe = () => ({ available: false, reason: "kernel built without sch_netem" });
    const shaped = await shapeEgress({ ...base, backend: "auto", probe, tc });
    await shaped.close();
    expect(shaped.line).toContain("NO sch_netem in this kernel (kernel built without sch_netem)");
    expect(calls.applied).toEqual([]);
    await expect(shapeEgress({ ...base, backend: "netem", probe, tc })).rejects.toMatchObject({ code: "NO_NETEM" });
  });
});
