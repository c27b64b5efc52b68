import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetemError } from "../../netem/errors.js";
import { ingressCommands, perDestinationCommands, singleLinkCommands } from "../../netem/tc/builder.js";
import { hasNetem, probeNetem } from "../../netem/tc/probe.js";
import { applyCommands, clearDevice, prefixed, runCommand, showDevice } from "../../netem/tc/runner.js";
import { canUseNetns, inNs, makeNetns, removeNetns } from "./netns.js";

const ns = `lh-test-${process.pid}-tc`;
const target = { netns: ns };
const dev = "lhv0";
const tree = perDestinationCommands(dev, [
  { ip: "10.77.5.2", profile: { delayMs: 47.671, rateMbit: 1000 } },
  { ip: "10.77.5.3", profile: { delayMs: 63.037, rateMbit: 1000 } },
]);
const withoutNetem = (commands: readonly (readonly string[])[]) => commands.filter((c) => !c.includes("netem"));

describe("runner argv", () => {
  it("prefixes commands for a namespace or a container", () => {
    expect(prefixed(["tc", "qdisc", "show"], { netns: "a" })).toEqual(["ip", "netns", "exec", "a", "tc", "qdisc", "show"]);
    expect(prefixed(["tc", "qdisc", "show"], { container: "london" })).toEqual(["docker", "exec", "london", "tc", "qdisc", "show"]);
    expect(() => prefixed(["tc"], { netns: "a", container: "b" })).toThrow(/not both/);
  });

  it("reads the kernel config for sch_netem", () => {
    const probe = probeNetem();
    expect(typeof probe.reason).toBe("string");
    expect(hasNetem()).toBe(probe.available === true);
  });
});

describe.skipIf(!canUseNetns())("real tc in a throwaway network namespace (skipped: needs root and ip netns)", () => {
  beforeAll(() => makeNetns(ns, 5));
  afterAll(() => removeNetns(ns));

  it("accepts the htb/u32 tree, twice (idempotent), and clears it", async () => {
    for (let i = 0; i < 2; i++) await applyCommands(dev, withoutNetem(tree), target);
    const shown = await showDevice(dev, target);
    expect(shown).toMatch(/qdisc htb 1: root/);
    expect(shown).toMatch(/class htb 1:10 /);
    expect(shown).toMatch(/class htb 1:11 /);
    expect(shown.match(/fh 800::10 /g)).toHaveLength(1);
    expect(shown.match(/fh 800::11 /g)).toHaveLength(1);
    await clearDevice(dev, target);
    await clearDevice(dev, target);
    expect(await showDevice(dev, target)).not.toMatch(/htb|ingress/);
  });

  it("accepts ingress shaping through ifb, and clear removes the ifb too", async () => {
    await applyCommands(dev, withoutNetem(ingressCommands(dev, { delayMs: 40, rateMbit: 100 })), target);
    expect(await inNs(ns, "tc", "filter", "show", "dev", dev, "ingress")).toMatch(/mirred \(Egress Redirect to device ifb-lhv0\)/);
    expect(await inNs(ns, "ip", "link", "show")).toMatch(/ifb-lhv0/);
    await clearDevice(dev, target);
    expect(await inNs(ns, "ip", "link", "show")).not.toMatch(/ifb-lhv0/);
    expect(await inNs(ns, "tc", "qdisc", "show", "dev", dev)).not.toMatch(/ingress/);
  });

  it.skipIf(hasNetem())("the netem leaf gives NO_NETEM saying what to do, not tc's message", async () => {
    await expect(applyCommands(dev, tree, target)).rejects.toMatchObject({ code: "NO_NETEM" });
    await applyCommands(dev, withoutNetem(tree), target);
    const leaf = tree.find((c) => c.includes("netem"))!;
    const error: unknown = await runCommand(leaf, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetemError);
    expect(error).toMatchObject({ code: "NO_NETEM", stderr: expect.stringMatching(/Specified qdisc kind is unknown/) });
    expect((error as Error).message).toMatch(/modprobe sch_netem/);
    expect((error as Error).message).toMatch(/--emulate/);
    await clearDevice(dev, target);
  });

  it("maps other tc failures to TC_FAILED with the command", async () => {
    const error = await runCommand(["tc", "qdisc", "show", "dev", "nope0"], target).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TC_FAILED", command: ["tc", "qdisc", "show", "dev", "nope0"] });
  });

  it.each(["SIGTERM", "SIGINT"] as const)("a process killed with %s leaves no stray qdisc", async (signal) => {
    const child = execa("node", [new URL("./fixtures/apply-and-wait.mjs", import.meta.url).pathname, ns, dev], { reject: false });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => String(d).includes("applied") && resolve());
      void child.then((r) => reject(new Error(`fixture exited early: ${r.stderr}`)));
    });
    expect(await inNs(ns, "tc", "qdisc", "show", "dev", dev)).toMatch(/htb 1:/);
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(signal === "SIGTERM" ? 143 : 130);
    expect(await inNs(ns, "tc", "qdisc", "show", "dev", dev)).not.toMatch(/htb/);
  });

  it.skipIf(!hasNetem())("applies full netem and measures the RTT (skipped: no sch_netem in this kernel)", async () => {
    await applyCommands(dev, singleLinkCommands(dev, { delayMs: 20 }), target);
    try {
      // lhv0 and lhv1 sit in the same namespace; route through the veth pair by binding to lhv0's address.
      const script = `const net=require("net");const s=net.createServer(c=>c.pipe(c)).listen(23390,"10.77.5.2",()=>{const c=net.connect({port:23390,host:"10.77.5.2",localAddress:"10.77.5.1"},()=>{const t=[];let t0;const go=()=>{t0=performance.now();c.write("x")};c.on("data",()=>{t.push(performance.now()-t0);if(t.length<5)go();else{console.log(Math.min(...t));process.exit(0)}});go()})})`;
      const rtt = Number(await inNs(ns, "node", "-e", script));
      expect(rtt).toBeGreaterThan(19.5);
      expect(rtt).toBeLessThan(45);
    } finally {
      await clearDevice(dev, target);
    }
  });
});
