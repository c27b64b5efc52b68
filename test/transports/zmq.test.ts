import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { parseTopology } from "../../world/topology.js";
import { connectZmq } from "../../transports/zmq/connect.js";
import { runRanks } from "./spawn-ranks.js";

// Ports 31000-31199 belong to this file, and 20000-21999 (a 2,000-rank world binds only rank 0, dials the rest; below the ephemeral range).
const ipcDir = mkdtempSync(join(tmpdir(), "longhaul-zmq-test-"));
afterAll(() => rmSync(ipcDir, { recursive: true, force: true }));

function pair(scenario: string, port: number, ipc = "-", streams = 1, topology = "2") {
  return runRanks("transport-pair.mjs", 2, (rank) => [String(rank), "2", String(port), scenario, ipc, String(streams), topology]);
}

describe("ZeroMQ transport between two real processes", () => {
  it.each([
    ["tcp", 31000, "-", 1],
    ["ipc", 31010, ipcDir, 1],
    ["tcp with 3 streams", 31020, "-", 3],
  ])("moves sizes 0, 1, odd, 64 KiB±1 and 8 MiB intact and 8-byte aligned over %s", async (_name, port, ipc, streams) => {
    const runs = await pair("sizes", port as number, ipc as string, streams as number);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      const results = run.lines[0].results as Array<{ n: number; ok: boolean; aligned: boolean }>;
      expect(results.map((r) => r.n)).toEqual([0, 1, 7, 1001, 65536, 65537, 8 << 20]);
      expect(results.every((r) => r.ok && r.aligned)).toBe(true);
    }
  });

  it.each([
    ["inside a region (zero-copy + ACK from 64 KiB)", 31100, "2"],
    ["across regions (copied at send)", 31110, "ny:1,ldn:1"],
  ])("lets the sender overwrite a buffer once send resolved, %s", async (_name, port, topology) => {
    const [sender, receiver] = await pair("reuse", port as number, "-", 1, topology as string);
    expect(sender.code, sender.stderr).toBe(0);
    expect(receiver.code, receiver.stderr).toBe(0);
    expect(receiver.lines[0]).toEqual({ rank: 1, bad: [] });
  });

  it("keeps order per (peer, tag) under 400 concurrent sends without EBUSY", async () => {
    const runs = await pair("order", 31030);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines[0]).toMatchObject({ inOrder: true, received: 400 });
    }
  });

  it("rejects a pending recv and later sends with PEER_LOST soon after the peer is killed", async () => {
    const [survivor, victim] = await pair("die", 31040);
    expect(victim.signal).toBe("SIGKILL");
    expect(survivor.code, survivor.stderr).toBe(0);
    const report = survivor.lines[0] as { error: string; ms: number; sendError: string; message: string };
    expect(report.error).toBe("PEER_LOST");
    expect(report.sendError).toBe("PEER_LOST");
    expect(report.ms).toBeLessThan(5000); // the recv's own timeout was 20 s
    expect(report.message).toMatch(/peer 1 is gone/);
  });

  it("lets a program that never calls close() exit: the transport closes itself once nothing else is pending", async () => {
    const started = Date.now();
    const runs = await pair("abandon", 31090);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines[0]).toMatchObject({ exchanged: true });
      expect(run.stderr).toMatch(/never called close\(\); closing the ZeroMQ transport/);
    }
    expect(Date.now() - started).toBeLessThan(8000);
  });
});

describe("connectZmq", () => {
  it("times out naming the unreachable peer, its endpoint and what to check", async () => {
    const started = Date.now();
    const attempt = connectZmq({ rank: 0, topology: parseTopology("3"), plan: { basePort: 31050 }, timeoutMs: 400 });
    const error = await attempt.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CommError);
    expect((error as CommError).code).toBe("TIMEOUT");
    expect((error as CommError).message).toMatch(/peers 1 at tcp:\/\/127\.0\.0\.1:31051, 2 at tcp:\/\/127\.0\.0\.1:31052 did not answer within 400 ms/);
    expect((error as CommError).message).toMatch(/same base port \(31050\)/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("opens the sockets of a 2,000-rank world (past ZeroMQ's default 1,023 per process) and names only the first unreachable peers", async () => {
    const error = await connectZmq({ rank: 0, topology: parseTopology("2000"), plan: { basePort: 20000 }, timeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "TIMEOUT" });
    expect((error as CommError).message).toMatch(/peers 1 at tcp:\/\/127\.0\.0\.1:20001, .*8 at tcp:\/\/127\.0\.0\.1:20008 and 1991 more did not answer/);
  });

  it("reports a port already in use as INVALID_ARGUMENT with what to do", async () => {
    const first = connectZmq({ rank: 0, topology: parseTopology("2"), plan: { basePort: 31060 }, timeoutMs: 600 });
    const firstTimesOut = expect(first).rejects.toMatchObject({ code: "TIMEOUT" }); // handled now: on a loaded machine it may reject before the second attempt returns
    await new Promise((r) => setTimeout(r, 100));
    const second = await connectZmq({ rank: 0, topology: parseTopology("2"), plan: { basePort: 31060 }, timeoutMs: 2000 }).then(() => undefined, (e: unknown) => e);
    expect((second as CommError).code).toBe("INVALID_ARGUMENT");
    expect((second as CommError).message).toMatch(/cannot listen on tcp:\/\/127\.0\.0\.1:31060.*base port/);
    await firstTimesOut;
  });

  it("rejects self, out-of-range peers and bad tags without touching the network", async () => {
    const transports = await Promise.all([0, 1].map((rank) => connectZmq({ rank, topology: parseTopology("2"), plan: { basePort: 31070 }, timeoutMs: 5000 })));
    try {
      await expect(transports[0].send(0, 1, new Uint8Array(1))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(transports[0].recv(2, 1, 100)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(transports[0].send(1, -1, new Uint8Array(1))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(transports[0].recv(1, 9, 50)).rejects.toMatchObject({ code: "TIMEOUT", peer: 1 });
      // In-process round trip; a Float64Array lands aligned.
      await transports[1].send(0, 5, new Float64Array([1.5, -2]));
      const got = await transports[0].recv(1, 5, 2000);
      expect(Array.from(new Float64Array(got.buffer, got.byteOffset, 2))).toEqual([1.5, -2]);
    } finally {
      await Promise.all(transports.map((t) => t.close()));
    }
    await expect(transports[0].recv(1, 1, 100)).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("fails a pending recv at once when the peer closes on purpose", async () => {
    const [a, b] = await Promise.all([0, 1].map((rank) => connectZmq({ rank, topology: parseTopology("2"), plan: { basePort: 31080 }, timeoutMs: 5000 })));
    const pending = a.recv(1, 3, 10_000).then(() => undefined, (e: unknown) => e);
    const started = Date.now();
    await b.close(); // resolves once a confirmed everything b sent
    expect(await pending).toMatchObject({ code: "PEER_LOST", peer: 1, message: expect.stringMatching(/closed its transport/) });
    expect(Date.now() - started).toBeLessThan(2000);
    await a.close();
  });
});
