import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { alive } from "./alive.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = fileURLToPath(new URL("../fixtures/launch-rank.mjs", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));


function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Starts `command` with 4 listening ranks; resolves with the starter's child and the ranks' pids once all listen. */
function startListening(command: string, args: string[], basePort: number): Promise<{ child: ReturnType<typeof spawn>; pids: number[]; output: () => string }> {
  const child = spawn(command, [...args, "-n", "4", "--base-port", String(basePort), "--", process.execPath, fixture, "listen"], {
    cwd: root,
    env: { ...process.env, npm_config_yes: "true", npm_config_update_notifier: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ranks did not all listen within 30 s:\n${text}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      text += chunk;
      const pids = [...text.matchAll(/listening pid (\d+)/g)].map((m) => Number(m[1]));
      if (pids.length === 4) {
        clearTimeout(timer);
        resolve({ child, pids, output: () => text });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

async function expectGone(pids: number[], basePort: number, output: () => string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  expect(pids.filter(alive), output()).toEqual([]);
  for (let rank = 0; rank < 4; rank++) expect(await portFree(basePort + rank), `port ${basePort + rank} still bound`).toBe(true);
}

describe("longhaul launch leaves nothing behind", () => {
  it("through npx (the README's form): kill -TERM <npx pid> stops every rank and frees its port within 5 s, though npm does not pass the signal on", async () => {
    const started = await startListening("npx", ["longhaul", "launch"], 31720);
    started.child.kill("SIGTERM");
    await expectGone(started.pids, 31720, started.output);
  }, 60_000);

  it("forwards SIGHUP (a closed terminal or ssh session) to every rank", async () => {
    const started = await startListening(process.execPath, [cli, "launch"], 31730);
    const exited = new Promise<number | null>((resolve) => started.child.on("close", resolve));
    started.child.kill("SIGHUP");
    expect(await exited).toBe(128 + 1);
    expect(started.output()).toMatch(/\[rank 3\] got SIGHUP/);
    await expectGone(started.pids, 31730, started.output);
  }, 60_000);

  it("handles SIGTERM while it is still spawning a large world: stops spawning, exits 143, leaves no rank", async () => {
    const child = spawn(process.execPath, [cli, "launch", "-n", "200", "--base-port", "31800", "--", "sh", "-c", "echo pid $$; exec sleep 30"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout!.on("data", (chunk) => {
      if (stdout === "") child.kill("SIGTERM"); // at the first rank's first line
      stdout += chunk;
    });
    const started = Date.now();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(143);
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = [...stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);

  it.each([[[], false], [["--outlive-parent"], true]] as const)("a launcher %j whose parent shell exits leaves its ranks running: %s", async (flags, running) => {
    const launch = `"${process.execPath}" "${cli}" launch ${flags.join(" ")} -n 1 -- sh -c 'echo pid $$; exec sleep 10' & sleep 1`;
    // The shell ends after a second, leaving the launcher orphaned (a parent gone before the launcher starts looks like init's child, which is not watched).
    const shell = spawn("sh", ["-c", launch], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => shell.stdout!.on("data", (chunk) => resolve(Number(/pid (\d+)/.exec(String(chunk))![1]))));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(alive(pid)).toBe(running);
    if (running) process.kill(pid, "SIGTERM"); // the launcher then exits with it
  }, 30_000);
});
