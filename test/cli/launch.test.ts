import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { alive } from "./alive.js";
import { launchRanks } from "../../launch/launcher.js";
import { parseTopology } from "../../world/topology.js";

const fixture = fileURLToPath(new URL("../fixtures/launch-rank.mjs", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, "launch", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}


describe("longhaul launch", () => {
  it("starts N ranks with torchrun's environment and prefixes every line with the rank", async () => {
    const run = await runCli(["-n", "3", "--base-port", "31300", "--", process.execPath, fixture, "quick"]);
    expect(run.code).toBe(0);
    for (const rank of [0, 1, 2]) {
      expect(run.stdout).toContain(`[rank ${rank}] hello from ${rank} of 3 local ${rank} topo 3 port 31300\n`);
      expect(run.stderr).toContain(`[rank ${rank}] err line ${rank}\n`);
    }
  });

  it("names the region in the prefix and gives LOCAL_RANK within the region", async () => {
    const run = await runCli(["--topology", "ny:1,ldn:2", "--", process.execPath, fixture, "quick"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("[rank 2 ldn] hello from 2 of 3 local 1 topo ny:1,ldn:2");
  });

  it("exits with the first failure's code and stops the other ranks", async () => {
    const run = await runCli(["-n", "3", "--", process.execPath, fixture, "fail-rank-1"]);
    expect(run.code).toBe(7);
    expect(run.stdout).toContain("[rank 0] got SIGTERM");
    expect(run.stdout).toContain("[rank 2] got SIGTERM");
    expect(run.ms).toBeLessThan(10_000);
  });

  it("forwards SIGINT to every rank and exits with its code", async () => {
    const run = await runCli(["-n", "2", "--", process.execPath, fixture, "wait"], (text, child) => {
      if ((text.match(/ready/g) ?? []).length === 2 && !child.killed) child.kill("SIGINT");
    });
    expect(run.stdout).toContain("[rank 0] got SIGINT");
    expect(run.stdout).toContain("[rank 1] got SIGINT");
    expect(run.code).toBe(130);
  });

  it("--emulate starts the link emulator before the ranks: an all-reduce crosses it", async () => {
    const worker = fileURLToPath(new URL("../fixtures/init-allreduce.mjs", import.meta.url));
    const run = await runCli(["--emulate", "--topology", "new-york:1,london:1", "--base-port", "31400", "--", process.execPath, worker]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('[rank 1 london] {"rank":1,"size":2,"region":"london","sum":[3,20]}');
  });

  it("--emulate --rate tells the ranks the rate (their cost model and stream counts read it)", async () => {
    const run = await runCli(["--emulate", "--rate", "250mbit", "--topology", "new-york:1,london:1", "--base-port", "31450", "--", process.execPath, fixture, "rate"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("[rank 0 new-york] rate 250\n");
    expect(run.stdout).toContain("[rank 1 london] rate 250\n");
  });

  it("rejects bad usage with exit code 2 and explains; --help exits 0", async () => {
    const mismatch = await runCli(["-n", "3", "--topology", "4", "--", "true"]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/-n 3 disagrees with --topology "4" of 4 ranks/);
    const noCommand = await runCli(["-n", "2"]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/no command given; put it after "--"/);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: longhaul launch -n N/);
  });

  it.each([
    [["-n", "2", "--rate", "1gbit", "--", "true"], /--rate 1gbit shapes the emulated links and needs --emulate; to tell ranks on a real WAN its rate, set LONGHAUL_LINK_RATE_MBIT=1gbit/],
    [["-n", "2", "--timeout", "soon", "--", "true"], /--timeout "soon" is not a number with a unit; write e.g. "30s"/],
    [["-n", "0", "--", "true"], /-n "0" is not a whole number >= 1/],
    [["--topology", "a:4096,b:4096,c:1808", "--", "true"], /10000 local ranks are more than this host can start: .*(memory|threads|file descriptors|ports)/],
  ])("refuses %j with one line naming the value, exit 2, nothing started", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe("");
  });

  it("takes the base port from LONGHAUL_BASE_PORT when --base-port is not given, and --timeout 1s as a duration", async () => {
    const child = spawn(process.execPath, [cli, "launch", "-n", "2", "--timeout", "1s", "--", process.execPath, fixture, "quick"], { env: { ...process.env, LONGHAUL_BASE_PORT: "31655" } });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(0);
    expect(stdout).toContain("[rank 1] hello from 1 of 2 local 1 topo 2 port 31655");
    const stopped = await runCli(["-n", "1", "--timeout", "500ms", "--", "sleep", "30"]);
    expect(stopped.code).toBe(124);
    expect(stopped.ms).toBeLessThan(10_000);
  });
});

describe("launchRanks", () => {
  it("kills a rank that ignores SIGTERM after the grace period, and the ranks' own children", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const result = await launchRanks({ topology: parseTopology("2"), command: process.execPath, args: [fixture, "grandchild"], graceMs: 300, onLine: (rank, _stream, line) => lines.push(`${rank}:${line}`) });
    expect(result).toEqual({ code: 3, failedRank: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchildren = lines.flatMap((l) => /grandchild (\d+)/.exec(l)?.[1] ?? []).map(Number);
    expect(grandchildren).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(grandchildren.filter(alive)).toEqual([]);
  });

  it("gives ranks glibc malloc settings that reuse large buffers, unless the environment sets its own", async () => {
    const lines: string[] = [];
    const onLine = (_rank: number, _stream: string, line: string) => void lines.push(line);
    expect(await launchRanks({ topology: parseTopology("1"), command: process.execPath, args: [fixture, "malloc"], onLine })).toEqual({ code: 0 });
    expect(lines).toContain(`malloc ${64 << 20} ${256 << 20}`);
    lines.length = 0;
    expect(await launchRanks({ topology: parseTopology("1"), command: process.execPath, args: [fixture, "malloc"], env: { MALLOC_MMAP_THRESHOLD_: "131072" }, onLine })).toEqual({ code: 0 });
    expect(lines).toContain(`malloc 131072 ${256 << 20}`);
  });

  it("escalates to SIGKILL for a rank that ignores SIGTERM", async () => {
    const started = Date.now();
    const result = await launchRanks({ topology: parseTopology("2"), command: process.execPath, args: [fixture, "stubborn"], graceMs: 300, timeoutMs: 500, onLine: () => undefined });
    expect(result).toEqual({ code: 124, timedOut: true });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("reports a command that cannot start as exit code 127", async () => {
    const lines: string[] = [];
    const result = await launchRanks({ topology: parseTopology("1"), command: "/nonexistent/longhaul-test", onLine: (_r, _s, line) => lines.push(line) });
    expect(result).toEqual({ code: 127, failedRank: 0 });
    expect(lines.join("\n")).toMatch(/cannot start "\/nonexistent\/longhaul-test"/);
  });
});
