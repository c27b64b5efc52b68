import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const run = promisify(execFile);

describe("longhaul train", () => {
  it("--help lists the methods; an unknown method exits 2", async () => {
    expect(existsSync(CLI), `${CLI} missing: run "npm run build" first`).toBe(true);
    const help = await run(process.execPath, [CLI, "train", "--help"]);
    expect(help.stdout).toMatch(/sync\|topk\|diloco\|streaming-diloco/);
    await expect(run(process.execPath, [CLI, "train", "--method", "bogus"])).rejects.toMatchObject({ code: 2 });
  });

  it.each([
    [["--rate", "1gbit"], /--rate 1gbit shapes the emulated links and needs --emulate/],
    [["--emulate", "--rate", "fast"], /--rate "fast" is not a number with a unit; write e.g. "1gbit"/],
    [["--steps", "0"], /--steps "0" is not a whole number >= 1/],
    [["--timeout", "soon"], /--timeout "soon" is not a number with a unit/],
    [["--base-port", "70000"], /--base-port "70000" is not a port number/],
  ])("refuses %j with one line naming the value and exit 2", async (args, message) => {
    const failed = await run(process.execPath, [CLI, "train", "--method", "sync", ...args]).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 2, stdout: "" });
    expect((failed as { stderr: string }).stderr).toMatch(message);
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it("trains top-k on 2 emulated regions at --rate 1gbit between real processes and prints the summary JSON", async () => {
    const { stdout } = await run(process.execPath, [
      CLI, "train", "--method", "topk", "--topology", "new-york:1,london:1", "--steps", "6", "--hidden", "16", "--topk-ratio", "0.05",
      "--no-baseline", "--json", "--base-port", "25200", "--emulate", "--rate", "1gbit", "--timeout", "50s",
    ], { timeout: 60_000 });
    const summary = JSON.parse(stdout) as Record<string, number | string>;
    expect(summary.method).toBe("topk");
    expect(summary.syncs).toBe(6);
    expect(summary.testAccuracy).toBeGreaterThan(0.1);
    // 16*784+16+16*10+10 = 12730 floats; 5% at ~3 bytes per entry, 2 ranks, 6 steps (plus barriers).
    expect(summary.wanBytes).toBeGreaterThan(0);
    expect(summary.wanBytes).toBeLessThan(2 * 6 * (0.05 * 12730 * 4 + 64) + 1000);
    expect(summary.stepsPerSec).toBeGreaterThan(0);
  });
});
