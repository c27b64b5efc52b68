import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

// Runs the compiled CLI (npm test builds first).
const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const EXAMPLE = new URL("../../examples/faults.yaml", import.meta.url).pathname;
const longhaul = (...args: string[]) => execa("node", [MAIN, ...args], { reject: false, timeout: 30_000 });
const dir = mkdtempSync(join(tmpdir(), "longhaul-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("longhaul netem faults", () => {
  it("--check prints the example's timeline, one line per event, and exits 0", async () => {
    const r = await longhaul("netem", "faults", EXAMPLE, "--check");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      " 20s  start   faults[0] down new-york<->london (2 directed links) for 5s",
      " 25s  end     faults[0] down new-york<->london (2 directed links)",
      " 40s  start   faults[1] partition asuncion<->* (6 directed links) for 10s",
      " 50s  end     faults[1] partition asuncion<->* (6 directed links)",
      " 60s  start   faults[2] loss 1% gemodel (p 0.252525%, r 25%) london->chicago (1 directed link) for 20s",
      " 80s  end     faults[2] loss 1% gemodel (p 0.252525%, r 25%) london->chicago (1 directed link)",
      " 80s  start   faults[3] rate 100mbit * (12 directed links) for 30s",
      " 90s  start   faults[4] delay +80ms chicago<->london (2 directed links) for 5s",
      " 95s  end     faults[4] delay +80ms chicago<->london (2 directed links)",
      "100s  kill    faults[5] kill rank 3",
      "110s  end     faults[3] rate 100mbit * (12 directed links)",
      "130s  restart faults[6] restart rank 3",
    ]);
  });

  it("--json prints the parsed schedule; --topology checks against another world", async () => {
    const r = await longhaul("netem", "faults", EXAMPLE, "--check", "--json");
    expect(r.exitCode).toBe(0);
    const schedule = JSON.parse(r.stdout);
    expect(schedule.topology).toBe("continents");
    expect(schedule.faults).toHaveLength(7);
    expect(schedule.faults[0]).toEqual({ index: 0, atMs: 20000, forMs: 5000, link: "new-york<->london", pairs: [["new-york", "london"], ["london", "new-york"]], kind: "down", impairment: { down: true }, value: "" });
    expect(schedule.faults[5]).toEqual({ index: 5, kind: "kill", atMs: 100000, rank: 3 });
    const small = await longhaul("netem", "faults", EXAMPLE, "--check", "--topology", "new-york:1,london:1");
    expect(small.exitCode).toBe(2);
    expect(small.stderr.trim()).toBe(`longhaul netem faults: ${EXAMPLE}: faults[1] (at 40s): link "asuncion<->*" names unknown region "asuncion"; regions of new-york:1,london:1: new-york, london (or *)`);
  });

  it.each([
    ["unknown region", "faults:\n  - { at: 20s, for: 5s, link: new-york<->mars, down: true }\n", /faults\[0\] \(at 20s\): link "new-york<->mars" names unknown region "mars"/],
    ["negative duration", "faults:\n  - { at: 20s, for: -5s, link: new-york<->london, down: true }\n", /faults\[0\] \(at 20s\): for "-5s" is negative/],
    ["unknown key", "faults:\n  - { at: 20s, for: 5s, link: new-york<->london, down: true }\n  - { at: 30s, for: 5s, link: new-york<->london, jitter: 5ms }\n", /faults\[1\] \(at 30s\): unknown key "jitter"/],
    ["overlapping kill", "faults:\n  - { at: 100s, rank: 3, kill: true }\n  - { at: 110s, rank: 3, kill: true }\n", /faults\[1\] \(at 110s\): kill of rank 3 overlaps the kill at 100s/],
    ["restart without kill", "faults:\n  - { at: 100s, rank: 3, restart: true }\n", /faults\[0\] \(at 100s\): restart of rank 3 has no kill before it/],
    ["rank out of range", "faults:\n  - { at: 100s, rank: 9, kill: true }\n", /faults\[0\] \(at 100s\): rank 9 is not a rank of continents \(0\.\.7\)/],
    ["no kind", "faults:\n  - { at: 1s, for: 1s, link: \"*\" }\n", /faults\[0\] \(at 1s\): link fault has no kind/],
    ["wrong type", "faults:\n  - { at: 1s, for: 1s, link: \"*\", partition: 1 }\n", /faults\[0\] \(at 1s\): partition must be true, got 1/],
    ["JSON", '{ "faults": [ { "at": "1s", "for": "0s", "link": "*", "down": true } ] }', /faults\[0\] \(at 1s\): for "0s" must be above zero/],
  ])("%s: one line on stderr naming the entry and the field, exit 2", async (name, text, message) => {
    const path = file(`${name.replace(/ /g, "-")}.yaml`, text);
    const r = await longhaul("netem", "faults", path, "--check");
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^longhaul netem faults: ${path}: `));
    expect(r.stderr).toMatch(message);
  });

  it("a missing file, no file, and --help", async () => {
    const missing = await longhaul("netem", "faults", join(dir, "nope.yaml"), "--check");
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toMatch(/fault file .*nope\.yaml cannot be read \(ENOENT\)/);
    const none = await longhaul("netem", "faults", "--check");
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/give one fault file \(got 0\)/);
    const help = await longhaul("netem", "faults", "--help");
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: longhaul netem faults FILE/);
    expect((await longhaul("netem", "--help")).stdout).toMatch(/faults +check a fault file/);
  });
});
