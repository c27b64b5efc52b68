import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { planFromFlags, RUN_DEFAULTS } from "../../cli/run.js";
import { freeBase } from "../docker/free-ports.js";

describe("longhaul run flags", () => {
  it("defaults to the four continents with 2 ranks each, a baseline and a distance sweep", () => {
    const parsed = planFromFlags([]);
    if (parsed === "help") throw new Error("unexpected help");
    expect(parsed.plan.topology).toBe("continents:2");
    expect(parsed.plan.sizes).toEqual([4096, 256 << 10, 4 << 20, 64 << 20]);
    expect(parsed.plan.algorithms).toEqual(RUN_DEFAULTS.algorithms.split(","));
    expect(parsed.plan.rateMbit).toBe(1000);
    expect(parsed.plan.baseline).toBe(true);
    expect(parsed.plan.distance?.peers).toEqual(["virginia", "chicago", "texas", "london", "sao-paulo"]);
    expect(parsed.plan.training).toEqual({ methods: ["sync", "diloco"], steps: 100 });
    expect(parsed.plan.lmTraining).toEqual({ methods: ["sync", "diloco"], steps: 300 });
    expect(parsed.plan.faultTolerance).toBe(true);
    expect(parsed.out.endsWith("/results")).toBe(true);
  });

  it("reads sizes, rate, --no-baseline, --no-fault-tolerance and --distance-to none", () => {
    const parsed = planFromFlags(["--sizes", "1KiB,2MiB", "--rate", "100mbit", "--no-baseline", "--no-fault-tolerance", "--distance-to", "none", "--iters", "2"]);
    if (parsed === "help") throw new Error("unexpected help");
    expect(parsed.plan).toMatchObject({ sizes: [1024, 2 << 20], rateMbit: 100, baseline: false, faultTolerance: false, iters: 2, distance: undefined });
  });

  it("rejects bad values and answers --help", () => {
    expect(planFromFlags(["--help"])).toBe("help");
    expect(() => planFromFlags(["--iters", "0"])).toThrow(/--iters/);
    expect(() => planFromFlags(["--rate", "fast"])).toThrow(/rate/);
    expect(() => planFromFlags(["--sizes", "big"])).toThrow(/--sizes "big" is not a number with a unit/);
    expect(() => planFromFlags(["--train", "magic"])).toThrow(/training method magic/);
    expect(() => planFromFlags(["--lm", "sync,magic"])).toThrow(/training method magic/);
    expect(() => planFromFlags(["--lm-steps", "0"])).toThrow(/--lm-steps/);
  });
});

describe("longhaul run (real ranks through the emulator)", async () => {
  const out = await mkdtemp(join(tmpdir(), "longhaul-run-"));
  afterAll(() => rm(out, { recursive: true, force: true }));

  it("runs a small experiment, prints the summary and writes the report", async () => {
    // Ranks and the emulator's proxies of every sweep in this run: 8 + 4 x 8 ports above the base.
    const basePort = await freeBase(26500, 27000, 50);
    const args = ["--sizes", "4KiB", "--algorithms", "ring", "--iters", "1", "--distance-to", "chicago",
      "--distance-sizes", "4KiB", "--distance-algorithms", "ring", "--train", "none", "--lm", "sync", "--lm-steps", "2", "--no-fault-tolerance", "--base-port", String(basePort), "--out", out];
    const result = await execa("node", ["dist/cli/main.js", "run", ...args], { reject: false, timeout: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^algorithm\s+size\s+time\s+busbw GB\/s\s+single-site\s+efficiency\s+#wrong$/m);
    expect(result.stdout).toMatch(/^ring\s+4 KiB\s+[\d.]+ ms\s+\S+\s+[\d.]+ (µs|ms)\s+[\d.]+%\s+0$/m);
    expect(result.stdout).toMatch(/efficiency vs one site[\s\S]*ring\s+[\d.]+% at 4 KiB/);
    expect(result.stderr).toMatch(/\[#+\] 100%\s+\d+s\s+done/);
    expect(await readdir(out)).toEqual(expect.arrayContaining(["report.md", "results.json", "time-vs-size.svg", "time-vs-distance.svg"]));
    const json = JSON.parse(await readFile(join(out, "results.json"), "utf8"));
    expect(json.backend).toBe("userspace");
    expect(json.wan[0]).toMatchObject({ algorithm: "ring", bytes: 4096, ranks: 8, wrong: 0 });
    // Across continents 4 KiB cannot beat one round trip to Chicago (2 × 13 ms one way).
    expect(json.wan[0].timeUs).toBeGreaterThan(26_000);
    expect(json.distance[0]).toMatchObject({ distanceKm: 1144, ranks: 4 });
    // The language-model part: its row with the recipe, the summary line, the report's section.
    expect(json.lmTraining).toEqual([expect.objectContaining({ method: "sync", ranks: 8, steps: 2, lr: 0.01 })]);
    expect(json.lmTraining[0].valPerplexity).toBeLessThan(96);
    expect(json.lmTraining[0].wanBytes).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/a language model across the continents[\s\S]*sync\s+perplexity [\d.]+, WAN [\d.]+ MB, [\d.]+ steps\/s$/m);
    expect(await readFile(join(out, "report.md"), "utf8")).toMatch(/## A language model across the continents[\s\S]*\| sync \| 2 \| [\d.]+ \| 0\.0% \|[^\n]*AdamW 0\.01 \|/);
  });
});
