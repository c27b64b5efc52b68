import { describe, expect, it } from "vitest";
import { egressCommands, egressDestinations } from "../../docker/shaping.js";
import { readContainerEnv } from "../../docker/env.js";
import { linkProfilesFor } from "../../netem/pairs.js";
import { perDestinationCommands } from "../../netem/tc/builder.js";
import { parseTopology } from "../../world/topology.js";

const HOSTS = { "new-york": "172.29.77.11", chicago: "172.29.77.12", london: "172.29.77.13", asuncion: "172.29.77.14" };
const topology = parseTopology("continents:2");

describe("container egress shaping (through the netem tc builder)", () => {
  it("new-york shapes towards the three other continents, by their IPs, with the distance model's delays", () => {
    const dests = egressDestinations({ topology, self: "new-york", hosts: HOSTS, dev: "eth0", profile: { rateMbit: 1000 } });
    expect(dests.map((d) => d.ip)).toEqual(["172.29.77.12", "172.29.77.13", "172.29.77.14"]);
    const matrix = linkProfilesFor(topology, { rateMbit: 1000 });
    expect(dests.map((d) => d.profile)).toEqual([matrix.profile(0, 1), matrix.profile(0, 2), matrix.profile(0, 3)]);
    // Farther continents get longer delays: Chicago (~1,150 km) < London (~5,570 km) < Asunción (~7,900 km).
    const delays = dests.map((d) => d.profile.delayMs);
    expect(delays[0]).toBeLessThan(delays[1]);
    expect(delays[1]).toBeLessThan(delays[2]);
    expect(delays[0]).toBeGreaterThan(5);
  });

  it("emits the per-destination htb/u32/netem tree, one class + netem leaf + filter per continent", () => {
    const spec = { topology, self: "london", hosts: HOSTS, dev: "eth0", profile: { rateMbit: 1000 } };
    const commands = egressCommands(spec);
    expect(commands).toEqual(perDestinationCommands("eth0", egressDestinations(spec)));
    const text = commands.map((c) => c.join(" "));
    expect(text[0]).toBe("tc qdisc replace dev eth0 root handle 1: htb default 1");
    expect(text.filter((t) => t.includes(" netem "))).toHaveLength(3);
    expect(text.filter((t) => t.startsWith("tc filter replace dev eth0"))).toHaveLength(3);
    expect(text.some((t) => t.includes("match ip dst 172.29.77.13/32"))).toBe(false);
    expect(text).toContain("tc filter replace dev eth0 parent 1: protocol ip prio 1 handle 800::10 u32 match ip dst 172.29.77.11/32 flowid 1:10");
    const toNewYork = text.find((t) => t.startsWith("tc qdisc replace dev eth0 parent 1:10 "))!;
    expect(toNewYork).toMatch(/netem limit \d+ delay [\d.]+ms rate 1gbit$/);
  });

  it("names a missing address or an unknown region in its error", () => {
    expect(() => egressDestinations({ topology, self: "tokyo", hosts: HOSTS, dev: "eth0" })).toThrow(/LONGHAUL_REGION/);
    const { asuncion: _, ...partial } = HOSTS;
    expect(() => egressDestinations({ topology, self: "london", hosts: partial, dev: "eth0" })).toThrow(/asuncion=IP/);
  });
});

describe("container environment", () => {
  it("reads region, hosts, ranks per region and the run flags", () => {
    const env = readContainerEnv({
      LONGHAUL_REGION: "chicago",
      LONGHAUL_HOSTS: "new-york=172.29.77.11, chicago=172.29.77.12",
      LONGHAUL_RANKS_PER_REGION: "3",
      LONGHAUL_SIZES: "4K,1M",
      LONGHAUL_ITERS: "",
      LONGHAUL_DISTANCE_TO: "none",
      LONGHAUL_BASELINE: "0",
    });
    expect(env).toMatchObject({ region: "chicago", topology: "continents:3", backend: "auto", resultsDir: "/results" });
    // Unset, the entrypoint picks the interface holding the region's address (docker/resolve.ts).
    expect(env.dev).toBeUndefined();
    expect(readContainerEnv({ LONGHAUL_REGION: "chicago", LONGHAUL_DEV: " eth1 " }).dev).toBe("eth1");
    expect(env.hosts).toEqual({ "new-york": "172.29.77.11", chicago: "172.29.77.12" });
    expect(env.runArgs).toEqual(["--sizes", "4K,1M", "--distance-to", "none", "--no-baseline"]);
  });

  it("rejects what it cannot use, saying what to set", () => {
    expect(() => readContainerEnv({})).toThrow(/LONGHAUL_REGION/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_HOSTS: "new-york" })).toThrow(/REGION=HOST/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_RANKS_PER_REGION: "0" })).toThrow(/RANKS_PER_REGION/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_BACKEND: "magic" })).toThrow(/BACKEND/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_RATE: "1 gigabit" })).toThrow(/LONGHAUL_RATE "1 gigabit" has unknown unit "gigabit"/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_ITERS: "0" })).toThrow(/LONGHAUL_ITERS "0" is not a whole number >= 1/);
    expect(() => readContainerEnv({ LONGHAUL_REGION: "x", LONGHAUL_SIZES: "5 parsecs" })).toThrow(/LONGHAUL_SIZES "5 parsecs"/);
  });
});
