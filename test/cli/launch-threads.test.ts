import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("../fixtures/threads-rank.mjs", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

function launch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, "launch", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("longhaul launch --threads", () => {
  it("runs the ranks as worker threads, each with its own environment, and their all-reduces are exact", async () => {
    const run = await launch(["-n", "4", "--threads", "--base-port", "27600", "--", "node", fixture, "a", "b"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const jobIds = new Set<string>();
    for (const rank of [0, 1, 2, 3]) {
      const env = new RegExp(`^\\[rank ${rank}\\] env RANK=${rank} LOCAL_RANK=${rank} WORLD_SIZE=4 LOCAL_WORLD_SIZE=4 LONGHAUL_THREADS=4 LONGHAUL_JOB_ID=(\\S+) argv a,b script true$`, "m").exec(run.stdout);
      expect(env, run.stdout).not.toBeNull();
      jobIds.add(env![1]);
      for (const n of [1000, 300001]) expect(run.stdout).toContain(`[rank ${rank}] allreduce ${n} wrong 0\n`);
      expect(run.stdout).toContain(`[rank ${rank}] done\n`);
    }
    expect(jobIds.size).toBe(1);
  });

  it("a rank's process.exit(3) ends that rank only; the launch stops the others and exits 3", async () => {
    const run = await launch(["-n", "4", "--threads", "--base-port", "27600", "--", fixture, "fail", "2"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("[rank 2] allreduce 1000 wrong 0\n");
    expect(run.stdout).not.toContain("done");
  });

  it("refuses a communication thread for thread ranks with a typed error saying what to do, and the launch fails", async () => {
    const run = await launch(["-n", "2", "--threads", "--base-port", "27600", "--", fixture], { LONGHAUL_COMM_THREAD: "1" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[rank \d\] CommError: this rank runs as a worker thread \(launch --threads\).*leave commThread \/ LONGHAUL_COMM_THREAD off/);
    expect(run.stdout).not.toContain("allreduce");
  });

  it("node-level: two nodes of two threads each, ZeroMQ only between the nodes", async () => {
    const node = (rank: number) => launch(["--nnodes", "2", "--nproc-per-node", "2", "--node-rank", String(rank), "--master-addr", "127.0.0.1", "--master-port", "27650", "--base-port", "27700", "--threads", "--", "node", fixture]);
    const runs = await Promise.all([node(0), node(1)]);
    for (const [n, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(0);
      for (const rank of [2 * n, 2 * n + 1]) {
        expect(run.stdout).toContain(`[rank ${rank}] env RANK=${rank} LOCAL_RANK=${rank % 2} WORLD_SIZE=4 LOCAL_WORLD_SIZE=2 LONGHAUL_THREADS=2 `);
        expect(run.stdout).toContain(`[rank ${rank}] allreduce 300001 wrong 0\n`);
        expect(run.stdout).toContain(`[rank ${rank}] done\n`);
      }
    }
  });

  it("refuses a command that is not a node script, saying what to do", async () => {
    const run = await launch(["-n", "2", "--threads", "--", "python3", "train.py"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the command must be "node [node-flags] script.mjs [args]"');
    expect(run.stderr).toContain("without --threads");
  });
});
