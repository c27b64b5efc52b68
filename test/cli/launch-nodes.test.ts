/**
 * `longhaul launch --nnodes`: two launchers on this host stand for two hosts (each binds its own ranks'
 * ports on 127.0.0.1); test/cli/launch-netns.test.ts runs the same across network namespaces.
 * Ports 24700-24799 (ranks and emulator proxies) and 29420-29439 (rendezvous) belong to this file.
 */
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../fixtures/node-sweep.mjs", import.meta.url).pathname;
const running: ResultPromise[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill("SIGKILL");
});

function node(masterPort: number, basePort: number, flags: string[], mode = "sweep", env: NodeJS.ProcessEnv = {}) {
  const args = [MAIN, "launch", "--nnodes", "2", "--nproc-per-node", "2", "--master-addr", "127.0.0.1", "--master-port", String(masterPort), "--base-port", String(basePort), ...flags, "--", "node", FIXTURE, mode];
  const p = execa("node", args, { reject: false, timeout: 90_000, env: { LONGHAUL_TIMEOUT_MS: "8000", ...env } });
  running.push(p);
  return p;
}

const rows = (stdout: string) => stdout.split("\n").filter((l) => l.includes("{")).map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Record<string, unknown>);

describe("launch --nnodes on one host", () => {
  it("two nodes in two emulated regions, one started 6 s late (past the 5 s heartbeat limit, which starts with the plan): every algorithm exact, auto agrees on every rank, DiLoCo in step", async () => {
    const first = node(29420, 24700, ["--region", "new-york", "--emulate", "--rate", "1gbit"]);
    await new Promise((r) => setTimeout(r, 6000)); // the second host comes up late
    const second = node(29420, 24700, ["--region", "london", "--emulate", "--rate", "1gbit"]);
    const results = await Promise.all([first, second]);
    const all = results.flatMap((r) => rows(r.stdout));
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    expect(all.map((r) => r.rank).sort()).toEqual([0, 1, 2, 3]);
    for (const r of all) expect(r.wrong).toBe(0);
    expect(new Set(all.map((r) => JSON.stringify(r.auto))).size).toBe(1);
    expect(new Set(all.map((r) => r.dilocoChecksum)).size).toBe(1);
    expect(results[0].stderr).toMatch(/node 0 of 2 \(new-york, 127\.0\.0\.1\): ranks 0-1 of 4, topology new-york:2,london:2/);
  });

  it("refuses a node told another link rate at once, naming the difference", async () => {
    const first = node(29422, 24720, ["--region", "new-york", "--emulate", "--rate", "1gbit", "--join-timeout", "20s"]);
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const odd = await node(29422, 24720, ["--region", "london", "--emulate", "--rate", "100mbit"]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(odd.exitCode).not.toBe(0);
    expect(odd.stderr).toMatch(/refused this node: its rate is "100", the job's "1000"/);
    first.kill("SIGTERM");
  });

  it("a node that never comes: the waiting node fails after the join timeout, naming how many are missing", async () => {
    const started = Date.now();
    const alone = await node(29424, 24740, ["--node-rank", "0", "--join-timeout", "2s"]);
    expect(alone.exitCode).not.toBe(0);
    expect(alone.stderr).toMatch(/only 1 of 2 nodes joined within 2000 ms \(missing node ranks: 1\)/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a node killed mid-run: the other node's launcher exits non-zero within the op timeout + 5 s, leaving no rank and no bound port", async () => {
    const first = node(29426, 24760, ["--node-rank", "0"], "long");
    const second = node(29426, 24760, ["--node-rank", "1"], "long");
    // wait until the world runs and the second node's ranks have said who they are
    const pids = new Set<number>();
    await new Promise<void>((resolve) =>
      second.stdout!.on("data", (chunk: Buffer) => {
        for (const row of rows(chunk.toString())) pids.add(row.pid as number);
        if (pids.size === 2) resolve();
      }),
    );
    const killedAt = Date.now();
    for (const pid of [second.pid!, ...pids]) process.kill(pid, "SIGKILL"); // the whole second "host": launcher and ranks
    const result = await first;
    expect(result.exitCode).not.toBe(0);
    const survivors = rows(result.stdout).map((r) => r.pid as number);
    expect(survivors.length).toBeGreaterThan(0);
    for (const pid of new Set(survivors)) expect(() => process.kill(pid, 0), `rank pid ${pid} still runs`).toThrow();
    expect(Date.now() - killedAt).toBeLessThan(8000 + 5000);
    const ports = await execa("ss", ["-Htln", "sport >= :24760 and sport <= :24763"], { reject: false });
    expect(ports.stdout.trim()).toBe("");
  });
});
