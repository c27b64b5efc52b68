/**
 * A rank killed (SIGKILL) in the middle of a stream of 16 MiB all-reduces over ZeroMQ tcp: every
 * survivor must reject with a CommError naming the op, within the op timeout, and exit by itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";

const WORKER = new URL("../../dist/bench/fault-worker.js", import.meta.url).pathname;
const SIZE = 4;
const VICTIM = 2;
const TIMEOUT_MS = 4000;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Fault {
  isCommError: boolean;
  code?: string;
  op?: string;
  afterMs: number;
}

describe("a rank dies mid-all-reduce", () => {
  it("survivors reject with CommError (PEER_LOST or TIMEOUT) within the op timeout", async () => {
    expect(existsSync(WORKER), `${WORKER} missing: run "npm run build" first`).toBe(true);
    const faults = new Map<number, Fault>();
    let killedAt = 0;
    const exits = Array.from({ length: SIZE }, (_, rank) => {
      const child = spawn(process.execPath, [WORKER], {
        env: { ...process.env, RANK: String(rank), WORLD_SIZE: String(SIZE), LOCAL_RANK: String(rank), LONGHAUL_TOPOLOGY: String(SIZE), LONGHAUL_BASE_PORT: "22300", LONGHAUL_TIMEOUT_MS: String(TIMEOUT_MS) },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("{")) faults.set(rank, JSON.parse(line) as Fault);
        // Kill the victim once the world has completed one all-reduce: the next one is in flight.
        else if (rank === VICTIM && line === "iter 0" && killedAt === 0) {
          killedAt = Date.now();
          child.kill("SIGKILL");
        }
      });
      return new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    });
    const codes = await Promise.all(exits);
    expect(killedAt).toBeGreaterThan(0);
    const elapsed = Date.now() - killedAt;
    for (let rank = 0; rank < SIZE; rank++) {
      if (rank === VICTIM) continue;
      expect(codes[rank], `rank ${rank} exit`).toBe(0);
      const fault = faults.get(rank);
      expect(fault, `rank ${rank} reported no error`).toBeDefined();
      expect(fault!.isCommError).toBe(true);
      expect(["PEER_LOST", "TIMEOUT"]).toContain(fault!.code);
      expect(fault!.op).toBe("allReduce");
      expect(fault!.afterMs).toBeLessThanOrEqual(TIMEOUT_MS + 1000);
    }
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 5000);
  }, 30_000);
});
