/** The emulated-WAN bench: rows carry the cost model's figures, and one real run through the emulator. */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { annotateRow, explainSweep, sweepLinkModel, sweepSegmentBytes } from "../../bench/wan-sweep.js";
import { predict } from "../../collectives/select.js";
import { ONE_HOST_SEGMENT_BYTES } from "../../init.js";
import type { ResultRow } from "../../bench/sweep-types.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const row = (algorithm: string, bytes: number) => ({ algorithm, bytes, timeUs: 1 }) as ResultRow;

describe("annotateRow", () => {
  const links = sweepLinkModel({ topology: "continents", emulate: true, rateMbit: 1000 });
  it("adds predictedUs <= lowerBoundUs x a few, and names auto's pick", () => {
    const auto = annotateRow(row("auto", 4096), links);
    expect(auto.chosen).toBe("hierarchical");
    const hier = annotateRow(row("hierarchical", 4096), links);
    expect(auto.predictedUs).toBe(hier.predictedUs);
    expect(hier.lowerBoundUs as number).toBeGreaterThan(80_000); // the longest one-way WAN latency, London–Asunción
    expect(hier.predictedUs as number).toBeGreaterThanOrEqual(hier.lowerBoundUs as number);
  });
  it("leaves rows of algorithms the model does not know alone", () => expect(annotateRow(row("compressed", 4096), links)).not.toHaveProperty("predictedUs"));
  it("--explain lists the links and a pick per size", () => {
    const text = explainSweep({ topology: "continents", emulate: true, rateMbit: 1000 }, [4096, 64 << 20]).join("\n");
    expect(text).toContain("1000 Mbit/s");
    expect(text.match(/auto picks/g)).toHaveLength(2);
  });
});

describe("the model prices the emulated connections' TCP", () => {
  const on = sweepLinkModel({ topology: "continents", emulate: true, rateMbit: 1000 });
  const off = sweepLinkModel({ topology: "continents", emulate: true, rateMbit: 1000, tcp: { slowStartAfterIdle: false } });
  it("takes --no-slow-start-after-idle from the sweep's options", () => {
    expect(on.slowStartAfterIdle ?? true).toBe(true);
    expect(off.slowStartAfterIdle).toBe(false);
  });
  it("a tree's links idle a whole op between uses and restart from 10 segments; a ring's stay busy", () => {
    // Measured through the emulator (bench allreduce --topology continents --emulate --rate 1gbit --iters 3):
    // tree 256 KiB 2.55 s on, 0.45 s off; ring 0.51 s either way.
    const tree = predict("tree", 256 << 10, on) / predict("tree", 256 << 10, off);
    expect(tree).toBeGreaterThan(4);
    const ring = predict("ring", 256 << 10, on) / predict("ring", 256 << 10, off);
    expect(ring).toBeGreaterThan(0.9);
    expect(ring).toBeLessThan(1.1);
  });
});

describe("the model a sweep of processes on this host describes", () => {
  it("over Unix sockets: the Unix-socket terms and the 4 MiB segment the ranks use; over ZeroMQ, ZeroMQ's", () => {
    expect(sweepLinkModel({ ranks: 4, transport: "unix" }).hostLinks).toBe("unix");
    expect(sweepLinkModel({ ranks: 4, transport: "tcp" }).hostLinks).toBe("zmq");
    expect(sweepSegmentBytes({ ranks: 4, transport: "unix" })).toBe(ONE_HOST_SEGMENT_BYTES);
    expect(sweepSegmentBytes({ ranks: 4, transport: "threads" })).toBe(1 << 20);
    expect(sweepSegmentBytes({ topology: "new-york:1,london:1", emulate: true })).toBe(1 << 20);
    expect(sweepSegmentBytes({ ranks: 4, transport: "unix", segmentBytes: 65536 })).toBe(65536);
    expect(explainSweep({ ranks: 4, transport: "unix" }, [4096]).join("\n")).toContain("all links local (Unix sockets)");
  });
});

describe("longhaul bench allreduce --emulate", () => {
  it("runs 4 ranks in 2 regions through the emulator; JSON rows carry predictedUs and lowerBoundUs; the WAN latency shows", async () => {
    expect(existsSync(CLI), `${CLI} missing: run "npm run build" first`).toBe(true);
    const args = [CLI, "bench", "allreduce", "--topology", "new-york:2,london:2", "--emulate", "--rate", "100mbit", "--algorithm", "hierarchical,auto", "--sizes", "4KiB", "--iters", "2", "--warmup", "1", "--json", "--explain", "--base-port", "24200"];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { timeout: 60_000 });
    const rows = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.algorithm)).toEqual(["hierarchical", "auto"]);
    for (const r of rows) {
      expect(r.wrong).toBe(0);
      expect(r.timeUs).toBeGreaterThan(r.lowerBoundUs * 0.9); // New York–London is ~48 ms one way: no loopback shortcut
      expect(r.predictedUs).toBeGreaterThan(0);
    }
    expect(stderr).toContain("auto picks");
  }, 90_000);

  it("keeps running through a 1.5 s down of the WAN link (30 s op timeout): every op exact, the fault in the row at its time ± 100 ms", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "longhaul-bench-faults-")), "down.yaml");
    writeFileSync(file, "faults:\n  - { at: 1s, for: 1.5s, link: new-york<->london, down: true }\n");
    const args = [CLI, "bench", "allreduce", "--topology", "new-york:2,london:2", "--emulate", "--rate", "100mbit", "--sizes", "64KiB", "--min-time", "4s", "--timeout", "30s", "--faults", file, "--json", "--base-port", "24300"];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { timeout: 60_000 });
    const [r] = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(r.wrong).toBe(0);
    expect(r.faults).toHaveLength(1);
    const [down] = r.faults;
    expect(down).toMatchObject({ kind: "down", link: "new-york<->london", atMs: 1000, endsAtMs: 2500 });
    expect(Math.abs(down.appliedAtMs - 1000)).toBeLessThan(100);
    expect(Math.abs(down.liftedAtMs - 2500)).toBeLessThan(100);
    expect(stderr).toMatch(/faults: 1(\.\d+)?s faults\[0\] down new-york<->london \(2 directed links\) applied until 2.5s/);
  }, 90_000);
});
