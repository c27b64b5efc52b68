/** `longhaul bench` end to end (compiled CLI from dist/): every JSON line has wrong 0 and the nccl-tests keys. */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_ITERS } from "../../bench/rank-sweep.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const KEYS = ["op", "algorithm", "ranks", "bytes", "timeUs", "algbwGBps", "busbwGBps", "wrong", "peakRssMiB"];

async function benchJson(args: string[]): Promise<Array<Record<string, unknown>>> {
  expect(existsSync(CLI), `${CLI} missing: run "npm run build" first`).toBe(true);
  const { stdout } = await execa(process.execPath, [CLI, "bench", ...args, "--json"], { timeout: 60_000 });
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("longhaul bench", () => {
  for (const [transport, extra] of [["threads", []], ["tcp", ["--base-port", "22400"]], ["ipc", ["--base-port", "22450"]]] as const) {
    it(`allreduce --ranks 4 --sizes 4KiB,1MiB over ${transport} prints wrong: 0 for every size`, async () => {
      const rows = await benchJson(["allreduce", "--ranks", "4", "--sizes", "4KiB,1MiB", "--iters", "2", "--transport", transport, ...extra]);
      expect(rows.map((r) => r.bytes)).toEqual([4096, 1 << 20]);
      for (const row of rows) {
        for (const key of KEYS) expect(row, key).toHaveProperty(key);
        expect(row.wrong).toBe(0);
        expect(row.ranks).toBe(4);
        expect(row.busbwGBps as number).toBeCloseTo(((row.algbwGBps as number) * 2 * 3) / 4, 9);
        // No --algorithm: auto, naming what it ran (one-shot only where ranks share memory).
        expect(row.algorithm).toBe("auto");
        expect(["ring", "tree", "halving-doubling", "hierarchical", ...(transport === "threads" ? ["one-shot"] : [])]).toContain(row.chosen);
      }
    }, 60_000);
  }

  it("--min-time runs more timed iterations for fast sizes, the same number on every rank", async () => {
    const rows = await benchJson(["allreduce", "--ranks", "2", "--sizes", "4KiB", "--iters", "2", "--min-time", "100"]);
    expect(rows).toHaveLength(1);
    expect(rows[0].wrong).toBe(0);
    expect(rows[0].iters as number).toBeGreaterThan(2);
    expect(rows[0].iters as number).toBeLessThanOrEqual(MAX_ITERS);
  }, 60_000);

  it("refuses sweeps that cannot run before starting or printing anything, saying what to use", async () => {
    for (const [args, message] of [
      [["--topology", "new-york:1,london:1", "--emulate", "--transport", "threads"], /emulator shapes TCP connections; use transport tcp/],
      [["--ranks", "2", "--algorithm", "one-shot", "--transport", "tcp"], /one-shot needs ranks that share memory; use --transport threads/],
      [["--ranks", "2", "--algorithm", "one-shot", "--sizes", "4KiB,64MiB"], /one-shot takes at most 1MiB per rank .*size 64MiB is larger; sweep it with auto/],
      [["--iters", "0"], /--iters "0" is not a whole number >= 1/],
      [["--ranks", "0"], /--ranks "0" is not a whole number >= 1/],
      [["--sizes", "5"], /size 5 B is not a whole number of float32 elements \(4 bytes each\); use 4 or 8/],
      [["--sizes", "12", "--dtype", "float64"], /size 12 B is not a whole number of float64 elements \(8 bytes each\); use 8 or 16/],
      [["--rate", "1gbit"], /--rate 1gbit shapes the emulated links and needs --emulate/],
      [["--timeout", "soon"], /--timeout "soon" is not a number with a unit; write e.g. "30s"/],
      [["--topology", "ny:zero"], /topology/],
    ] as const) {
      const run = await execa(process.execPath, [CLI, "bench", "allreduce", "--sizes", "4KiB", ...args], { reject: false, timeout: 30_000 });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /); // one message, no stack trace
      expect(run.stdout).toBe("");
    }
  }, 60_000);

  it("a threads rank whose op fails ends the sweep with exit 1 and the rank's error, not a hang (its thread's open ports keep it alive)", async () => {
    const run = await execa(process.execPath, [CLI, "bench", "allreduce", "--ranks", "4", "--sizes", "16MiB", "--timeout", "1ms"], { reject: false, timeout: 30_000 });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/bench ranks failed \(exit 1\); last rank output:\n\[rank \d\] CommError: .*(timeout|timed out)/);
  }, 60_000);

  it("the table header names the topology and the rank count; --timeout takes a duration", async () => {
    const run = await execa(process.execPath, [CLI, "bench", "allreduce", "--topology", "ny:1,ldn:1", "--sizes", "4KiB", "--iters", "1", "--timeout", "30s"], { timeout: 60_000 });
    expect(run.stdout.split("\n")[0]).toMatch(/^# allreduce topology=ny:1,ldn:1 ranks=2 transport=threads /);
  }, 60_000);

  it("reducescatter and allgather sweeps check their results too", async () => {
    for (const op of ["reducescatter", "allgather"]) {
      const rows = await benchJson([op, "--ranks", "3", "--sizes", "12KiB", "--iters", "1", "--warmup", "0"]);
      expect(rows).toHaveLength(1);
      expect(rows[0].wrong).toBe(0);
      expect(rows[0].op).toBe(op);
    }
  }, 60_000);

  it("micro prints the kernel rows with % of copy and the frame codec rows", async () => {
    const { stdout } = await execa(process.execPath, [CLI, "bench", "micro", "--sizes", "64KiB", "--time", "20"], { timeout: 60_000 });
    expect(stdout).toMatch(/copy \(Float32Array\.set\).*100%/);
    expect(stdout).toMatch(/wasm SIMD/);
    expect(stdout).toMatch(/frame header decode \(DataView\)/);
  }, 60_000);

  it("rejects an unknown algorithm with a message naming the choices", async () => {
    const result = await execa(process.execPath, [CLI, "bench", "allreduce", "--algorithm", "nope"], { reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/--algorithm must be one of .*ring/);
  });
});
