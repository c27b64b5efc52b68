/** The worker-threads transport, exercised inside this thread (ports work the same within one thread) and across real threads. */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { createCommunicator } from "../../collectives/communicator.js";
import { CommError } from "../../world/comm-error.js";
import { createSharedArena, markRankExited } from "../../transports/threads/shared-arena.js";
import { createThreadMesh, ThreadTransport } from "../../transports/threads/transport.js";
import { parseTopology } from "../../world/topology.js";

function world(size: number): ThreadTransport[] {
  return createThreadMesh(size).map((ports, rank) => new ThreadTransport(rank, size, ports));
}

describe("ThreadTransport", () => {
  it("a peer that closes is gone at once and in order: what it sent before is still delivered, the next recv is PEER_LOST", async () => {
    const size = 2;
    const shared = createSharedArena(size);
    const [a, b] = createThreadMesh(size).map((ports, rank) => new ThreadTransport(rank, size, ports, { shared }));
    await a.send(1, 3, new Float64Array([42]));
    await a.close();
    markRankExited(shared, size, 0); // as the parent does when the thread ends: the bye already told b
    const started = Date.now();
    expect(new Float64Array((await b.recv(0, 3, 5000)).buffer)[0]).toBe(42);
    await expect(b.recv(0, 4, 5000)).rejects.toMatchObject({ code: "PEER_LOST", peer: 0 });
    expect(Date.now() - started).toBeLessThan(500); // not the exit flag's 1 s grace, nor the recv's 5 s timeout
    await b.close();
  });

  it("delivers per (peer, tag) in order, copies on send, and gives 8-byte aligned buffers", async () => {
    const [a, b] = world(2);
    const payload = new Float64Array([1, 2, 3]);
    await a.send(1, 5, payload.subarray(1));
    payload[1] = 99; // the sender may reuse its buffer once send resolved
    await a.send(1, 5, new Float64Array([4]));
    await a.send(1, 6, new Float64Array([7]));
    const seven = await b.recv(0, 6, 1000);
    const first = await b.recv(0, 5, 1000);
    const second = await b.recv(0, 5, 1000);
    expect(first.byteOffset % 8).toBe(0);
    expect([...new Float64Array(first.buffer, first.byteOffset, 2)]).toEqual([2, 3]);
    expect(new Float64Array(second.buffer)[0]).toBe(4);
    expect(new Float64Array(seven.buffer)[0]).toBe(7);
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps order when sends outrun the shared slots (fallback to transferred copies) and for payloads larger than a slot", async () => {
    const [a, b] = world(2);
    for (let i = 0; i < 10; i++) await a.send(1, 1, new Int32Array(1000).fill(i));
    await a.send(1, 1, new Int32Array(1 << 20).fill(42));
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push(new Int32Array((await b.recv(0, 1, 1000)).slice().buffer)[999]);
    for (let i = 0; i < 5; i++) await b.recvWith(0, 1, 1000, (bytes) => seen.push(new Int32Array(bytes.buffer, bytes.byteOffset, 1000)[999]));
    const big = await b.recv(0, 1, 1000);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(big.byteLength).toBe(4 << 20);
    // Slots were handed back: a new burst goes through them again and still arrives intact.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await a.send(1, 2, new Float32Array([1.5]));
    expect(new Float32Array((await b.recv(0, 2, 1000)).slice().buffer)[0]).toBe(1.5);
    await Promise.all([a.close(), b.close()]);
  });

  it("times out a recv with TIMEOUT and reports a closed peer as PEER_LOST", async () => {
    const [a, b] = world(2);
    await expect(b.recv(0, 1, 30)).rejects.toMatchObject({ code: "TIMEOUT", peer: 0 });
    const pending = b.recv(0, 2, 5000).catch((error: unknown) => error);
    await a.close();
    const error = await pending;
    expect(error).toBeInstanceOf(CommError);
    expect(error).toMatchObject({ code: "PEER_LOST", peer: 0 });
    await b.close();
  });

  it("carries a ring all-reduce between ranks in one thread", async () => {
    const topology = parseTopology("5");
    const comms = world(5).map((t) => createCommunicator(t, topology, { segmentBytes: 1024 }));
    const outs = await Promise.all(comms.map((c, r) => c.allReduce(new Float32Array(10007).fill(r), { algorithm: "ring" })));
    for (const out of outs) expect(out.every((x) => x === 10)).toBe(true);
    await Promise.all(comms.map((c) => c.close()));
  });

  it("a worker thread that ends makes its peer's recv reject with PEER_LOST", async () => {
    const [mine, theirs] = createThreadMesh(2);
    const transport = new ThreadTransport(0, 2, mine);
    const worker = new Worker("require('node:worker_threads').workerData.port.start();", {
      eval: true,
      workerData: { port: theirs[0] },
      transferList: [theirs[0]!],
    });
    const pending = transport.recv(1, 1, 5000).catch((error: unknown) => error);
    await new Promise((resolve) => worker.on("exit", resolve));
    expect(await pending).toMatchObject({ code: "PEER_LOST" });
    await transport.close();
  });
});

