/** The bare floors side_by_side.mjs reports: each runs on its own and prints the JSON line the table reads. */
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const reference = (script: string) => new URL(`../../bench/reference/${script}`, import.meta.url).pathname;

describe("bench/reference floors", () => {
  it("thread_floor.mjs: 4 worker threads, barrier then one-shot sum (checked every iteration), a median in µs", async () => {
    const { stdout } = await execa(process.execPath, [reference("thread_floor.mjs"), "200"], { timeout: 60_000 });
    const row = JSON.parse(stdout) as { transport: string; ranks: number; bytes: number; medianUs: number };
    expect(row).toMatchObject({ transport: "threads", ranks: 4, bytes: 4096 });
    expect(row.medianUs).toBeGreaterThan(0);
  }, 60_000);

  it("unix_exchange_floor.mjs: 4 processes over Unix sockets, a median in µs", async () => {
    const { stdout } = await execa(process.execPath, [reference("unix_exchange_floor.mjs"), "200"], { timeout: 60_000 });
    const row = JSON.parse(stdout.trim().split("\n").pop()!) as { transport: string; medianUs: number };
    expect(row.transport).toBe("unix");
    expect(row.medianUs).toBeGreaterThan(0);
  }, 60_000);
});
