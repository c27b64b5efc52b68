/**
 * docker/stack.yaml read offline (the real deploy is test:swarm, which needs an engine): the four
 * continents as services that find each other by task name, with what `docker stack deploy` needs.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseHosts } from "../../world/env.js";
import { parseTopology } from "../../world/topology.js";

interface StackService {
  image?: string;
  build?: unknown;
  cap_add?: string[];
  networks?: string[];
  environment?: Record<string, string>;
  volumes?: Array<{ type: string; source: string; target: string }>;
  deploy?: { replicas?: number; restart_policy?: { condition?: string }; endpoint_mode?: string; placement?: { constraints?: string[] } };
}

const stack = parse(await readFile("docker/stack.yaml", "utf8"), { merge: true }) as {
  services: Record<string, StackService>;
  networks: Record<string, { driver?: string; attachable?: boolean }>;
};

describe("docker/stack.yaml (offline)", () => {
  const topology = parseTopology("continents:2");
  const regions = topology.regions.map((r) => r.name);

  it("has one service per continent, each holding its own region, run once, with NET_ADMIN, on the attachable overlay", () => {
    expect(Object.keys(stack.services).sort()).toEqual([...regions].sort());
    for (const [name, service] of Object.entries(stack.services)) {
      expect(service.environment?.LONGHAUL_REGION).toBe(name);
      expect(service.build).toBeUndefined(); // stack deploy ignores build:, the image is built beforehand
      expect(service.image).toBe("${LONGHAUL_IMAGE:-longhaul:local}");
      expect(service.cap_add).toEqual(["NET_ADMIN"]);
      expect(service.deploy).toMatchObject({ replicas: 1, restart_policy: { condition: "none" } });
      expect(service.networks).toEqual(["wan"]);
    }
    expect(stack.networks.wan).toEqual({ driver: "overlay", attachable: true });
  });

  it("addresses every continent by its task name (no virtual IP: this kernel has no IPVS), the same table everywhere", () => {
    const tables = new Set(Object.values(stack.services).map((s) => s.environment?.LONGHAUL_HOSTS));
    expect(tables.size).toBe(1);
    const hosts = parseHosts([...tables][0], topology);
    expect(hosts).toEqual(Object.fromEntries(regions.map((r) => [r, `tasks.${r}`])));
    expect(Object.values(stack.services).every((s) => s.deploy?.endpoint_mode === undefined)).toBe(true);
  });

  it("mounts the results folder only where the report is written (new-york, rank 0's region), placed by a variable", () => {
    expect(regions[0]).toBe("new-york");
    for (const [name, service] of Object.entries(stack.services)) {
      if (name !== "new-york") expect(service.volumes).toBeUndefined();
    }
    const newYork = stack.services["new-york"];
    expect(newYork.volumes).toEqual([{ type: "bind", source: "${LONGHAUL_RESULTS_DIR:-/tmp/longhaul-results}", target: "/results" }]);
    expect(newYork.deploy?.placement?.constraints).toEqual(["${LONGHAUL_NEW_YORK_CONSTRAINT:-node.platform.os == linux}"]);
  });
});
