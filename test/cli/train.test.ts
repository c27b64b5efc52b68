import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    [["--outer-momentum", "1"], /--outer-momentum "1" is not a number from 0 up to \(not including\) 1/],
    [["--outer-lr", "0"], /--outer-lr "0" is not a number above zero/],
    [["--seed", "x"], /--seed "x" is not a whole number >= 0/],
    [["--topk-on", "weights"], /--topk-on must be gradient or update, got weights/],
    [["--topk-on", "update"], /--topk-on chooses what top-k compresses; use it with --method topk/],
  ])("refuses %j with one line naming the value and exit 2", async (args, message) => {
    const failed = await run(process.execPath, [CLI, "train", "--method", "sync", ...args]).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 2, stdout: "" });
    expect((failed as { stderr: string }).stderr).toMatch(message);
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [["--model", "gpt"], /--model must be one of mlp, lm, got gpt/],
    [["--model", "lm", "--d-model", "30", "--heads", "4"], /--heads 4 must divide --d-model 30/],
    [["--d-model", "32"], /--d-model sets the language model; add --model lm/],
    [["--model", "lm", "--plot", "x.svg"], /--plot draws the validation loss of a --compare --model lm run/],
  ])("refuses the model flags %j with one line saying what to do", async (args, message) => {
    const failed = await run(process.execPath, [CLI, "train", "--method", "sync", ...args]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(message);
  });

  it("refuses --compare with an unknown method or together with --method", async () => {
    const bad = await run(process.execPath, [CLI, "train", "--compare", "sync,fast"]).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/--compare takes methods from sync, topk, diloco, streaming-diloco separated by commas, got sync,fast/);
    const both = await run(process.execPath, [CLI, "train", "--compare", "sync", "--method", "sync"]).catch((error: { code: number; stderr: string }) => error);
    expect((both as { stderr: string }).stderr).toMatch(/not both/);
  });

  it("compares sync, DiLoCo and top-k on the LM, each with its recipe: one JSON object per method, and the SVG of validation loss against WAN bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longhaul-train-compare-"));
    const plot = join(dir, "lm.svg");
    try {
      const { stdout } = await run(process.execPath, [
        CLI, "train", "--model", "lm", "--compare", "sync,diloco,topk", "--topology", "new-york:1,london:1", "--steps", "4", "--inner-steps", "2", "--batch", "2",
        "--d-model", "16", "--heads", "2", "--seq-len", "16", "--json", "--plot", plot, "--base-port", "25300", "--timeout", "50s",
      ], { timeout: 90_000 });
      const rows = JSON.parse(stdout) as Array<Record<string, number | string>>;
      expect(rows.map((r) => r.method)).toEqual(["sync", "diloco", "topk"]);
      // Each method trains with its own recipe where the flags leave it: DiLoCo's workers at a lower
      // inner rate (2e-3 at 8 sequences, scaled by the square root of the batch: 1e-3 at 2), averaged plainly.
      expect([rows[0].lr, rows[0].outerLr]).toEqual([0.01, undefined]);
      expect([rows[1].lr, rows[1].outerLr, rows[1].outerMomentum]).toEqual([0.001, 1, 0]);
      expect([rows[2].lr, rows[2].topkOn]).toEqual([0.02, "update"]);
      for (const r of rows) {
        for (const key of ["valPerplexity", "valLoss", "wanBytes", "stepsPerSec", "baselineStepsPerSec", "tokensPerSec", "oneProcessValPerplexity"]) expect(typeof r[key], key).toBe("number");
        expect(r.valPerplexity).toBeCloseTo(Math.exp(r.valLoss as number), 6);
        expect(r.valLoss).toBeLessThan(Math.log(96) + 0.1);
      }
      // DiLoCo sends its outer gradients every 2 steps in fp16; sync every step in fp32.
      expect(rows[1].wanBytes).toBeLessThan(rows[0].wanBytes / 3);
      expect(rows[1].wanReductionVsSync).toBeGreaterThan(3);
      expect(rows[0].oneProcessValPerplexity).toBe(rows[1].oneProcessValPerplexity);
      expect(readFileSync(plot, "utf8")).toMatch(/^<svg[\s\S]*validation loss[\s\S]*<\/svg>\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
