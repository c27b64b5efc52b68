/** `longhaul plan` through the compiled CLI (npm test builds first): output shapes, bad input → exit 2, one line, no stack. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { TINY, withField } from "../plan/fixtures.js";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const plan = (...args: string[]) => execa("node", [MAIN, "plan", ...args], { reject: false, timeout: 60_000 });

async function scenarioFile(raw: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "longhaul-plan-")), "s.json");
  await writeFile(path, JSON.stringify(raw));
  return path;
}

describe("longhaul plan CLI", () => {
  it("prints a markdown table, one row per strategy", async () => {
    const r = await plan(await scenarioFile(TINY), "--strategy", "ring", "--strategy", "diloco");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\| strategy \| step \| compute/m);
    expect(r.stdout.split("\n").filter((l) => /^\| (ring|diloco) \|/.test(l))).toHaveLength(2);
  });

  it("--json: one object per strategy with the documented keys", async () => {
    const r = await plan(await scenarioFile(TINY), "--json", "--strategy", "hierarchical+overlap", "--target", "96");
    expect(r.exitCode).toBe(0);
    const row = JSON.parse(r.stdout.trim());
    for (const key of ["strategy", "gpus", "sites", "stepSeconds", "computeSeconds", "syncSeconds", "exposedCommSeconds", "efficiency", "wanBytesPerStep", "bandwidthFor95Gbit", "bandwidthForTargetGbit"]) {
      expect(row).toHaveProperty(key);
    }
    expect(row).toMatchObject({ strategy: "hierarchical+overlap", gpus: 2, sites: 2 });
  });

  it("--sweep bandwidth writes an SVG with one line per strategy", async () => {
    const out = await mkdtemp(join(tmpdir(), "longhaul-sweep-"));
    const r = await plan(await scenarioFile(TINY), "--sweep", "bandwidth", "--out", out, "--strategy", "ring", "--strategy", "diloco");
    expect(r.exitCode).toBe(0);
    const svg = await readFile(join(out, "tiny-bandwidth.svg"), "utf8");
    expect(svg.match(/<g class="series"/g)).toHaveLength(2);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["missing field", withField(TINY, "model.layers", undefined), /model\.layers is missing/],
    ["negative bandwidth", withField(TINY, "wan.gbit", -5), /wan\.gbit is -5/],
    ["unknown site without coordinates", withField(TINY, "sites", [{ name: "a", gpus: 1, lat: 0, lon: 0 }, { name: "atlantis", gpus: 1 }]), /sites\[1\]\.name is "atlantis": unknown site/],
    ["unknown strategy", withField(TINY, "strategies", ["carrier-pigeon"]), /strategies\[0\]\.name is "carrier-pigeon"/],
  ];
  for (const [what, raw, message] of bad) {
    it(`${what}: exit 2, one line naming field and value, no stack trace`, async () => {
      const r = await plan(await scenarioFile(raw));
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it("an unknown --strategy or --sweep is refused the same way", async () => {
    const file = await scenarioFile(TINY);
    const strategy = await plan(file, "--strategy", "warp");
    expect(strategy.exitCode).toBe(2);
    expect(strategy.stderr).toMatch(/--strategy is "warp": unknown strategy/);
    const sweep = await plan(file, "--sweep", "altitude");
    expect(sweep.exitCode).toBe(2);
    expect(sweep.stderr).toMatch(/--sweep is "altitude"/);
  });

  it("a missing file or invalid JSON: exit 2", async () => {
    expect((await plan("/nonexistent/s.json")).exitCode).toBe(2);
    const path = join(await mkdtemp(join(tmpdir(), "longhaul-plan-")), "broken.json");
    await writeFile(path, "{ not json");
    const r = await plan(path);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON/);
  });
});

describe("longhaul plan --check", () => {
  it("refuses sites the emulator cannot place: exit 2 naming the site", async () => {
    const nemotron = new URL("../../scenarios/nemotron-340b-2dc-1000km.json", import.meta.url).pathname;
    const r = await plan(nemotron, "--strategy", "ring", "--check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/sites\[0\]\.name is "dc-east": --check runs through the emulator, which places built-in regions only/);
  });
});
