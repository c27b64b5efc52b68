import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startFaults } from "../../netem/faults/clock.js";
import { parseFaults } from "../../netem/faults/parse.js";
import { launchRanks, type RankControl } from "../../launch/launcher.js";
import { parseTopology } from "../../world/topology.js";

// Process faults through the launcher: a killed rank is not a failure, a restarted one gets the
// same environment. Ports 23850-23869 (nothing listens on them: the ranks are plain scripts).
const RANK = `
const { spawn } = require("node:child_process");
const child = spawn("sleep", ["30"], { stdio: "ignore" });
console.log("up " + process.env.RANK + " " + process.env.WORLD_SIZE + " " + process.env.FAULT_TAG + " " + child.pid);
setTimeout(() => { child.kill(); process.exit(Number(process.env.EXIT_CODE ?? 0)); }, Number(process.env.LIFE_MS));
`;
const topology = parseTopology("a:1,b:2");

/** Gone, or a zombie waiting for a reaper. */
function dead(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || / Z /.test(readFileSync(stat, "utf8"));
}

function launch(lifeMs: number, onStarted: (control: RankControl) => void, lines: string[]) {
  return launchRanks({
    topology,
    command: process.execPath,
    args: ["-e", RANK],
    env: { FAULT_TAG: "same-env", LIFE_MS: String(lifeMs) },
    basePort: 23850,
    onStarted,
    onLine: (rank, stream, line) => void lines.push(`${rank} ${stream} ${line}`),
  });
}

describe("launcher process faults", () => {
  it("kill is SIGKILL to the rank's process group and no failure; restart starts it again with the same environment", async () => {
    const lines: string[] = [];
    let control!: RankControl;
    const done = launch(2500, (c) => (control = c), lines);
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(check()).toBe(true);
    };
    await until(() => lines.filter((l) => l.startsWith("1 stdout up")).length === 1);
    const sleeper = Number(lines.find((l) => l.startsWith("1 stdout up"))!.split(" ").at(-1));
    control.kill(1);
    expect(() => control.kill(1)).not.toThrow(); // still running until the kill lands: a second is harmless
    await until(() => dead(sleeper));
    await control.restart(1);
    await expect(control.restart(1)).rejects.toThrow(/rank 1 is running \(it was not killed by a fault\)/);
    await until(() => lines.filter((l) => l.startsWith("1 stdout up")).length === 2);
    expect(lines.filter((l) => l.startsWith("1 stdout up")).map((l) => l.split(" ").slice(0, 6).join(" "))).toEqual(["1 stdout up 1 3 same-env", "1 stdout up 1 3 same-env"]);
    const result = await done;
    expect(result).toEqual({ code: 0 });
    expect(() => control.kill(0)).toThrow(/rank 0 is not running in this launch \(it has ended\)/);
    await expect(control.restart(0)).rejects.toThrow(/kill it first/);
  });

  it("a fault clock drives kill and restart through the launcher at their times", async () => {
    const schedule = parseFaults("faults: [{ at: 300ms, rank: 2, kill: true }, { at: 700ms, rank: 2, restart: true }]", topology);
    // The schedule's clock starts once every rank has said "up": under load a process can take
    // longer than 300 ms to start, and a kill before its first line would leave nothing to count.
    const lines: string[] = [];
    let processes!: RankControl;
    let clock: ReturnType<typeof startFaults> | undefined;
    const startClockWhenUp = () => {
      if (clock || lines.filter((l) => / stdout up /.test(l)).length < topology.size) return;
      clock = startFaults(schedule, { topology, processes, startMs: performance.now() });
    };
    const result = await launchRanks({
      topology,
      command: process.execPath,
      args: ["-e", RANK],
      env: { FAULT_TAG: "same-env", LIFE_MS: "1500" },
      basePort: 23850,
      onStarted: (c) => (processes = c),
      onLine: (rank, stream, line) => {
        lines.push(`${rank} ${stream} ${line}`);
        startClockWhenUp();
      },
    });
    const events = clock!.stop();
    expect(result.code).toBe(0);
    expect(events.map((e) => [e.kind, e.rank, e.error])).toEqual([["kill", 2, undefined], ["restart", 2, undefined]]);
    for (const e of events) expect(Math.abs(e.appliedAtMs - e.atMs)).toBeLessThan(100);
    expect(lines.filter((l) => l.startsWith("2 stdout up"))).toHaveLength(2);
  });

  it("a rank that fails on its own still fails the launch", async () => {
    const lines: string[] = [];
    const result = await launchRanks({
      topology, command: process.execPath, args: ["-e", RANK], basePort: 23850, graceMs: 500,
      env: { LIFE_MS: "200", EXIT_CODE: "3" }, onStarted: () => undefined, onLine: (r, s, l) => void lines.push(l),
    });
    expect(result.code).toBe(3);
  });
});
