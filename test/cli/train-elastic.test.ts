import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const run = promisify(execFile);

describe("longhaul train --elastic", () => {
  it.each([
    [["--method", "topk", "--elastic"], /--elastic runs DiLoCo.s outer loop or synchronous steps over a changing membership; use it with --method diloco or sync/],
    [["--method", "diloco", "--elastic", "--comm-thread"], /--elastic runs the outer step on the rank's own thread, in the background between inner steps; drop --comm-thread/],
    [["--method", "sync", "--elastic", "--blocking-outer"], /--blocking-outer is a choice of --elastic --method diloco/],
  ])("refuses %j with one line saying what to do", async (args, message) => {
    const failed = await run(process.execPath, [CLI, "train", ...args]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(message);
  });

  it("MNIST DiLoCo with a rank killed (kill -9) and restarted: the run finishes, every rank's checksum is equal, each fault has a recovery", async () => {
    const faults = join(mkdtempSync(join(tmpdir(), "longhaul-train-elastic-")), "faults.yaml");
    // Long enough (1,000 steps) that the survivors still train when the killed rank is back, on a fast machine too.
    writeFileSync(faults, "faults:\n  - { at: 4s, rank: 2, kill: true }\n  - { at: 5s, rank: 2, restart: true }\n");
    const { stdout } = await run(process.execPath, [CLI, "train", "--method", "diloco", "--elastic", "--topology", "3", "--steps", "1000", "--inner-steps", "20", "--faults", faults, "--no-baseline", "--base-port", "24300", "--json"], { timeout: 150_000 });
    const summary = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(summary.checksums).toHaveLength(3);
    expect(new Set(summary.checksums.map((c: { checksum: string }) => c.checksum)).size).toBe(1);
    expect(summary.faults.map((f: { kind: string }) => f.kind)).toEqual(["kill", "restart"]);
    expect(summary.recoveries.map((r: { fault: string }) => r.fault)).toEqual(["kill rank 2", "restart rank 2"]);
    for (const recovery of summary.recoveries) expect(recovery.nextStepAtS).toBeGreaterThan(recovery.atS);
    expect(summary.usefulStepsPerSec).toBeGreaterThan(0);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
    expect(summary.goodput).toBeUndefined(); // --no-baseline: no fault-free run to compare with
  }, 180_000);

  it("synchronous MNIST with a rank killed (kill -9) and restarted: the state checked identical before every step, every rank's checksum equal", async () => {
    const faults = join(mkdtempSync(join(tmpdir(), "longhaul-train-elastic-")), "faults.yaml");
    writeFileSync(faults, "faults:\n  - { at: 5s, rank: 1, kill: true }\n  - { at: 6s, rank: 1, restart: true }\n");
    const { stdout, stderr } = await run(process.execPath, [CLI, "train", "--method", "sync", "--elastic", "--topology", "3", "--steps", "200", "--faults", faults, "--no-baseline", "--base-port", "24500", "--json"], { timeout: 150_000 });
    const summary = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(new Set(summary.checksums.map((c: { checksum: string }) => c.checksum)).size).toBe(1);
    expect(summary.checksums).toHaveLength(3);
    expect(summary.recoveries).toHaveLength(2);
    expect(stderr).not.toMatch(/MISMATCH/);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
  }, 180_000);
});
