import { describe, expect, it } from "vitest";
import { interfaceWithAddress, resolveHosts } from "../../docker/resolve.js";

describe("resolveHosts (LONGHAUL_HOSTS names to IPs, waiting for Swarm tasks)", () => {
  it("keeps IPs, resolves names, and waits for a name that appears later", async () => {
    let calls = 0;
    const waits: string[][] = [];
    const hosts = await resolveHosts(
      { "new-york": "10.0.1.9", chicago: "tasks.chicago" },
      {
        timeoutMs: 10_000,
        reportEveryMs: 0,
        onWait: (pending) => waits.push([...pending]),
        lookupAddress: async (name) => {
          calls++;
          if (name !== "tasks.chicago" || calls < 3) throw new Error("ENOTFOUND");
          return "10.0.1.3";
        },
      },
    );
    expect(hosts).toEqual({ "new-york": "10.0.1.9", chicago: "10.0.1.3" });
    expect(calls).toBe(3);
    expect(waits[0]).toEqual(["chicago=tasks.chicago"]);
  });

  it("resolves a real name (localhost) through the system resolver", async () => {
    expect(await resolveHosts({ a: "localhost" }, { timeoutMs: 5000 })).toEqual({ a: "127.0.0.1" });
  });

  it("fails naming the region and host that never resolved, and what to check", async () => {
    const failing = resolveHosts({ london: "tasks.london", asuncion: "10.0.1.7" }, { timeoutMs: 600, lookupAddress: () => Promise.reject(new Error("ENOTFOUND")) });
    await expect(failing).rejects.toThrow(/did not resolve within 1 s: london=tasks\.london; check that those services run/);
  });
});

describe("interfaceWithAddress (which interface to shape)", () => {
  const fake = {
    lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" }],
    eth0: [{ address: "172.18.0.3", netmask: "255.255.0.0", family: "IPv4", mac: "02:42:ac:12:00:03", internal: false, cidr: "172.18.0.3/16" }],
    eth1: [{ address: "10.0.1.9", netmask: "255.255.255.0", family: "IPv4", mac: "02:42:0a:00:01:09", internal: false, cidr: "10.0.1.9/24" }],
  } as const;
  it("finds the overlay interface by its address, whatever its name", () => {
    expect(interfaceWithAddress("10.0.1.9", fake as never)).toBe("eth1");
    expect(interfaceWithAddress("10.0.1.99", fake as never)).toBeUndefined();
  });
  it("finds loopback on this machine", () => {
    expect(interfaceWithAddress("127.0.0.1")).toBe("lo");
  });
});
