import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// launch --elastic end to end: real rank processes (examples/elastic-diloco.ts) over Unix sockets,
// a real kill -9 and restart from a fault schedule, a real SIGSTOP. Dead after 1.5 s to stay short.
const MAIN = new URL("../../../dist/cli/main.js", import.meta.url).pathname;
const EXAMPLE = new URL("../../../dist/examples/elastic-diloco.js", import.meta.url).pathname;
const DEAD_AFTER_MS = 1500;
// Long enough (about 0.2 s each) that the survivors are still training when the killed rank comes back.
const OUTER_STEPS = 40;

interface Run {
  code: number | null;
  lines: string[];
  results: Array<{ rank: number; outerSteps: number; checksum: string; epochs: number[]; joinedAtOuterStep: number }>;
}

function launch(args: string[], onLine: (line: string, atMs: number) => void = () => undefined, basePort: number, exampleArgs: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, "launch", "-n", "3", "--elastic", "--base-port", String(basePort), ...args, "--", process.execPath, EXAMPLE, "--outer-steps", String(OUTER_STEPS), "--inner", "3", "--step-ms", "50", "--length", "4096", ...exampleArgs], {
    env: { ...process.env, LONGHAUL_ELASTIC_DEAD_MS: String(DEAD_AFTER_MS), LONGHAUL_TIMEOUT_MS: "20000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const startMs = performance.now();
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        onLine(line, performance.now() - startMs);
      }
    });
  }
  const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) => child.on("close", (code) => {
    clearTimeout(killer);
    const results = lines.filter((l) => /^\[rank \d+\] \{/.test(l)).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
    resolve({ code, lines, results });
  }));
}

function expectConsistent(run: Run): void {
  expect(run.code, run.lines.slice(-30).join("\n")).toBe(0);
  expect(run.results.map((r) => r.rank).sort()).toEqual([0, 1, 2]);
  for (const r of run.results) expect(r.outerSteps).toBe(OUTER_STEPS);
  expect(new Set(run.results.map((r) => r.checksum)).size).toBe(1);
}

describe("launch --elastic", () => {
  it("a rank killed (kill -9) is left out as its launcher sees it exit, then restarted: the others go on, it heals and every rank ends with the same parameters", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longhaul-elastic-"));
    const faults = join(dir, "faults.yaml");
    writeFileSync(faults, "faults:\n  - { at: 1.5s, rank: 2, kill: true }\n  - { at: 4.5s, rank: 2, restart: true }\n");
    const run = await launch(["--faults", faults], undefined, 24100);
    expectConsistent(run);
    expect(run.lines.some((l) => l.includes("lost rank 2"))).toBe(true);
    expect(run.lines.some((l) => /epoch \d+: ranks 0, 1 \(/.test(l))).toBe(true);
    const back = run.results.find((r) => r.rank === 2)!;
    expect(back.epochs).not.toContain(1);
    expect(back.joinedAtOuterStep).toBeGreaterThan(0);
  }, 120_000);

  it("with the outer step in the background, a rank killed and restarted: every rank ends on the same parameters after the same amount of work", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longhaul-elastic-"));
    const faults = join(dir, "faults.yaml");
    writeFileSync(faults, "faults:\n  - { at: 1.5s, rank: 2, kill: true }\n  - { at: 4.5s, rank: 2, restart: true }\n");
    const run = await launch(["--faults", faults], undefined, 24800, ["--background"]);
    expect(run.code, run.lines.slice(-30).join("\n")).toBe(0);
    expect(run.results.map((r) => r.rank).sort()).toEqual([0, 1, 2]);
    expect(new Set(run.results.map((r) => r.checksum)).size).toBe(1);
    expect(new Set(run.results.map((r) => r.outerSteps)).size).toBe(1); // all stopped after the same round
    expect(run.lines.some((l) => l.includes("lost rank 2"))).toBe(true);
    expect(run.results.find((r) => r.rank === 2)!.joinedAtOuterStep).toBeGreaterThan(0);
  }, 120_000);

  it("a silent rank (SIGSTOP) is out within the heartbeat bound + 1 s; continued, it heals and finishes with the others", async () => {
    let pid: number | undefined;
    let stoppedAt: number | undefined;
    let lostAt: number | undefined;
    const run = await launch([], (line, atMs) => {
      const started = /^\[rank 1\] rank 1 pid (\d+)/.exec(line);
      if (started) pid = Number(started[1]);
      if (stoppedAt === undefined && pid !== undefined && /^\[rank 1\] .*outer-step .* outer step 3$/.test(line)) {
        process.kill(pid, "SIGSTOP");
        stoppedAt = atMs;
      }
      if (stoppedAt !== undefined && lostAt === undefined && line.includes("lost rank 1")) {
        lostAt = atMs;
        process.kill(pid!, "SIGCONT");
      }
    }, 24200);
    expectConsistent(run);
    expect(stoppedAt).toBeDefined();
    expect(lostAt! - stoppedAt!).toBeLessThan(DEAD_AFTER_MS + 1000);
    expect(run.results.find((r) => r.rank === 1)!.epochs.length).toBeGreaterThan(1);
  }, 120_000);
});
