/** `longhaul calibrate` through the compiled CLI (npm test builds first): it measures and writes what the model reads. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parseCalibration } from "../../model/calibration.js";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;

describe("longhaul calibrate", () => {
  it("--quick --json: writes a calibration the model accepts, every term positive", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "longhaul-calibrate-")), "c.json");
    const r = await execa("node", [MAIN, "calibrate", "--quick", "--json", "--out", out], { reject: false, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    const written = parseCalibration(JSON.parse(await readFile(out, "utf8")));
    expect(JSON.parse(r.stdout)).toEqual(written);
    for (const term of ["gammaS", "perMessageS", "localBetaS"] as const) expect(written.software[term]).toBeGreaterThan(0);
    expect(written.software.localAlphaS).toBeGreaterThanOrEqual(0); // round trip less two messages' CPU: near 0 on a busy host
    expect(written.figures.loopbackGBps).toBeGreaterThan(0);
  });

  it("a bad flag: exit 2 with the usage", async () => {
    const r = await execa("node", [MAIN, "calibrate", "--fast"], { reject: false, timeout: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/usage: longhaul calibrate/);
  });
});
