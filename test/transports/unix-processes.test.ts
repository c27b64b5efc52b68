/**
 * The Unix-socket transport between two real processes (what init() gives the ranks of a world that
 * is all on one host): the same scenarios as the ZeroMQ transport's (transport-pair.mjs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runRanks } from "./spawn-ranks.js";

const socketDir = mkdtempSync(join(tmpdir(), "longhaul-unix-pair-"));
afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

const SCENARIOS = ["sizes", "reuse", "order", "die", "abandon"];
// The base port only names each run's job id (static:<port>); the Unix-socket transport opens no port.
const pair = (scenario: string) => runRanks("transport-pair.mjs", 2, (rank) => [String(rank), "2", String(40_000 + SCENARIOS.indexOf(scenario)), scenario, `unix:${socketDir}`, "1", "2"]);

describe("Unix-socket transport between two real processes", () => {
  it("moves sizes 0, 1, odd, 64 KiB±1 and 8 MiB intact and 8-byte aligned", async () => {
    for (const run of await pair("sizes")) {
      expect(run.code, run.stderr).toBe(0);
      const results = run.lines[0].results as Array<{ n: number; ok: boolean; aligned: boolean }>;
      expect(results.map((r) => r.n)).toEqual([0, 1, 7, 1001, 65536, 65537, 8 << 20]);
      expect(results.every((r) => r.ok && r.aligned)).toBe(true);
    }
  });

  it("lets the sender overwrite a buffer once send resolved (Node holds it uncopied until the kernel took it)", async () => {
    const [sender, receiver] = await pair("reuse");
    expect(sender.code, sender.stderr).toBe(0);
    expect(receiver.code, receiver.stderr).toBe(0);
    expect(receiver.lines[0]).toEqual({ rank: 1, bad: [] });
  });

  it("keeps order per (peer, tag) under 400 concurrent sends", async () => {
    for (const run of await pair("order")) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines[0]).toMatchObject({ inOrder: true, received: 400 });
    }
  });

  it("rejects a pending recv and later sends with PEER_LOST soon after the peer is killed", async () => {
    const [survivor, victim] = await pair("die");
    expect(victim.signal).toBe("SIGKILL");
    expect(survivor.code, survivor.stderr).toBe(0);
    const report = survivor.lines[0] as { error: string; ms: number; sendError: string; message: string };
    expect(report.error).toBe("PEER_LOST");
    expect(report.sendError).toBe("PEER_LOST");
    expect(report.ms).toBeLessThan(2000); // the recv's own timeout was 20 s; a killed process's sockets close at once
    // Which end sees the kill first decides the words: the break of a connection it read from, or
    // the redial after it that the dead peer's socket refuses. Both name the peer as gone.
    expect(report.message).toMatch(/peer 1 is gone \((its connection dropped before it closed|it hung up on this rank's connection without answering)/);
  });

  it("a program that ends without close() closes with the handshake at exit, and both processes exit", async () => {
    const started = Date.now();
    for (const run of await pair("abandon")) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines[0]).toMatchObject({ exchanged: true });
      expect(run.stderr).toMatch(/finished without calling close\(\); closing its transport so its peers see it leave/);
    }
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
