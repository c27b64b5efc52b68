/**
 * The Unix-socket transport inside the test process (the integration tests run it between real
 * processes through launch and init): messages of every size arrive whole and in order, the
 * closing handshake, a peer leaving, agreement, job identity, stale socket files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCommunicator } from "../../collectives/communicator.js";
import { CommError } from "../../world/comm-error.js";
import { encodeHeader, FrameKind } from "../../transports/frames.js";
import { jobToken } from "../../transports/job.js";
import { parseTopology } from "../../world/topology.js";
import { connectUnix, unixSocketPath, type ConnectUnixOptions } from "../../transports/unix/connect.js";
import type { UnixTransport } from "../../transports/unix/transport.js";
import { allReduceExact, expectLinkRateMismatch } from "./zmq-world.js";

const open: UnixTransport[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.abort();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function socketDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "longhaul-unix-test-"));
  dirs.push(dir);
  return dir;
}

let jobs = 0;
async function unixWorld(size: number, extra: (rank: number) => Partial<ConnectUnixOptions> = () => ({})): Promise<UnixTransport[]> {
  const ipcDir = socketDir();
  const jobId = `unix-test-${process.pid}-${jobs++}`;
  const topology = parseTopology(String(size));
  const world = await Promise.all(Array.from({ length: size }, (_, rank) => connectUnix({ rank, topology, plan: { basePort: 1, ipcDir }, jobId, timeoutMs: 10_000, closeWhenAbandoned: false, ...extra(rank) })));
  open.push(...world);
  return world;
}

const pattern = (bytes: number, seed: number): Uint8Array => new Uint8Array(bytes).map((_, i) => (i * 13 + seed) & 0xff);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe("unix transport", () => {
  it("delivers messages of every size whole, per tag in order, as 8-byte aligned plain Uint8Arrays", async () => {
    const [a, b] = await unixWorld(2);
    const sizes = [0, 1, 100, 64 * 1024 - 1, 64 * 1024, 70_000, 5 << 20];
    const sent = sizes.flatMap((bytes, i) => [pattern(bytes, i), pattern(bytes, i + 100)]);
    const sends = sent.map((payload, i) => a.send(1, Math.floor(i / 2), payload));
    for (let i = 0; i < sent.length; i++) {
      const got = await b.recv(0, Math.floor(i / 2), 5000);
      expect(got.byteOffset % 8).toBe(0);
      expect(Buffer.isBuffer(got)).toBe(false); // a caller's .slice() must copy, as Uint8Array's does
      expect(got.slice().buffer.byteLength).toBe(got.byteLength);
      expect(same(got, sent[i]), `message ${i} of ${sent[i].byteLength} bytes`).toBe(true);
    }
    await Promise.all(sends);
    expect(b.dropped.total).toBe(0);
  });

  it("runs the collectives exactly, and recvWith's recycled buffers never leak one message into the next", async () => {
    const world = await unixWorld(3);
    const topology = parseTopology("3");
    const comms = world.map((t) => createCommunicator(t, topology, { timeoutMs: 10_000, segmentBytes: 256 * 1024 }));
    for (const n of [1, 1000, 1 << 20]) expect(await allReduceExact(comms, n), `${n} floats`).toBe(true);
    for (let i = 0; i < 3; i++) expect(await allReduceExact(comms, 1 << 20)).toBe(true);
  });

  it("close: a rank that sends and closes at once loses nothing; its peer's next recv then fails with PEER_LOST, its own later sends with CLOSED", async () => {
    const [a, b] = await unixWorld(2);
    const big = pattern(8 << 20, 3);
    void a.send(1, 1, big);
    const closing = a.close();
    expect(same(await b.recv(0, 1, 5000), big)).toBe(true);
    await closing;
    const error = (await b.recv(0, 2, 5000).catch((e: unknown) => e)) as CommError;
    expect(error.code).toBe("PEER_LOST");
    expect(error.message).toMatch(/peer 0 is gone \(it closed its transport/);
    expect(((await a.send(1, 3, new Uint8Array(1)).catch((e: unknown) => e)) as CommError).code).toBe("CLOSED");
    await b.close();
  });

  it.each([
    ["the reader's end (a socket error on the connection it dialed)", "reader"],
    ["the writer's end", "writer"],
  ])("a connection broken at %s while both ranks live is dialed again: what was in flight is written again, every message arrives once, in order", async (_name, end) => {
    const [a, b] = await unixWorld(2);
    // Small messages (copied behind their header, so always written again); a large one is let go once the kernel took it.
    const sizes = [100, 60_000, 3000, 10, 40_000];
    const sent = Array.from({ length: 200 }, (_, i) => pattern(sizes[i % sizes.length], i));
    const sends = sent.map((message) => a.send(1, 5, message));
    const first = await b.recv(0, 5, 10_000);
    // Break it with most of the messages still queued or in the kernel's buffers.
    if (end === "reader") (b as unknown as { reads: net.Socket[] }).reads[0].destroy();
    else (a.links[1] as unknown as { socket: net.Socket }).socket.destroy();
    const got = [first];
    for (let i = 1; i < sent.length; i++) got.push(await b.recv(0, 5, 10_000));
    await Promise.all(sends);
    expect(got.map((g, i) => same(g, sent[i]))).toEqual(sent.map(() => true));
    // The link goes on both ways, and the closing handshake's counts still agree.
    await Promise.all([a.send(1, 6, pattern(1 << 20, 1)), b.send(0, 6, pattern(10, 2))]);
    expect(same(await b.recv(0, 6, 5000), pattern(1 << 20, 1))).toBe(true);
    expect(same(await a.recv(1, 6, 5000), pattern(10, 2))).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it("a peer whose connections drop before it closed is PEER_LOST at once, not at a timeout", async () => {
    const [a, b] = await unixWorld(2);
    const pending = b.recv(0, 1, 20_000).catch((e: unknown) => e);
    const started = Date.now();
    a.abort();
    const error = (await pending) as CommError;
    expect(error.code).toBe("PEER_LOST");
    expect(error.message).toMatch(/its connection dropped before it closed/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("ranks that disagree on a shared setting fail with MISMATCH naming it, on every rank, in seconds", async () => {
    const ipcDir = socketDir();
    const topology = parseTopology("3");
    const started = Date.now();
    const results = await Promise.allSettled(
      [0, 1, 2].map((rank) => connectUnix({ rank, topology, plan: { basePort: 1, ipcDir }, jobId: "disagree", timeoutMs: 20_000, closeWhenAbandoned: false, agreement: { LONGHAUL_LINK_RATE_MBIT: rank === 2 ? "100" : "1000" } })),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expectLinkRateMismatch(results);
  });
});

describe("socket files", () => {
  it("a file left by a crashed process is replaced; a live listener of the same job and rank is refused with what to do", async () => {
    const ipcDir = socketDir();
    const topology = parseTopology("2");
    const plan = { basePort: 1, ipcDir };
    const jobId = "stale-and-live";
    writeFileSync(unixSocketPath(plan, jobToken(jobId), 0), ""); // what a killed rank leaves behind is a file nobody listens on
    const world = await Promise.all([0, 1].map((rank) => connectUnix({ rank, topology, plan, jobId, timeoutMs: 10_000, closeWhenAbandoned: false })));
    open.push(...world);
    const second = (await connectUnix({ rank: 1, topology, plan, jobId, timeoutMs: 2000, closeWhenAbandoned: false }).catch((e: unknown) => e)) as CommError;
    expect(second.code).toBe("INVALID_ARGUMENT");
    expect(second.message).toMatch(/another process of this job listens there as rank 1 .*LONGHAUL_JOB_ID/);
  });

  it("a peer that never starts: TIMEOUT naming its socket file and what to check", async () => {
    const ipcDir = socketDir();
    const error = (await connectUnix({ rank: 0, topology: parseTopology("2"), plan: { basePort: 1, ipcDir }, jobId: "alone", timeoutMs: 300, closeWhenAbandoned: false }).catch((e: unknown) => e)) as CommError;
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toContain(unixSocketPath({ basePort: 1, ipcDir }, jobToken("alone"), 1));
    expect(error.message).toMatch(/LONGHAUL_HOST_LINKS=zmq/);
  });

  it("a connection that opens with a HELLO announcing more than an agreement can be is refused and counted before anything is allocated, and the world still links", async () => {
    const ipcDir = socketDir();
    const plan = { basePort: 1, ipcDir };
    const topology = parseTopology("2");
    const connecting = [0, 1].map((rank) => connectUnix({ rank, topology, plan, jobId: "guarded", timeoutMs: 10_000, closeWhenAbandoned: false }));
    const intruder = await new Promise<net.Socket>((resolve) => {
      const dial = (): void => {
        const s = net.connect({ path: unixSocketPath(plan, jobToken("guarded"), 0) });
        s.once("connect", () => resolve(s));
        s.once("error", () => setTimeout(dial, 10));
      };
      dial();
    });
    const closed = new Promise((resolve) => intruder.once("close", resolve));
    // a HELLO header of another job announcing 1 GiB of agreement: refused at the header, before any allocation
    intruder.write(encodeHeader({ kind: FrameKind.HELLO, flags: 0, stripe: 0, stripes: 1, src: 1, seq: 0, tag: 2, total: 1 << 30, job: 1n }));
    await closed;
    const world = await Promise.all(connecting);
    open.push(...world);
    expect(world[0].dropped.total).toBe(1);
  });
});
