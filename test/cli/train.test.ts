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

  it("trains top-k on 2 regions between real processes and prints the summary JSON", async () => {
    const { stdout } = await run(process.execPath, [
      CLI, "train", "--method", "topk", "--topology", "a:1,b:1", "--steps", "6", "--hidden", "16", "--topk-ratio", "0.05",
      "--no-baseline", "--json", "--base-port", "25200",
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
