/**
 * Two hosts as two network namespaces joined by a veth pair (addresses 10.78.0.1 and 10.78.0.2 exist
 * only inside them), one `longhaul launch --nnodes 2` in each, started 20 s apart, the link between
 * them shaped by each node's userspace emulator. The namespaces are removed at the end.
 */
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUseNetns, ip } from "../netem/netns.js";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../fixtures/node-sweep.mjs", import.meta.url).pathname;
const HOSTS = [
  { ns: "lh-test-host-a", addr: "10.78.0.1", dev: "lhh0", region: "new-york" },
  { ns: "lh-test-host-b", addr: "10.78.0.2", dev: "lhh1", region: "chicago" },
];
const usable = canUseNetns();

async function removeHosts(): Promise<void> {
  for (const h of HOSTS) await execa("ip", ["netns", "del", h.ns], { reject: false });
}

describe.skipIf(!usable)(`two hosts as network namespaces${usable ? "" : " (skipped: needs root and `ip netns`)"}`, () => {
  beforeAll(async () => {
    await removeHosts();
    for (const h of HOSTS) await ip("netns", "add", h.ns);
    await ip("link", "add", HOSTS[0].dev, "netns", HOSTS[0].ns, "type", "veth", "peer", "name", HOSTS[1].dev, "netns", HOSTS[1].ns);
    for (const h of HOSTS) {
      await ip("-n", h.ns, "addr", "add", `${h.addr}/24`, "dev", h.dev);
      for (const dev of ["lo", h.dev]) await ip("-n", h.ns, "link", "set", dev, "up");
    }
  });
  afterAll(removeHosts);

  it("2 hosts × 2 ranks, the second started 20 s late: every algorithm and size exact, auto the same on every rank, DiLoCo in step", async () => {
    const launch = (h: (typeof HOSTS)[number]): ResultPromise =>
      execa("ip", ["netns", "exec", h.ns, "node", MAIN, "launch", "--nnodes", "2", "--nproc-per-node", "2", "--master-addr", HOSTS[0].addr, "--region", h.region, "--emulate", "--rate", "1gbit", "--", "node", FIXTURE, "sweep"], {
        reject: false,
        timeout: 120_000,
        env: { LONGHAUL_TIMEOUT_MS: "20000" },
      });
    const first = launch(HOSTS[0]);
    await new Promise((r) => setTimeout(r, 20_000));
    const results = await Promise.all([first, launch(HOSTS[1])]);
    for (const r of results) expect(r.exitCode, results.map((x) => x.stderr).join("\n----\n")).toBe(0);
    const rows = results.flatMap((r) => r.stdout.split("\n").filter((l) => l.includes("{")).map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Record<string, unknown>));
    expect(rows.map((r) => r.rank).sort()).toEqual([0, 1, 2, 3]);
    for (const r of rows) expect(r.wrong).toBe(0);
    expect(new Set(rows.map((r) => JSON.stringify(r.auto))).size).toBe(1);
    expect(new Set(rows.map((r) => r.dilocoChecksum)).size).toBe(1);
    expect(results[1].stderr).toMatch(/node 1 of 2 \(chicago, 10\.78\.0\.2\): ranks 2-3 of 4, topology new-york:2,chicago:2/);
  }, 150_000);
});
