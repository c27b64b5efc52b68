/**
 * Link faults on the real path, laid by TcFaultTarget on a real per-destination tc tree between two
 * network namespaces, with a real TCP connection across them: `down` black-holes it (the connection
 * stays open and the bytes arrive once it is lifted, on TCP's retransmission clock), `partition`
 * also resets it (ss -K). This kernel has no sch_netem, so where a command would put a netem leaf
 * the test's runner puts a plain FIFO; every other command runs as the target builds it.
 */
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { perDestinationCommands, type Command } from "../../netem/tc/builder.js";
import { TcFaultTarget } from "../../netem/tc/fault-target.js";
import { applyCommands, runCommand, type TcTarget } from "../../netem/tc/runner.js";
import { canUseNetns, ip } from "./netns.js";

const PEER = new URL("./fixtures/tcp-echo-peer.mjs", import.meta.url).pathname;
const A = { ns: `lh-test-${process.pid}-fa`, dev: "lhf0", addr: "10.80.0.1" };
const B = { ns: `lh-test-${process.pid}-fb`, dev: "lhf1", addr: "10.80.0.2" };
const PORT = "24100";
const profile = { delayMs: 5, rateMbit: 100 };
const usable = canUseNetns();

/** The netem leaf, where this kernel cannot have one, becomes a plain FIFO; anything else runs as given. */
const withoutNetem = (c: Command): Command => (c.includes("netem") ? [...c.slice(0, c.indexOf("netem")), "pfifo", "limit", "1000"] : c);
const run = (c: Command, target: TcTarget) => runCommand(withoutNetem(c), target);

interface Peer {
  child: ResultPromise;
  lines: string[];
  next(pattern: RegExp, timeoutMs: number): Promise<string | undefined>;
}

function startPeer(ns: string, ...args: string[]): Peer {
  const child = execa("ip", ["netns", "exec", ns, process.execPath, PEER, ...args], { stdin: "pipe", reject: false });
  const lines: string[] = [];
  let seen = 0;
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d: Buffer) => {
    lines.push(...String(d).split("\n").filter(Boolean));
    for (const w of waiters) w();
  });
  return {
    child, lines,
    // The first line from here on that matches, or undefined after timeoutMs.
    next: (pattern, timeoutMs) => new Promise((resolve) => {
      const check = (): void => {
        while (seen < lines.length) {
          const line = lines[seen++];
          if (pattern.test(line)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(line);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        resolve(undefined);
      }, timeoutMs);
      waiters.add(check);
      check();
    }),
  };
}

describe.skipIf(!usable)(`link faults on a real tc tree between two namespaces${usable ? "" : " (skipped: needs root and ip netns)"}`, () => {
  let server: Peer;
  const target = () => new TcFaultTarget({ dev: A.dev, self: 0, destinations: new Map([[1, { index: 0, ip: B.addr, profile }]]), target: { netns: A.ns }, run });

  beforeAll(async () => {
    for (const h of [A, B]) await execa("ip", ["netns", "del", h.ns], { reject: false });
    for (const h of [A, B]) await ip("netns", "add", h.ns);
    await ip("link", "add", A.dev, "netns", A.ns, "type", "veth", "peer", "name", B.dev, "netns", B.ns);
    for (const h of [A, B]) {
      await ip("-n", h.ns, "addr", "add", `${h.addr}/24`, "dev", h.dev);
      for (const dev of ["lo", h.dev]) await ip("-n", h.ns, "link", "set", dev, "up");
    }
    await applyCommands(A.dev, perDestinationCommands(A.dev, [{ ip: B.addr, profile }]).map(withoutNetem), { netns: A.ns });
    server = startPeer(B.ns, "server", PORT);
    expect(await server.next(/^ready/, 10_000)).toBeDefined();
  });
  afterAll(async () => {
    server?.child.kill();
    for (const h of [A, B]) await execa("ip", ["netns", "del", h.ns], { reject: false });
  });

  it("down: nothing crosses while it lasts, the connection stays open, and the bytes arrive after the lift", async () => {
    const client = startPeer(A.ns, "client", B.addr, PORT);
    try {
      expect(await client.next(/^ready/, 10_000)).toBeDefined();
      client.child.stdin!.write("send\n");
      expect(await client.next(/^echo/, 5_000)).toBeDefined();
      const faults = target();
      faults.impair(0, 1, "faults[0]", { down: true });
      await faults.settled();
      client.child.stdin!.write("send\n");
      expect(await client.next(/^(echo|closed)/, 1_500)).toBeUndefined();
      faults.impair(0, 1, "faults[0]", undefined);
      await faults.settled();
      // TCP retransmits on its backoff (200 ms, 400 ms, 800 ms, …): within a few seconds of the lift.
      expect(await client.next(/^(echo|closed)/, 10_000)).toBe("echo");
    } finally {
      client.child.kill();
    }
  }, 40_000);

  it("partition: the open connection is reset when it starts", async () => {
    const client = startPeer(A.ns, "client", B.addr, PORT);
    try {
      expect(await client.next(/^ready/, 10_000)).toBeDefined();
      const faults = target();
      faults.impair(0, 1, "faults[1]", { partition: true });
      await faults.settled();
      expect(await client.next(/^closed/, 5_000)).toMatch(/^closed (ECONNRESET|ECONNABORTED|end)/);
      faults.impair(0, 1, "faults[1]", undefined);
      await faults.settled();
      const again = startPeer(A.ns, "client", B.addr, PORT);
      expect(await again.next(/^ready/, 10_000)).toBeDefined();
      again.child.kill();
    } finally {
      client.child.kill();
    }
  }, 40_000);
});
