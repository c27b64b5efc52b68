/** A world's routes through the emulator, built from its address plan (the emulator itself only takes routes). */
import { describe, expect, it } from "vitest";
import { worldRoutes } from "../../launch/world-emulator.js";
import { hostOf, listenPort, proxyPort, type AddressPlan } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";

describe("worldRoutes", () => {
  const topology = parseTopology("new-york:1,london:2,asuncion:1");
  const plan: AddressPlan = { basePort: 30000, emulate: true, hosts: { london: "10.0.0.2" } };

  it("one route per (source region, rank in another region), listening at proxyPort and forwarding to the rank's address", () => {
    const routes = worldRoutes(topology, plan, "127.0.0.1");
    // new-york → 3 ranks elsewhere, london → 2, asuncion → 3.
    expect(routes).toHaveLength(8);
    const toLondon1 = routes.find((r) => r.src === 0 && r.targetPort === listenPort(plan, 1))!;
    expect(toLondon1).toEqual({ listenHost: "127.0.0.1", listenPort: proxyPort(topology, plan, 0, 1), targetHost: hostOf(topology, plan, 1), targetPort: 30001, src: 0, dst: 1 });
    expect(toLondon1.targetHost).toBe("10.0.0.2");
    expect(routes.some((r) => r.src === r.dst)).toBe(false);
    expect(new Set(routes.map((r) => r.listenPort)).size).toBe(routes.length);
  });

  it("only the source regions asked for (a node shapes its own egress)", () => {
    const routes = worldRoutes(topology, plan, "0.0.0.0", [1]);
    expect(routes.map((r) => [r.src, r.dst])).toEqual([[1, 0], [1, 2]]);
    expect(routes.every((r) => r.listenHost === "0.0.0.0")).toBe(true);
  });
});