describe("ThreadTransport with a shared arena", () => {
  it("a pending recv rejects with PEER_LOST once the parent marks that peer's worker exited (no port 'close' needed), and a message sent just before still arrives", async () => {
    const shared = createSharedArena(3);
    const [a, b, c] = createThreadMesh(3).map((ports, rank) => new ThreadTransport(rank, 3, ports, { shared }));
    await c.send(0, 9, new Float32Array([9]));
    const pending = a.recv(2, 1, 10_000).catch((error: unknown) => error);
    const started = Date.now();
    markRankExited(shared, 3, 2);
    expect(new Float32Array((await a.recv(2, 9, 1000)).slice().buffer)[0]).toBe(9);
    expect(await pending).toMatchObject({ code: "PEER_LOST", peer: 2 });
    expect(Date.now() - started).toBeLessThan(3000); // after a 1 s grace for the port's last messages
    // Other peers are unaffected, and marking twice changes nothing.
    markRankExited(shared, 3, 2);
    await b.send(0, 2, new Float32Array([5]));
    expect(new Float32Array((await a.recv(1, 2, 1000)).slice().buffer)[0]).toBe(5);
    await expect(a.send(2, 3, new Float32Array([1]))).rejects.toMatchObject({ code: "PEER_LOST" });
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe("ThreadTransport flow control", () => {
  it("holds sends back once 32 pooled buffers are unread, and a collective's deadline still ends the wait", async () => {
    const [a, b] = createThreadMesh(2).map((ports, rank) => new ThreadTransport(rank, 2, ports));
    const sends = Array.from({ length: 40 }, (_, i) => a.send(1, 1, new Float32Array(1 << 16).fill(i)));
    const settled = await Promise.race([Promise.all(sends).then(() => "all"), new Promise((r) => setTimeout(() => r("held"), 100))]);
    expect(settled).toBe("held");
    // Another tag is not held behind them (a ring's headers get through while its data waits).
    await a.send(1, 2, new Float32Array([7]));
    expect(new Float32Array((await b.recv(0, 2, 1000)).buffer)[0]).toBe(7);
    for (let i = 0; i < 40; i++) await b.recvWith(0, 1, 1000, (bytes) => expect(new Float32Array(bytes.buffer, bytes.byteOffset, 1)[0]).toBe(i));
    await Promise.all(sends);
    const comm = createCommunicator(a, parseTopology("2"), { timeoutMs: 200 });
    // Rank 1 never joins: the broadcast's root must still reject by its deadline (held sends included).
    const error = await comm.broadcast(allocLarge(), 0).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TIMEOUT", op: "broadcast" });
    await Promise.all([a.close(), b.close()]);
  });
});

function allocLarge(): Float32Array {
  return new Float32Array(40 << 18); // 40 segments of 1 MiB: more than the 32 buffers in flight
}
